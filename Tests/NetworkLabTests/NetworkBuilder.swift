import JSON
import NetworkLab

/// Builds ARM resources for engine tests, as ARM's GET returns them (children inside parents),
/// from short descriptions. Everything lives in subscription `s`, resource group `rg`.
struct NetworkBuilder {
    static let prefix = "/subscriptions/s/resourceGroups/rg/providers"
    private(set) var resources: [String: JSONValue] = [:]
    private var order: [String] = []

    static func id(_ type: String, _ name: String) -> String { "\(prefix)/\(type)/\(name)" }
    static func vnet(_ name: String) -> String { id("Microsoft.Network/virtualNetworks", name) }
    static func subnet(_ vnet: String, _ name: String) -> String { "\(Self.vnet(vnet))/subnets/\(name)" }
    static func nsg(_ name: String) -> String { id("Microsoft.Network/networkSecurityGroups", name) }
    static func routeTable(_ name: String) -> String { id("Microsoft.Network/routeTables", name) }
    static func nic(_ name: String) -> String { id("Microsoft.Network/networkInterfaces", name) }
    static func vm(_ name: String) -> String { id("Microsoft.Compute/virtualMachines", name) }
    static func asg(_ name: String) -> String { id("Microsoft.Network/applicationSecurityGroups", name) }

    var network: LabNetwork { LabNetwork(resources: order.compactMap { resources[$0] }, facts: facts) }
    var answers: NetworkWatcherAnswers { NetworkWatcherAnswers(network: network) }
    var facts = LabFacts()

    private mutating func put(_ id: String, _ value: JSONValue) {
        if resources[id] == nil { order.append(id) }
        resources[id] = value
    }

    private static func reference(_ id: String?) -> JSONValue? { id.map { .object(JSONObject(["id": .string($0)])) } }

    private static func object(_ members: [(String, JSONValue?)]) -> JSONValue {
        .object(JSONObject(members.compactMap { key, value in value.map { JSONObject.Member(key: key, value: $0) } }))
    }

    /// A virtual network; subnets are `(name, prefix, nsg, routeTable)`.
    mutating func vnet(
        _ name: String, _ prefixes: [String], subnets: [(String, String, nsg: String?, routes: String?)] = [], peers: [String] = [],
        forwardedFrom: Set<String> = [], noAccessTo: Set<String> = []
    ) {
        let id = Self.vnet(name)
        put(
            id,
            Self.object([
                ("id", .string(id)), ("name", .string(name)), ("type", .string("Microsoft.Network/virtualNetworks")),
                (
                    "properties",
                    Self.object([
                        ("addressSpace", .object(JSONObject(["addressPrefixes": .array(prefixes.map(JSONValue.string))]))),
                        (
                            "subnets",
                            .array(
                                subnets.map { subnet in
                                    Self.object([
                                        ("id", .string("\(id)/subnets/\(subnet.0)")), ("name", .string(subnet.0)),
                                        (
                                            "properties",
                                            Self.object([
                                                ("addressPrefix", .string(subnet.1)),
                                                ("networkSecurityGroup", Self.reference(subnet.nsg.map(Self.nsg))),
                                                ("routeTable", Self.reference(subnet.routes.map(Self.routeTable))),
                                            ])
                                        ),
                                    ])
                                })
                        ),
                        (
                            "virtualNetworkPeerings",
                            .array(
                                peers.map { peer in
                                    Self.object([
                                        ("id", .string("\(id)/virtualNetworkPeerings/to-\(peer)")), ("name", .string("to-\(peer)")),
                                        (
                                            "properties",
                                            Self.object([
                                                ("remoteVirtualNetwork", Self.reference(Self.vnet(peer))),
                                                ("allowForwardedTraffic", forwardedFrom.contains(peer) ? .bool(true) : nil),
                                                ("allowVirtualNetworkAccess", noAccessTo.contains(peer) ? .bool(false) : nil),
                                            ])
                                        ),
                                    ])
                                })
                        ),
                    ])
                ),
            ]))
    }

