import JSON

/// The transport of a flow.
public enum FlowProtocol: String, Sendable, Equatable {
    case tcp = "TCP"
    case udp = "UDP"
    case icmp = "ICMP"
}

/// A flow to test against security rules; a nil port is any port (ipFlowVerify's `*`).
public struct Flow: Sendable, Equatable {
    public var direction: SecurityRule.Direction
    public var transport: FlowProtocol
    public var source: IPv4Address
    public var sourcePort: Int?
    public var destination: IPv4Address
    public var destinationPort: Int?

    public init(
        direction: SecurityRule.Direction, transport: FlowProtocol, source: IPv4Address, sourcePort: Int?, destination: IPv4Address,
        destinationPort: Int?
    ) {
        self.direction = direction
        self.transport = transport
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationPort = destinationPort
    }
}

/// What a rule's address entries stand for around one network interface: the `VirtualNetwork`
/// service tag's prefixes, and the application security groups and service tags of addresses.
public struct TagContext: Sendable {
    /// The prefixes of the `VirtualNetwork` tag for this interface.
    public var virtualNetwork: [IPv4Prefix]
    /// The application security groups (keys) of an address.
    var applicationSecurityGroups: @Sendable (IPv4Address) -> Set<String>
    /// Service tags of public addresses, from the lab's hosts table.
    var serviceTags: @Sendable (IPv4Address) -> [String]

    public init(
        virtualNetwork: [IPv4Prefix], applicationSecurityGroups: @escaping @Sendable (IPv4Address) -> Set<String> = { _ in [] },
        serviceTags: @escaping @Sendable (IPv4Address) -> [String] = { _ in [] }
    ) {
        self.virtualNetwork = virtualNetwork
        self.applicationSecurityGroups = applicationSecurityGroups
        self.serviceTags = serviceTags
    }

    /// The prefixes an address entry stands for; nil for a service tag the lab holds no prefixes
    /// for (Microsoft publishes them; the lab knows only the addresses its hosts table tags).
    public func expand(_ entry: String) -> [IPv4Prefix]? {
        switch entry.lowercased() {
        case "*", "any": return [.everything]
        case "virtualnetwork": return virtualNetwork
        case "azureloadbalancer": return [SecurityRule.azureLoadBalancer]
        case "internet": return nil
        default: return IPv4Prefix(entry).map { [$0] }
        }
    }

    /// Whether an address is in an address entry (a prefix, `*`, or a service tag).
    public func matches(_ address: IPv4Address, entry: String) -> Bool {
        if entry.lowercased() == "internet" {
            // Public address space outside the virtual network, as the service tags page defines
            // the tag (https://learn.microsoft.com/azure/virtual-network/service-tags-overview).
            return !IPv4Prefix.reservedRanges.contains { $0.contains(address) }
                && !virtualNetwork.contains { $0.length > 0 && $0.contains(address) }
        }
        if let prefixes = expand(entry) { return prefixes.contains { $0.contains(address) } }
        return serviceTags(address).contains { $0.lowercased() == entry.lowercased() }
    }
}

/// Which fields of a rule matched a flow, as `networkConfigurationDiagnostic` reports them.
public struct RuleMatch: Sendable, Equatable {
    public var protocolMatched: Bool
    public var sourceMatched: Bool
    public var sourcePortMatched: Bool
    public var destinationMatched: Bool
    public var destinationPortMatched: Bool

    /// Whether the rule applies to the flow.
    public var all: Bool { protocolMatched && sourceMatched && sourcePortMatched && destinationMatched && destinationPortMatched }
}

/// One security rule, user or default, as Azure evaluates it
/// (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules).
public struct SecurityRule: Sendable, Equatable {
    /// Traffic direction.
    public enum Direction: String, Sendable, Equatable {
        case inbound = "Inbound"
        case outbound = "Outbound"
    }

