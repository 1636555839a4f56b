import Foundation
import JSON

/// The sandbox's answers to Network Watcher's follow-up questions, worked out from its resources
/// (virtual networks, subnets, network interfaces, security groups, route tables), as Azure works
/// them out: effective security rules and routes of a network interface, `ipFlowVerify` (which
/// rule decides a flow) and `nextHop` (where a packet goes). Pure: resources in, JSON out.
///
/// The model is deliberately small: IPv4 only; the `VirtualNetwork` service tag is the address
/// space of the interface's virtual network, `Internet` is every address outside it and outside
/// the private ranges, `AzureLoadBalancer` is 168.63.129.16; no peering, gateways or BGP.
struct NetworkModel {
    /// Resources by lower-cased ID.
    let resources: [String: JSONValue]

    /// Why a request cannot be answered: an ARM error code and message.
    struct Refusal: Error, Equatable {
        var status: Int
        var code: String
        var message: String
    }

    // MARK: Effective security rules and routes

    /// `POST .../networkInterfaces/NIC/effectiveNetworkSecurityGroups`: the security groups on the
    /// interface and on its subnet, each with its rules (user rules then default rules).
    func effectiveSecurityGroups(networkInterface id: String) throws(Refusal) -> JSONValue {
        let nic = try networkInterface(id)
        let groups = securityGroups(of: nic)
        return .object(
            JSONObject([
                "value": .array(
                    groups.map { group in
                        var association = JSONObject()
                        switch group.attachedTo {
                        case .networkInterface: association["networkInterface"] = .object(JSONObject(["id": .string(nic.id)]))
                        case .subnet(let subnetID): association["subnet"] = .object(JSONObject(["id": .string(subnetID)]))
                        }
                        return .object(
                            JSONObject([
                                "networkSecurityGroup": .object(JSONObject(["id": .string(group.id)])),
                                "association": .object(association),
                                "effectiveSecurityRules": .array(group.rules.map { $0.effectiveJSON(virtualNetwork: nic.addressSpace) }),
                            ]))
                    })
            ]))
    }

    /// `POST .../networkInterfaces/NIC/effectiveRouteTable`: system routes, then the user routes of
    /// the subnet's route table; a system route a user route replaces is `Invalid`.
    func effectiveRoutes(networkInterface id: String) throws(Refusal) -> JSONValue {
        let nic = try networkInterface(id)
        return .object(JSONObject(["value": .array(routes(of: nic).map(\.json))]))
    }

    // MARK: ipFlowVerify and nextHop

    /// `POST .../networkWatchers/W/ipFlowVerify`: whether the security rules allow a flow to or
    /// from a VM, and which rule decides. Outbound flows meet the interface's group then the
    /// subnet's; inbound flows the subnet's first. The first rule (by priority) that matches decides.
    func ipFlowVerify(_ request: JSONValue) throws(Refusal) -> JSONValue {
        let vmID = try field(request, "targetResourceId")
        let direction = try oneOf(request, "direction", ["Inbound", "Outbound"])
        let protocolName = try oneOf(request, "protocol", ["TCP", "UDP"])
        let localAddress = try address(request, "localIPAddress")
        let remoteAddress = try address(request, "remoteIPAddress")
        let localPort = try port(request, "localPort")
        let remotePort = try port(request, "remotePort")
        let nic = try networkInterface(ofVM: vmID, address: localAddress, explicit: request["targetNicResourceId"]?.stringValue)
        let flow = Flow(
            direction: direction, protocolName: protocolName,
            source: direction == "Outbound" ? localAddress : remoteAddress, sourcePort: direction == "Outbound" ? localPort : remotePort,
            destination: direction == "Outbound" ? remoteAddress : localAddress,
            destinationPort: direction == "Outbound" ? remotePort : localPort)
        var groups = securityGroups(of: nic)
        if direction == "Inbound" { groups.reverse() }
        var decision: SecurityRule?
        for group in groups {
            guard
                let rule = group.rules.sorted(by: { $0.priority < $1.priority }).first(where: {
                    $0.matches(flow, virtualNetwork: nic.addressSpace)
                })
            else { continue }
            decision = rule
            if rule.access == "Deny" { break }
        }
        // No group at all: Azure lets the flow through and names no rule.
        guard let decision else { return .object(JSONObject(["access": .string("Allow")])) }
        return .object(JSONObject(["access": .string(decision.access), "ruleName": .string(decision.qualifiedName)]))
    }