    /// A security rule: `"Name 100 Outbound Deny Tcp * * 10.1.4.0/24 80"` (name, priority,
    /// direction, access, protocol, source, source ports, destination, destination ports; lists
    /// are comma-separated; `asg:NAME` names an application security group).
    static func rule(_ text: String) -> JSONValue {
        let f = text.split(separator: " ").map(String.init)
        func addresses(_ field: String, _ single: String, _ plural: String, _ groups: String) -> [(String, JSONValue?)] {
            let entries = field.split(separator: ",").map(String.init)
            let asgs = entries.filter { $0.hasPrefix("asg:") }.map { asg(String($0.dropFirst(4))) }
            let plain = entries.filter { !$0.hasPrefix("asg:") }
            return [
                (
                    plain.count == 1 ? single : plural,
                    plain.isEmpty ? nil : plain.count == 1 ? .string(plain[0]) : .array(plain.map(JSONValue.string))
                ),
                (groups, asgs.isEmpty ? nil : .array(asgs.map { .object(JSONObject(["id": .string($0)])) })),
            ]
        }
        func ports(_ field: String, _ single: String, _ plural: String) -> (String, JSONValue) {
            let entries = field.split(separator: ",").map(String.init)
            return entries.count == 1 ? (single, .string(entries[0])) : (plural, .array(entries.map(JSONValue.string)))
        }
        return object([
            ("name", .string(f[0])),
            (
                "properties",
                object(
                    [
                        ("priority", .number(JSONNumber(Int(f[1])!))), ("direction", .string(f[2])), ("access", .string(f[3])),
                        ("protocol", .string(f[4])),
                    ] + addresses(f[5], "sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups")
                        + [ports(f[6], "sourcePortRange", "sourcePortRanges")]
                        + addresses(f[7], "destinationAddressPrefix", "destinationAddressPrefixes", "destinationApplicationSecurityGroups")
                        + [ports(f[8], "destinationPortRange", "destinationPortRanges")])
            ),
        ])
    }

    mutating func nsg(_ name: String, _ rules: [String] = []) {
        let id = Self.nsg(name)
        put(
            id,
            Self.object([
                ("id", .string(id)), ("name", .string(name)), ("type", .string("Microsoft.Network/networkSecurityGroups")),
                ("properties", Self.object([("securityRules", .array(rules.map(Self.rule)))])),
            ]))
    }

    /// A route table; routes are `"Name prefix NextHopType [address]"`.
    mutating func routeTable(_ name: String, _ routes: [String]) {
        let id = Self.routeTable(name)
        put(
            id,
            Self.object([
                ("id", .string(id)), ("name", .string(name)), ("type", .string("Microsoft.Network/routeTables")),
                (
                    "properties",
                    Self.object([
                        (
                            "routes",
                            .array(
                                routes.map { text in
                                    let f = text.split(separator: " ").map(String.init)
                                    return Self.object([
                                        ("name", .string(f[0])),
                                        (
                                            "properties",
                                            Self.object([
                                                ("addressPrefix", .string(f[1])), ("nextHopType", .string(f[2])),
                                                ("nextHopIpAddress", f.count > 3 ? .string(f[3]) : nil),
                                            ])
                                        ),
                                    ])
                                })
                        )
                    ])
                ),
            ]))
    }

    /// A VM with one interface of the same name plus `Nic`, at an address in a subnet.
    mutating func vm(
        _ name: String, _ address: String, subnet: (vnet: String, name: String), nsg: String? = nil, forwarding: Bool = false,
        asgs: [String] = [], agent: Bool? = true, powerState: String = "PowerState/running"
    ) {
        let nicID = Self.nic(name + "Nic")
        let vmID = Self.vm(name)
        put(
            nicID,
            Self.object([
                ("id", .string(nicID)), ("name", .string(name + "Nic")), ("type", .string("Microsoft.Network/networkInterfaces")),
                (
                    "properties",
                    Self.object([
                        (
                            "ipConfigurations",
                            .array([
                                Self.object([
                                    ("id", .string("\(nicID)/ipConfigurations/ipconfig1")), ("name", .string("ipconfig1")),
                                    (
                                        "properties",
                                        Self.object([
                                            ("privateIPAddress", .string(address)),
                                            ("subnet", Self.reference(Self.subnet(subnet.vnet, subnet.name))),
                                            ("primary", .bool(true)),
                                            (
                                                "applicationSecurityGroups",
                                                asgs.isEmpty ? nil : .array(asgs.map { Self.reference(Self.asg($0))! })
                                            ),
                                        ])
                                    ),
                                ])
                            ])
                        ),
                        ("enableIPForwarding", .bool(forwarding)),
                        ("networkSecurityGroup", Self.reference(nsg.map(Self.nsg))),
                        ("virtualMachine", Self.reference(vmID)),
                    ])
                ),
            ]))
        put(
            vmID,
            Self.object([
                ("id", .string(vmID)), ("name", .string(name)), ("type", .string("Microsoft.Compute/virtualMachines")),
                (
                    "properties",
                    Self.object([
                        ("networkProfile", .object(JSONObject(["networkInterfaces": .array([Self.reference(nicID)!])]))),
                        (
                            "instanceView",
                            .object(JSONObject(["statuses": .array([.object(JSONObject(["code": .string(powerState)]))])]))
                        ),
                    ])
                ),
                (
                    "resources",
                    agent.map { agent in
                        .array(
                            agent
                                ? [
                                    Self.object([
                                        ("name", .string("AzureNetworkWatcherExtension")),
                                        ("properties", Self.object([("type", .string("NetworkWatcherAgentLinux"))])),
                                    ])
                                ] : [])
                    }
                ),
            ]))
    }
}