    public var name: String
    public var isDefault: Bool
    public var priority: Int
    public var direction: Direction
    /// `Allow` or `Deny`.
    public var allows: Bool
    /// `*`, `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah`, as written.
    public var protocolName: String
    public var sourcePrefixes: [String]
    public var sourceGroups: [String]
    public var sourcePorts: [String]
    public var destinationPrefixes: [String]
    public var destinationGroups: [String]
    public var destinationPorts: [String]

    /// The platform's address for its health probes and DNS (AzureLoadBalancer's one address).
    public static let azureLoadBalancer = IPv4Prefix("168.63.129.16/32")!

    /// `Allow` or `Deny`.
    public var access: String { allows ? "Allow" : "Deny" }

    /// `securityRules/NAME` or `defaultSecurityRules/NAME`, as ipFlowVerify names rules.
    public var qualifiedName: String { (isDefault ? "defaultSecurityRules/" : "securityRules/") + name }

    /// `UserRule_NAME` or `DefaultRule_NAME`, as connectivity checks and effective rules name them.
    public var effectiveName: String { (isDefault ? "DefaultRule_" : "UserRule_") + name }

    public init(
        name: String, isDefault: Bool, priority: Int, direction: Direction, allows: Bool, protocolName: String = "*",
        sourcePrefixes: [String] = ["*"], sourceGroups: [String] = [], sourcePorts: [String] = ["*"],
        destinationPrefixes: [String] = ["*"], destinationGroups: [String] = [], destinationPorts: [String] = ["*"]
    ) {
        self.name = name
        self.isDefault = isDefault
        self.priority = priority
        self.direction = direction
        self.allows = allows
        self.protocolName = protocolName
        self.sourcePrefixes = sourcePrefixes
        self.sourceGroups = sourceGroups
        self.sourcePorts = sourcePorts
        self.destinationPrefixes = destinationPrefixes
        self.destinationGroups = destinationGroups
        self.destinationPorts = destinationPorts
    }

    /// A rule from ARM's JSON; nil when it has no name or priority. Member names are matched
    /// ignoring case, as ARM reads them, in one pass over the rule's properties without
    /// allocating for names spelled as ARM spells them (a lab reads a hundred thousand rules).
    public init?(_ json: JSONValue, isDefault: Bool) {
        guard let name = json["name"]?.stringValue, let properties = json["properties"]?.objectValue else { return nil }
        var priority: Int?
        var direction = Direction.inbound
        var allows = false
        var protocolName = "*"
        // Each address or port field, written once (`sourceAddressPrefix`) or as a list (`sourceAddressPrefixes`).
        var entries = (sourceAddress: Entries(), sourcePort: Entries(), destinationAddress: Entries(), destinationPort: Entries())
        var sourceGroups: [String] = []
        var destinationGroups: [String] = []
        for member in properties.members {
            guard let field = Field.named(member.key) else { continue }
            switch field {
            case .priority: priority = member.value.numberValue?.intValue
            case .direction: direction = member.value.stringValue?.lowercased() == "outbound" ? .outbound : .inbound
            case .access: allows = member.value.stringValue?.lowercased() == "allow"
            case .protocolName: protocolName = member.value.stringValue ?? "*"
            case .sourceAddressPrefix, .sourceAddressPrefixes:
                entries.sourceAddress.read(member.value, list: field == .sourceAddressPrefixes)
            case .sourcePortRange, .sourcePortRanges: entries.sourcePort.read(member.value, list: field == .sourcePortRanges)
            case .destinationAddressPrefix, .destinationAddressPrefixes:
                entries.destinationAddress.read(member.value, list: field == .destinationAddressPrefixes)
            case .destinationPortRange, .destinationPortRanges:
                entries.destinationPort.read(member.value, list: field == .destinationPortRanges)
            case .sourceApplicationSecurityGroups, .destinationApplicationSecurityGroups:
                let groups = (member.value.arrayValue ?? []).compactMap { $0["id"]?.stringValue.map(LabNetwork.key) }
                if field == .sourceApplicationSecurityGroups { sourceGroups = groups } else { destinationGroups = groups }
            }
        }
        guard let priority else { return nil }
        self.init(
            name: name, isDefault: isDefault, priority: priority, direction: direction, allows: allows, protocolName: protocolName,
            sourcePrefixes: entries.sourceAddress.list(orAny: sourceGroups.isEmpty), sourceGroups: sourceGroups,
            sourcePorts: entries.sourcePort.list(), destinationPrefixes: entries.destinationAddress.list(orAny: destinationGroups.isEmpty),
            destinationGroups: destinationGroups, destinationPorts: entries.destinationPort.list())
    }

