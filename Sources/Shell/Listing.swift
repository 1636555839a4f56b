import ARMPaths
import JSON

/// What `ls` lists at a location in ARM's tree, which request gives it, and the table it shows.
/// Pure: `LocationCommands` sends the request.
///
/// Levels and their columns:
/// - `/`, `/subscriptions`: subscriptions (name, ID, state), from `GET /subscriptions`;
/// - a subscription, its `resourceGroups`: resource groups (name, location, state);
/// - a resource group, a subscription's `resources`: resources (name, type, location), from
///   `GET .../resources`; a group's `providers` and `providers/NAMESPACE`: the namespaces and types
///   present in it, from the same list;
/// - a subscription's `providers`: the providers (namespace, registration state); one provider:
///   its types and the version nwsh would choose;
/// - a collection (`.../virtualNetworks`, `.../subnets`): its items, with the columns people look
///   at for security rules, routes, subnets and network interfaces, else name, location, state;
/// - a resource: what is under it (``ResourceTree``), with the number of items its GET shows.
enum Listing: Equatable {
    case subscriptions
    case resourceGroups
    case resources
    /// The namespaces present in a resource group.
    case namespaces
    /// The types of a namespace present in a resource group.
    case types(namespace: String)
    /// A subscription's providers.
    case providers
    /// One provider's metadata.
    case provider
    /// A collection of a type (`Microsoft.Network/virtualNetworks/subnets`).
    case collection(type: String)
    /// One resource of a type.
    case resource(type: String)
    /// Anything else: listed by its `value` array, if it has one.
    case other

    /// The level of a location.
    static func at(_ path: ARMPath) -> Listing {
        let segments = path.segments.map { $0.lowercased() }
        if segments.isEmpty || segments == ["subscriptions"] { return .subscriptions }
        guard path.subscription != nil else { return .other }
        if let provider = path.provider {
            let group = path.resourceGroup != nil
            if provider.types.isEmpty { return group ? .types(namespace: provider.namespace) : .provider }
            return provider.names.count == provider.types.count
                ? .resource(type: provider.resourceType) : .collection(type: provider.resourceType)
        }
        switch segments.count {
        case 2,
            3 where segments[2] == "resourcegroups":
            return .resourceGroups
        case 3 where segments[2] == "resources": return .resources
        case 3 where segments[2] == "providers": return .providers
        case 4 where segments[2] == "resourcegroups": return .resources
        case 5 where segments[2] == "resourcegroups" && segments[4] == "resources": return .resources
        case 5 where segments[2] == "resourcegroups" && segments[4] == "providers": return .namespaces
        default: return .other
        }
    }

    /// The path to GET for the listing (its api-version is filled in).
    static func request(for path: ARMPath) -> ARMPath {
        switch at(path) {
        case .subscriptions: return ARMPath(segments: ["subscriptions"])
        case .resourceGroups: return ARMPath(segments: Array(path.segments.prefix(2)) + ["resourceGroups"])
        case .resources where path.resourceGroup != nil, .namespaces, .types:
            return ARMPath(segments: Array(path.segments.prefix(4)) + ["resources"])
        default: return path
        }
    }

    /// A table: column names and rows of cells.
    struct Table: Equatable {
        var columns: [String]
        var rows: [[String]]

        /// The table as text: columns two spaces apart, the last not padded; `header` styles the
        /// header line (bold on a colour terminal). Cells are made safe for the terminal.
        func text(header: (String) -> String = { $0 }) -> String {
            guard !rows.isEmpty else { return "(empty)\n" }
            let cells = ([columns] + rows).map { $0.map(TerminalText.sanitized) }
            let widths = columns.indices.map { column in cells.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
            func line(_ row: [String]) -> String {
                var text = ""
                for (index, cell) in row.enumerated() {
                    text += index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
                }
                while text.hasSuffix(" ") { text.removeLast() }
                return text
            }
            return header(line(cells[0])) + "\n" + cells.dropFirst().map { line($0) + "\n" }.joined()
        }
    }

    /// The table for what the request answered.
    func table(_ json: JSONValue) -> Table {
        let items = json["value"]?.arrayValue ?? []
        func name(_ id: JSONValue?) -> String { id?.stringValue.map { String($0.split(separator: "/").last ?? "") } ?? "" }
        func text(_ value: JSONValue?) -> String {
            switch value {
            case .string(let text)?: return text
            case .number(let number)?: return number.text
            case .bool(let flag)?: return flag ? "true" : "false"
            default: return ""
            }
        }
        switch self {
        case .subscriptions:
            return Table(
                columns: ["NAME", "ID", "STATE"],
                rows: items.map { [text($0["displayName"]), text($0["subscriptionId"]), text($0["state"])] })
        case .resourceGroups:
            return Table(
                columns: ["NAME", "LOCATION", "STATE"],
                rows: items.map { [text($0["name"]), text($0["location"]), text($0["properties"]?["provisioningState"])] })
        case .resources:
            return Table(
                columns: ["NAME", "TYPE", "LOCATION"], rows: items.map { [text($0["name"]), text($0["type"]), text($0["location"])] })
        case .namespaces:
            let namespaces = items.compactMap { $0["type"]?.stringValue?.split(separator: "/").first.map(String.init) }
            return Self.counts(namespaces, column: "NAMESPACE")
        case .types(let namespace):
            let prefix = namespace.lowercased() + "/"
            let types = items.compactMap { $0["type"]?.stringValue }.filter { $0.lowercased().hasPrefix(prefix) }
                .map { String($0.dropFirst(prefix.count)) }
            return Self.counts(types, column: "TYPE")
        case .providers:
            return Table(
                columns: ["NAMESPACE", "STATE"], rows: items.map { [text($0["namespace"]), text($0["registrationState"])] })
        case .provider:
            let types = json["resourceTypes"]?.arrayValue ?? []
            return Table(
                columns: ["TYPE", "API VERSION"],
                rows: types.map { type in
                    let versions = (type["apiVersions"]?.arrayValue ?? []).compactMap(\.stringValue)
                    return [text(type["resourceType"]), APIVersionChoice.newest(of: versions)?.version ?? ""]
                })
        case .collection(let type):
            return Self.collection(type: type, items: items, name: name, text: text)
        case .resource(let type):
            let children = ResourceTree.children(ofType: type)
            var rows: [[String]] = children.collections.map { collection in
                let count = json["properties"]?[collection]?.arrayValue?.count
                return [collection + "/", count.map { counted($0, "item") } ?? "collection"]
            }
            rows += children.views.map { [$0, "view (get)"] }
            rows += children.actions.map { [$0, "action (post)"] }
            return Table(columns: ["NAME", "WHAT"], rows: rows)
        case .other:
            return Table(columns: ["NAME", "ID"], rows: items.map { [text($0["name"] ?? $0["displayName"]), text($0["id"])] })
        }
    }