    /// `POST .../networkWatchers/W/nextHop`: the route a packet from the VM takes to a destination
    /// (longest matching prefix among the active effective routes).
    func nextHop(_ request: JSONValue) throws(Refusal) -> JSONValue {
        let vmID = try field(request, "targetResourceId")
        let sourceAddress = try address(request, "sourceIPAddress")
        let destination = try address(request, "destinationIPAddress")
        let nic = try networkInterface(ofVM: vmID, address: sourceAddress, explicit: request["targetNicResourceId"]?.stringValue)
        let route = routes(of: nic)
            .filter { $0.active && $0.prefix.contains(destination) }
            .max { $0.prefix.length < $1.prefix.length }
        var answer = JSONObject()
        answer["nextHopType"] = .string(route?.nextHopType ?? "None")
        if let hopAddress = route?.nextHopAddress { answer["nextHopIpAddress"] = .string(hopAddress) }
        answer["routeTableId"] = .string(route?.routeTableID ?? "System Route")
        return .object(answer)
    }

    // MARK: Reading resources

    /// A network interface and what decides its traffic.
    struct Interface {
        var id: String
        var addresses: [IPv4Address]
        var subnetID: String?
        var securityGroupID: String?
        /// The address space of its virtual network.
        var addressSpace: [IPv4Prefix]
    }

    private func resource(_ id: String) -> JSONValue? { resources[SandboxARM.key(id)] }

    private func networkInterface(_ id: String) throws(Refusal) -> Interface {
        guard let nic = resource(id), nic["type"]?.stringValue?.lowercased() == "microsoft.network/networkinterfaces" else {
            throw Refusal(status: 404, code: "NotFound", message: "Network interface \(id) was not found.")
        }
        let configurations = nic["properties"]?["ipConfigurations"]?.arrayValue ?? []
        let subnetID = configurations.first?["properties"]?["subnet"]?["id"]?.stringValue
        return Interface(
            id: nic["id"]?.stringValue ?? id,
            addresses: configurations.compactMap { $0["properties"]?["privateIPAddress"]?.stringValue.flatMap(IPv4Address.init) },
            subnetID: subnetID,
            securityGroupID: nic["properties"]?["networkSecurityGroup"]?["id"]?.stringValue,
            addressSpace: subnetID.map(addressSpace(ofSubnet:)) ?? [])
    }