    /// An address or port field of a rule, given as one value, a list, or both (the list wins
    /// when it is not empty).
    private struct Entries {
        var one: String?
        var many: [String] = []

        /// Reads the list member (`...Prefixes`, `...Ranges`: strings in an array) or the single one
        /// (a string that is not empty); a value of another kind counts as none.
        mutating func read(_ value: JSONValue, list: Bool) {
            if list {
                many = value.arrayValue?.compactMap(\.stringValue) ?? []
            } else if let text = value.stringValue, !text.isEmpty {
                one = text
            }
        }

        func list(orAny: Bool = true) -> [String] {
            if !many.isEmpty { return many }
            if let one { return [one] }
            return orAny ? ["*"] : []
        }
    }

    /// The members of a rule's `properties` the lab reads, spelled as ARM spells them.
    private enum Field: String, CaseIterable {
        case priority, direction, access
        case protocolName = "protocol"
        case sourceAddressPrefix, sourceAddressPrefixes, sourcePortRange, sourcePortRanges
        case destinationAddressPrefix, destinationAddressPrefixes, destinationPortRange, destinationPortRanges
        case sourceApplicationSecurityGroups, destinationApplicationSecurityGroups

        /// Each field by its lower-cased name, for bodies spelled otherwise.
        static let lowercased = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue.lowercased(), $0) })

        /// The field a member name is, ignoring case; nil for members the lab does not read. A
        /// name is first told by its length (ASCII's case does not change it), then compared as
        /// spelled, then lower-cased: the synthesized `init(rawValue:)` took most of the time of
        /// reading a rule, and `description` or `provisioningState` are not lower-cased at all.
        static func named(_ name: String) -> Field? {
            let candidates: [Field] =
                switch name.utf8.count {
                case 6: [.access]
                case 8: [.priority, .protocolName]
                case 9: [.direction]
                case 15: [.sourcePortRange]
                case 16: [.sourcePortRanges]
                case 19: [.sourceAddressPrefix]
                case 20: [.destinationPortRange]
                case 21: [.sourceAddressPrefixes, .destinationPortRanges]
                case 24: [.destinationAddressPrefix]
                case 26: [.destinationAddressPrefixes]
                case 31: [.sourceApplicationSecurityGroups]
                case 36: [.destinationApplicationSecurityGroups]
                default: []
                }
            if candidates.isEmpty { return nil }
            return candidates.first { $0.rawValue == name } ?? lowercased[name.lowercased()]
        }
    }

    /// Azure's default rules, with their names and priorities as its REST API returns them
    /// (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules).
    public static let defaults: [SecurityRule] = [
        SecurityRule(
            name: "AllowVnetInBound", isDefault: true, priority: 65000, direction: .inbound, allows: true,
            sourcePrefixes: ["VirtualNetwork"], destinationPrefixes: ["VirtualNetwork"]),
        SecurityRule(
            name: "AllowAzureLoadBalancerInBound", isDefault: true, priority: 65001, direction: .inbound, allows: true,
            sourcePrefixes: ["AzureLoadBalancer"]),
        SecurityRule(name: "DenyAllInBound", isDefault: true, priority: 65500, direction: .inbound, allows: false),
        SecurityRule(
            name: "AllowVnetOutBound", isDefault: true, priority: 65000, direction: .outbound, allows: true,
            sourcePrefixes: ["VirtualNetwork"], destinationPrefixes: ["VirtualNetwork"]),
        SecurityRule(
            name: "AllowInternetOutBound", isDefault: true, priority: 65001, direction: .outbound, allows: true,
            destinationPrefixes: ["Internet"]),
        SecurityRule(name: "DenyAllOutBound", isDefault: true, priority: 65500, direction: .outbound, allows: false),
    ]

    /// The descriptions Azure gives its default rules.
    static let defaultDescriptions = [
        "AllowVnetInBound": "Allow inbound traffic from all VMs in VNET",
        "AllowAzureLoadBalancerInBound": "Allow inbound traffic from azure load balancer",
        "DenyAllInBound": "Deny all inbound traffic",
        "AllowVnetOutBound": "Allow outbound traffic from all VMs to all VMs in VNET",
        "AllowInternetOutBound": "Allow outbound traffic from all VMs to Internet",
        "DenyAllOutBound": "Deny all outbound traffic",
    ]

    /// The default rules of a security group as ARM returns them in `defaultSecurityRules`.
    public static func defaultRulesJSON(securityGroupID: String) -> [JSONValue] {
        defaults.map { rule in
            .object(
                JSONObject([
                    "name": .string(rule.name),
                    "id": .string("\(securityGroupID)/defaultSecurityRules/\(rule.name)"),
                    "type": .string("Microsoft.Network/networkSecurityGroups/defaultSecurityRules"),
                    "properties": .object(
                        JSONObject([
                            "provisioningState": .string("Succeeded"),
                            "description": .string(defaultDescriptions[rule.name] ?? ""),
                            "protocol": .string("*"),
                            "sourcePortRange": .string("*"),
                            "destinationPortRange": .string("*"),
                            "sourceAddressPrefix": .string(rule.sourcePrefixes[0]),
                            "destinationAddressPrefix": .string(rule.destinationPrefixes[0]),
                            "access": .string(rule.access),
                            "priority": .number(JSONNumber(rule.priority)),
                            "direction": .string(rule.direction.rawValue),
                        ])),
                ]))
        }
    }

    // MARK: Matching

    /// Which of the rule's fields match the flow (the direction is assumed to be the rule's).
    public func match(_ flow: Flow, tags: TagContext) -> RuleMatch {
        RuleMatch(
            protocolMatched: protocolName == "*" || protocolName.lowercased() == flow.transport.rawValue.lowercased(),
            sourceMatched: Self.matches(flow.source, sourcePrefixes, sourceGroups, tags),
            sourcePortMatched: Self.matches(flow.sourcePort, sourcePorts),
            destinationMatched: Self.matches(flow.destination, destinationPrefixes, destinationGroups, tags),
            destinationPortMatched: Self.matches(flow.destinationPort, destinationPorts))
    }

    private static func matches(_ address: IPv4Address, _ entries: [String], _ groups: [String], _ tags: TagContext) -> Bool {
        if entries.contains(where: { tags.matches(address, entry: $0) }) { return true }
        guard !groups.isEmpty else { return false }
        let holders = tags.applicationSecurityGroups(address)
        return groups.contains { holders.contains($0) }
    }

    /// A nil port (any) matches only ranges that cover every port.
    private static func matches(_ port: Int?, _ ranges: [String]) -> Bool {
        ranges.contains { range in
            guard let (low, high) = portRange(range) else { return false }
            guard let port else { return low == 0 && high == 65535 }
            return (low...high).contains(port)
        }
    }

    /// `*`, `80` or `1000-2000` as a closed range; nil for anything else.
    public static func portRange(_ text: String) -> (Int, Int)? {
        if text == "*" { return (0, 65535) }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let low = Int(parts[0].trimmingSpaces), let high = Int(parts[parts.count - 1].trimmingSpaces),
            (0...65535).contains(low), (0...65535).contains(high), low <= high
        else { return nil }
        return (low, high)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