    /// Names and how many of each, in order of first appearance.
    private static func counts(_ names: [String], column: String) -> Table {
        var order: [String] = []
        var count: [String: Int] = [:]
        for name in names {
            if count[name.lowercased()] == nil { order.append(name) }
            count[name.lowercased(), default: 0] += 1
        }
        return Table(columns: [column, "COUNT"], rows: order.map { [$0, String(count[$0.lowercased()] ?? 0)] })
    }

    /// The items of a collection, with the columns people look at for its type.
    private static func collection(
        type: String, items: [JSONValue], name: (JSONValue?) -> String, text: (JSONValue?) -> String
    ) -> Table {
        func list(_ properties: JSONValue?, _ single: String, _ plural: String) -> String {
            let many = (properties?[plural]?.arrayValue ?? []).compactMap(\.stringValue)
            return many.isEmpty ? text(properties?[single]) : many.joined(separator: ",")
        }
        switch type.lowercased().split(separator: "/").last ?? "" {
        case "securityrules", "defaultsecurityrules":
            // Inbound first, then outbound, each by priority: the order Azure evaluates them in.
            let sorted = items.sorted {
                let left = (
                    $0["properties"]?["direction"]?.stringValue?.lowercased() ?? "",
                    $0["properties"]?["priority"]?.numberValue?.intValue ?? 0
                )
                let right = (
                    $1["properties"]?["direction"]?.stringValue?.lowercased() ?? "",
                    $1["properties"]?["priority"]?.numberValue?.intValue ?? 0
                )
                return left < right
            }
            return Table(
                columns: ["PRIORITY", "NAME", "DIRECTION", "ACCESS", "PROTOCOL", "SOURCE", "DESTINATION", "PORTS"],
                rows: sorted.map { rule in
                    let properties = rule["properties"]
                    return [
                        text(properties?["priority"]), text(rule["name"]), text(properties?["direction"]), text(properties?["access"]),
                        text(properties?["protocol"]), list(properties, "sourceAddressPrefix", "sourceAddressPrefixes"),
                        list(properties, "destinationAddressPrefix", "destinationAddressPrefixes"),
                        list(properties, "destinationPortRange", "destinationPortRanges"),
                    ]
                })
        case "routes":
            return Table(
                columns: ["NAME", "PREFIX", "NEXT HOP"],
                rows: items.map { route in
                    let properties = route["properties"]
                    let address = text(properties?["nextHopIpAddress"])
                    return [
                        text(route["name"]), text(properties?["addressPrefix"]),
                        text(properties?["nextHopType"]) + (address.isEmpty ? "" : " " + address),
                    ]
                })
        case "subnets":
            return Table(
                columns: ["NAME", "PREFIX", "NSG", "ROUTE TABLE"],
                rows: items.map { subnet in
                    let properties = subnet["properties"]
                    return [
                        text(subnet["name"]), list(properties, "addressPrefix", "addressPrefixes"),
                        name(properties?["networkSecurityGroup"]?["id"]), name(properties?["routeTable"]?["id"]),
                    ]
                })
        case "networkinterfaces":
            return Table(
                columns: ["NAME", "PRIVATE IP", "SUBNET", "NSG"],
                rows: items.map { nic in
                    let properties = nic["properties"]
                    let configuration = properties?["ipConfigurations"]?.arrayValue?.first?["properties"]
                    let subnet = configuration?["subnet"]?["id"]?.stringValue.map { id -> String in
                        let parts = id.split(separator: "/")
                        return parts.count >= 3 ? "\(parts[parts.count - 3])/\(parts[parts.count - 1])" : id
                    }
                    return [
                        text(nic["name"]), text(configuration?["privateIPAddress"]), subnet ?? "",
                        name(properties?["networkSecurityGroup"]?["id"]),
                    ]
                })
        default:
            return Table(
                columns: ["NAME", "LOCATION", "STATE"],
                rows: items.map { [text($0["name"]), text($0["location"]), text($0["properties"]?["provisioningState"])] })
        }
    }
}