    /// The VM's interface with this address (or the one named), refused when the VM has none.
    private func networkInterface(ofVM vmID: String, address: IPv4Address, explicit: String?) throws(Refusal) -> Interface {
        guard let vm = resource(vmID), vm["type"]?.stringValue?.lowercased() == "microsoft.compute/virtualmachines" else {
            throw Refusal(status: 404, code: "NotFound", message: "Virtual machine \(vmID) was not found.")
        }
        let ids = (vm["properties"]?["networkProfile"]?["networkInterfaces"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        for id in ids where explicit.map({ SandboxARM.key($0) == SandboxARM.key(id) }) ?? true {
            let nic = try networkInterface(id)
            if nic.addresses.contains(address) { return nic }
        }
        throw Refusal(
            status: 400, code: "InvalidIPAddress",
            message:
                "\(address) is not an address of virtual machine \(vmID.split(separator: "/").last.map(String.init) ?? vmID)'s network interfaces."
        )
    }

    private func virtualNetwork(ofSubnet subnetID: String) -> JSONValue? {
        guard let range = subnetID.range(of: "/subnets/", options: .caseInsensitive) else { return nil }
        return resource(String(subnetID[..<range.lowerBound]))
    }

    private func subnet(_ subnetID: String) -> JSONValue? {
        virtualNetwork(ofSubnet: subnetID)?["properties"]?["subnets"]?.arrayValue?
            .first { SandboxARM.key($0["id"]?.stringValue ?? "") == SandboxARM.key(subnetID) }
    }

    private func addressSpace(ofSubnet subnetID: String) -> [IPv4Prefix] {
        (virtualNetwork(ofSubnet: subnetID)?["properties"]?["addressSpace"]?["addressPrefixes"]?.arrayValue ?? [])
            .compactMap { $0.stringValue.flatMap(IPv4Prefix.init) }
    }

    /// A security group in effect on an interface, and where it is attached.
    struct AppliedGroup {
        enum Attachment { case networkInterface, subnet(String) }
        var id: String
        var attachedTo: Attachment
        var rules: [SecurityRule]
    }

    /// The interface's own group first, then its subnet's.
    private func securityGroups(of nic: Interface) -> [AppliedGroup] {
        var groups: [AppliedGroup] = []
        if let id = nic.securityGroupID, let group = resource(id) {
            groups.append(AppliedGroup(id: id, attachedTo: .networkInterface, rules: SecurityRule.all(in: group)))
        }
        if let subnetID = nic.subnetID, let id = subnet(subnetID)?["properties"]?["networkSecurityGroup"]?["id"]?.stringValue,
            let group = resource(id)
        {
            groups.append(AppliedGroup(id: id, attachedTo: .subnet(subnetID), rules: SecurityRule.all(in: group)))
        }
        return groups
    }

    /// System routes (the virtual network's address space, the internet, and the private ranges
    /// Azure drops by default), then the user routes of the subnet's route table.
    private func routes(of nic: Interface) -> [Route] {
        var routes = nic.addressSpace.map { Route(source: "Default", name: nil, prefix: $0, nextHopType: "VnetLocal") }
        routes.append(Route(source: "Default", name: nil, prefix: IPv4Prefix("0.0.0.0/0")!, nextHopType: "Internet"))
        for prefix in IPv4Prefix.privateRanges {
            routes.append(Route(source: "Default", name: nil, prefix: prefix, nextHopType: "None"))
        }
        guard let subnetID = nic.subnetID, let tableID = subnet(subnetID)?["properties"]?["routeTable"]?["id"]?.stringValue,
            let table = resource(tableID)
        else { return routes }
        for route in table["properties"]?["routes"]?.arrayValue ?? [] {
            guard let prefix = route["properties"]?["addressPrefix"]?.stringValue.flatMap(IPv4Prefix.init) else { continue }
            // A user route replaces the system route for the same prefix.
            for index in routes.indices where routes[index].source == "Default" && routes[index].prefix == prefix {
                routes[index].active = false
            }
            routes.append(
                Route(
                    source: "User", name: route["name"]?.stringValue, prefix: prefix,
                    nextHopType: route["properties"]?["nextHopType"]?.stringValue ?? "None",
                    nextHopAddress: route["properties"]?["nextHopIpAddress"]?.stringValue, routeTableID: table["id"]?.stringValue ?? tableID
                ))
        }
        return routes
    }

    // MARK: Request fields

    private func field(_ request: JSONValue, _ name: String) throws(Refusal) -> String {
        guard let value = request[name]?.stringValue, !value.isEmpty else {
            throw Refusal(status: 400, code: "InvalidRequestFormat", message: "The request needs '\(name)'.")
        }
        return value
    }

    private func oneOf(_ request: JSONValue, _ name: String, _ allowed: [String]) throws(Refusal) -> String {
        let value = try field(request, name)
        guard let match = allowed.first(where: { $0.lowercased() == value.lowercased() }) else {
            throw Refusal(
                status: 400, code: "InvalidRequestFormat",
                message: "'\(name)' must be \(allowed.joined(separator: " or ")), not '\(value)'.")
        }
        return match
    }

    private func address(_ request: JSONValue, _ name: String) throws(Refusal) -> IPv4Address {
        let value = try field(request, name)
        guard let address = IPv4Address(value) else {
            throw Refusal(status: 400, code: "InvalidIPAddress", message: "'\(name)' must be an IPv4 address, not '\(value)'.")
        }
        return address
    }

    /// A port number, or `*` (any), as ipFlowVerify accepts for the local port.
    private func port(_ request: JSONValue, _ name: String) throws(Refusal) -> Int? {
        let value = request[name].flatMap { $0.stringValue ?? $0.numberValue.map { $0.description } } ?? ""
        if value == "*" { return nil }
        guard let port = Int(value), (0...65535).contains(port) else {
            throw Refusal(
                status: 400, code: "InvalidRequestFormat", message: "'\(name)' must be a port from 0 to 65535 or *, not '\(value)'.")
        }
        return port
    }
}

/// A flow to test against security rules; a nil port is any port.
struct Flow {
    var direction: String
    var protocolName: String
    var source: IPv4Address
    var sourcePort: Int?
    var destination: IPv4Address
    var destinationPort: Int?
}

/// One security rule, user or default.
struct SecurityRule {
    var name: String
    var isDefault: Bool
    var priority: Int
    var direction: String
    var access: String
    var protocolName: String
    var sourcePrefixes: [String]
    var sourcePorts: [String]
    var destinationPrefixes: [String]
    var destinationPorts: [String]

    /// `securityRules/NAME` or `defaultSecurityRules/NAME`, as ipFlowVerify names rules.
    var qualifiedName: String { (isDefault ? "defaultSecurityRules/" : "securityRules/") + name }

    static func all(in group: JSONValue) -> [SecurityRule] {
        let user = (group["properties"]?["securityRules"]?.arrayValue ?? []).compactMap { SecurityRule($0, isDefault: false) }
        let defaults = (group["properties"]?["defaultSecurityRules"]?.arrayValue ?? []).compactMap { SecurityRule($0, isDefault: true) }
        return user + defaults
    }

    init?(_ json: JSONValue, isDefault: Bool) {
        guard let name = json["name"]?.stringValue, let properties = json["properties"],
            let priority = properties["priority"]?.numberValue?.intValue
        else { return nil }
        func list(_ single: String, _ plural: String) -> [String] {
            let many = properties[plural]?.arrayValue?.compactMap(\.stringValue) ?? []
            return many.isEmpty ? [properties[single]?.stringValue ?? "*"] : many
        }
        self.name = name
        self.isDefault = isDefault
        self.priority = priority
        self.direction = properties["direction"]?.stringValue ?? "Inbound"
        self.access = properties["access"]?.stringValue ?? "Deny"
        self.protocolName = properties["protocol"]?.stringValue ?? "*"
        self.sourcePrefixes = list("sourceAddressPrefix", "sourceAddressPrefixes")
        self.sourcePorts = list("sourcePortRange", "sourcePortRanges")
        self.destinationPrefixes = list("destinationAddressPrefix", "destinationAddressPrefixes")
        self.destinationPorts = list("destinationPortRange", "destinationPortRanges")
    }

    func matches(_ flow: Flow, virtualNetwork: [IPv4Prefix]) -> Bool {
        guard direction.lowercased() == flow.direction.lowercased(),
            protocolName == "*" || protocolName.lowercased() == flow.protocolName.lowercased()
        else { return false }
        return Self.matches(flow.source, sourcePrefixes, virtualNetwork) && Self.matches(flow.sourcePort, sourcePorts)
            && Self.matches(flow.destination, destinationPrefixes, virtualNetwork) && Self.matches(flow.destinationPort, destinationPorts)
    }

    /// The prefixes a rule's address entry stands for (service tags expanded).
    static func expand(_ entry: String, virtualNetwork: [IPv4Prefix]) -> [IPv4Prefix] {
        switch entry.lowercased() {
        case "*", "internet": return [IPv4Prefix("0.0.0.0/0")!]
        case "virtualnetwork": return virtualNetwork
        case "azureloadbalancer": return [IPv4Prefix("168.63.129.16/32")!]
        default: return IPv4Prefix(entry).map { [$0] } ?? []
        }
    }

    private static func matches(_ address: IPv4Address, _ entries: [String], _ virtualNetwork: [IPv4Prefix]) -> Bool {
        entries.contains { entry in
            if entry.lowercased() == "internet" {
                // Outside the virtual network and the private ranges.
                let inside = virtualNetwork + IPv4Prefix.privateRanges
                return !inside.contains { $0.contains(address) }
            }
            return expand(entry, virtualNetwork: virtualNetwork).contains { $0.contains(address) }
        }
    }

    /// A nil port (any) matches only rules that cover every port.
    private static func matches(_ port: Int?, _ ranges: [String]) -> Bool {
        ranges.contains { range in
            guard let (low, high) = portRange(range) else { return false }
            guard let port else { return low == 0 && high == 65535 }
            return (low...high).contains(port)
        }
    }

    static func portRange(_ text: String) -> (Int, Int)? {
        if text == "*" { return (0, 65535) }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let low = Int(parts[0]), let high = Int(parts.last!), low <= high else { return nil }
        return (low, high)
    }

    /// The rule as `effectiveNetworkSecurityGroups` shows it: `*` written as Azure writes it
    /// (`0.0.0.0/0`, `0-65535`), ports as ranges, service tags with their expansion.
    func effectiveJSON(virtualNetwork: [IPv4Prefix]) -> JSONValue {
        func ports(_ ranges: [String]) -> [String] {
            ranges.map { range in Self.portRange(range).map { "\($0.0)-\($0.1)" } ?? range }
        }
        func prefixes(_ entries: [String]) -> [String] { entries.map { $0 == "*" ? "0.0.0.0/0" : $0 } }
        var object = JSONObject([
            "name": .string(qualifiedName),
            "protocol": .string(protocolName == "*" ? "All" : protocolName),
            "sourcePortRange": .string(ports(sourcePorts)[0]),
            "destinationPortRange": .string(ports(destinationPorts)[0]),
            "sourceAddressPrefix": .string(prefixes(sourcePrefixes)[0]),
            "destinationAddressPrefix": .string(prefixes(destinationPrefixes)[0]),
        ])
        for (key, entries) in [("expandedSourceAddressPrefix", sourcePrefixes), ("expandedDestinationAddressPrefix", destinationPrefixes)] {
            let tags = entries.filter { IPv4Prefix($0) == nil && $0 != "*" }
            if !tags.isEmpty {
                object[key] = .array(tags.flatMap { Self.expand($0, virtualNetwork: virtualNetwork) }.map { .string($0.description) })
            }
        }
        object["access"] = .string(access)
        object["priority"] = .number(JSONNumber(priority))
        object["direction"] = .string(direction)
        return .object(object)
    }
}

/// One effective route.
struct Route {
    var source: String
    var name: String?
    var prefix: IPv4Prefix
    var nextHopType: String
    var nextHopAddress: String?
    var routeTableID: String?
    var active = true

    init(source: String, name: String?, prefix: IPv4Prefix, nextHopType: String, nextHopAddress: String? = nil, routeTableID: String? = nil)
    {
        self.source = source
        self.name = name
        self.prefix = prefix
        self.nextHopType = nextHopType
        self.nextHopAddress = nextHopAddress
        self.routeTableID = routeTableID
    }

    var json: JSONValue {
        var object = JSONObject()
        if let name { object["name"] = .string(name) }
        object["source"] = .string(source)
        object["state"] = .string(active ? "Active" : "Invalid")
        object["addressPrefix"] = .array([.string(prefix.description)])
        object["nextHopIpAddress"] = .array(nextHopAddress.map { [.string($0)] } ?? [])
        object["nextHopType"] = .string(nextHopType)
        return .object(object)
    }
}

/// An IPv4 address, as a number.
struct IPv4Address: Equatable, CustomStringConvertible {
    var value: UInt32

    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0 >= "0" && $0 <= "9" }), let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.value = value
    }

    var description: String { "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)" }
}

/// An IPv4 prefix (`10.1.0.0/16`; a plain address is a /32).
struct IPv4Prefix: Equatable, CustomStringConvertible {
    var address: IPv4Address
    var length: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPv4Address(String(parts[0])) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : 32
        guard let length, (0...32).contains(length) else { return nil }
        self.address = address
        self.length = length
    }

    /// The ranges Azure does not route to the internet by default (RFC 1918 and shared address space).
    static let privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].compactMap(IPv4Prefix.init)

    private var mask: UInt32 { length == 0 ? 0 : UInt32.max << (32 - length) }

    func contains(_ other: IPv4Address) -> Bool { other.value & mask == address.value & mask }

    var description: String { "\(address)/\(length)" }
}
