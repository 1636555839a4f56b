import JSON

/// A network read from ARM resources, indexed for the questions Network Watcher answers: the
/// virtual networks with their subnets and peerings, security groups, route tables, network
/// interfaces and virtual machines. Resources are looked up by ID ignoring case, as ARM does.
///
/// Built from resources as ARM's GET returns them (a parent with its child collections inside:
/// a virtual network's `subnets`, a security group's `securityRules`); what cannot be read is
/// skipped here (the store validates what is written). Pure: no I/O, no clock.
public struct LabNetwork: Sendable {
    /// A virtual network.
    public struct VirtualNetwork: Sendable {
        public var id: String
        public var name: String
        public var prefixes: [IPv4Prefix]
        /// Subnet keys, in order.
        public var subnets: [String]
        public var peerings: [Peering]
    }

    /// A peering from one virtual network to another.
    public struct Peering: Sendable {
        public var id: String
        public var name: String
        /// The key of the remote virtual network.
        public var remote: String
        /// Whether this side accepts traffic the remote side forwards (from outside the remote
        /// network's own space; off by default, as in Azure).
        public var allowForwardedTraffic: Bool
        /// Whether traffic may flow to and from the remote network (on by default, as in Azure).
        public var allowVirtualNetworkAccess: Bool
    }

    /// A subnet.
    public struct Subnet: Sendable {
        public var id: String
        public var name: String
        /// The key of its virtual network.
        public var virtualNetwork: String
        /// The key of its security group, if any.
        public var securityGroup: String?
        /// The key of its route table, if any.
        public var routeTable: String?
    }

    /// A network security group with its rules, user rules first, then the default ones.
    public struct SecurityGroup: Sendable {
        public var id: String
        public var name: String
        /// User rules, by priority.
        public var rules: [SecurityRule]
        /// Azure's default rules, by priority.
        public var defaultRules: [SecurityRule]
    }

    /// A route table.
    public struct RouteTable: Sendable {
        public var id: String
        public var name: String
        public var routes: [UserRoute]
    }

    /// A route of a route table.
    public struct UserRoute: Sendable {
        public var name: String
        public var prefix: IPv4Prefix
        public var nextHopType: String
        public var nextHopAddress: IPv4Address?
    }

    /// A network interface.
    public struct NetworkInterface: Sendable {
        public var id: String
        public var name: String
        /// The key of the VM it is attached to, if any.
        public var virtualMachine: String?
        public var ipConfigurations: [IPConfiguration]
        public var enableIPForwarding: Bool
        /// The key of its own security group, if any.
        public var securityGroup: String?

        /// The primary IP configuration (else the first).
        public var primaryConfiguration: IPConfiguration? { ipConfigurations.first { $0.isPrimary } ?? ipConfigurations.first }
    }

    /// An IP configuration of a network interface.
    public struct IPConfiguration: Sendable {
        public var id: String
        public var name: String
        public var address: IPv4Address?
        /// The key of its subnet, if any.
        public var subnet: String?
        /// Keys of its application security groups.
        public var applicationSecurityGroups: Set<String>
        public var isPrimary: Bool
    }

    /// A virtual machine.
    public struct VirtualMachine: Sendable {
        public var id: String
        public var name: String
        /// Keys of its network interfaces, the primary first.
        public var networkInterfaces: [String]
        /// The `PowerState/...` code of its instance view (`PowerState/running` when not given).
        public var powerState: String
        /// Whether the Network Watcher agent extension is installed and provisioned (taken as
        /// installed when the VM's extensions were not recorded).
        public var hasWatcherAgent: Bool
    }

    public private(set) var virtualNetworks: [String: VirtualNetwork] = [:]
    public private(set) var subnets: [String: Subnet] = [:]
    public private(set) var securityGroups: [String: SecurityGroup] = [:]
    public private(set) var routeTables: [String: RouteTable] = [:]
    public private(set) var networkInterfaces: [String: NetworkInterface] = [:]
    public private(set) var virtualMachines: [String: VirtualMachine] = [:]
    /// What ARM does not hold: guests, name resolution.
    public var facts: LabFacts
    /// Private addresses per virtual network: which interface and configuration has each.
    private var addresses: [String: [IPv4Address: (networkInterface: String, configuration: Int)]] = [:]

    /// The key a resource ID is looked up by.
    @inlinable public static func key(_ id: String) -> String { id.lowercased() }

    /// Reads a network from resources as ARM returns them; unmodelled types are ignored.
    public init(resources: some Sequence<JSONValue>, facts: LabFacts = LabFacts()) {
        self.init(parents: resources, facts: facts) { parent, _, collection in
            collection == "extensions" ? parent["resources"]?.arrayValue : parent["properties"]?[collection]?.arrayValue
        }
    }

    /// Reads a network from resources kept apart from their children, as a store of ARM's
    /// resources keeps them, without composing each parent first (a lab holds a hundred thousand
    /// children). `children` gives a parent's children in one collection (`subnets`,
    /// `virtualNetworkPeerings`, `securityRules`, `defaultSecurityRules`, `routes`,
    /// `ipConfigurations`, or `extensions`, a VM's `resources`), given the parent and its key; nil
    /// when the parent records none (a VM whose extensions were not recorded).
    public init(
        parents: some Sequence<JSONValue>, facts: LabFacts = LabFacts(),
        children: (_ parent: JSONValue, _ key: String, _ collection: String) -> [JSONValue]?
    ) {
        self.facts = facts
        for resource in parents {
            guard let id = resource["id"]?.stringValue, let type = resource["type"]?.stringValue else { continue }
            let key = Self.key(id)
            func listed(_ collection: String) -> [JSONValue] { children(resource, key, collection) ?? [] }
            switch type.lowercased() {
            case "microsoft.network/virtualnetworks":
                readVirtualNetwork(resource, id: id, key: key, subnets: listed("subnets"), peerings: listed("virtualNetworkPeerings"))
            case "microsoft.network/networksecuritygroups":
                readSecurityGroup(resource, id: id, key: key, rules: listed("securityRules"), defaultRules: listed("defaultSecurityRules"))
            case "microsoft.network/routetables": readRouteTable(resource, id: id, key: key, routes: listed("routes"))
            case "microsoft.network/networkinterfaces":
                readNetworkInterface(resource, id: id, key: key, configurations: listed("ipConfigurations"))
            case "microsoft.compute/virtualmachines":
                readVirtualMachine(resource, id: id, key: key, extensions: children(resource, key, "extensions"))
            default: break
            }
        }
        indexAddresses()
    }

    /// Adds another network's resources to this one (the other's win where both hold one): a
    /// large network can be read in parts at once, then put together.
    public mutating func merge(_ other: LabNetwork) {
        virtualNetworks.merge(other.virtualNetworks) { $1 }
        subnets.merge(other.subnets) { $1 }
        securityGroups.merge(other.securityGroups) { $1 }
        routeTables.merge(other.routeTables) { $1 }
        networkInterfaces.merge(other.networkInterfaces) { $1 }
        virtualMachines.merge(other.virtualMachines) { $1 }
        // Which interface holds each address depends on interfaces and subnets only.
        if !other.networkInterfaces.isEmpty || !other.subnets.isEmpty { indexAddresses() }
    }

    /// Works out which interface and configuration holds each private address.
    private mutating func indexAddresses() {
        addresses = [:]
        for (key, nic) in networkInterfaces {
            for (index, configuration) in nic.ipConfigurations.enumerated() {
                guard let address = configuration.address, let subnet = configuration.subnet.flatMap({ subnets[$0] }) else { continue }
                addresses[subnet.virtualNetwork, default: [:]][address] = (key, index)
            }
        }
    }

    // MARK: Reading

    private static func name(_ resource: JSONValue, _ id: String) -> String {
        resource["name"]?.stringValue ?? String(id.split(separator: "/").last ?? "")
    }

    private static func reference(_ value: JSONValue?) -> String? { value?["id"]?.stringValue.map(key) }

    private mutating func readVirtualNetwork(
        _ resource: JSONValue, id: String, key: String, subnets subnetList: [JSONValue], peerings: [JSONValue]
    ) {
        let properties = resource["properties"]
        var network = VirtualNetwork(
            id: id, name: Self.name(resource, id),
            prefixes: (properties?["addressSpace"]?["addressPrefixes"]?.arrayValue ?? []).compactMap {
                $0.stringValue.flatMap(IPv4Prefix.init)
            },
            subnets: [], peerings: [])
        for subnet in subnetList {
            guard let subnetID = subnet["id"]?.stringValue else { continue }
            let subnetProperties = subnet["properties"]
            let subnetKey = Self.key(subnetID)
            subnets[subnetKey] = Subnet(
                id: subnetID, name: Self.name(subnet, subnetID), virtualNetwork: key,
                securityGroup: Self.reference(subnetProperties?["networkSecurityGroup"]),
                routeTable: Self.reference(subnetProperties?["routeTable"]))
            network.subnets.append(subnetKey)
        }
        for peering in peerings {
            guard let peeringID = peering["id"]?.stringValue, let remote = Self.reference(peering["properties"]?["remoteVirtualNetwork"])
            else { continue }
            network.peerings.append(
                Peering(
                    id: peeringID, name: Self.name(peering, peeringID), remote: remote,
                    allowForwardedTraffic: peering["properties"]?["allowForwardedTraffic"] == .bool(true),
                    allowVirtualNetworkAccess: peering["properties"]?["allowVirtualNetworkAccess"] != .bool(false)))
        }
        virtualNetworks[key] = network
    }

    private mutating func readSecurityGroup(_ resource: JSONValue, id: String, key: String, rules: [JSONValue], defaultRules: [JSONValue]) {
        let user = rules.compactMap { SecurityRule($0, isDefault: false) }
        let given = defaultRules.compactMap { SecurityRule($0, isDefault: true) }
        securityGroups[key] = SecurityGroup(
            id: id, name: Self.name(resource, id), rules: user.sorted { $0.priority < $1.priority },
            defaultRules: (given.isEmpty ? SecurityRule.defaults : given).sorted { $0.priority < $1.priority })
    }

    private mutating func readRouteTable(_ resource: JSONValue, id: String, key: String, routes routeList: [JSONValue]) {
        let routes = routeList.compactMap { route -> UserRoute? in
            let properties = route["properties"]
            guard let prefix = properties?["addressPrefix"]?.stringValue.flatMap(IPv4Prefix.init) else { return nil }
            return UserRoute(
                name: route["name"]?.stringValue ?? "", prefix: prefix, nextHopType: properties?["nextHopType"]?.stringValue ?? "None",
                nextHopAddress: properties?["nextHopIpAddress"]?.stringValue.flatMap(IPv4Address.init))
        }
        routeTables[key] = RouteTable(id: id, name: Self.name(resource, id), routes: routes)
    }

    private mutating func readNetworkInterface(
        _ resource: JSONValue, id: String, key: String, configurations configurationList: [JSONValue]
    ) {
        let properties = resource["properties"]
        let configurations = configurationList.enumerated().map { index, configuration in
            let configurationProperties = configuration["properties"]
            let configurationID = configuration["id"]?.stringValue ?? "\(id)/ipConfigurations/ipconfig\(index + 1)"
            return IPConfiguration(
                id: configurationID, name: Self.name(configuration, configurationID),
                address: configurationProperties?["privateIPAddress"]?.stringValue.flatMap(IPv4Address.init),
                subnet: Self.reference(configurationProperties?["subnet"]),
                applicationSecurityGroups: Set(
                    (configurationProperties?["applicationSecurityGroups"]?.arrayValue ?? []).compactMap { Self.reference($0) }),
                isPrimary: configurationProperties?["primary"] == .bool(true))
        }
        networkInterfaces[key] = NetworkInterface(
            id: id, name: Self.name(resource, id), virtualMachine: Self.reference(properties?["virtualMachine"]),
            ipConfigurations: configurations, enableIPForwarding: properties?["enableIPForwarding"] == .bool(true),
            securityGroup: Self.reference(properties?["networkSecurityGroup"]))
    }

    private mutating func readVirtualMachine(_ resource: JSONValue, id: String, key: String, extensions: [JSONValue]?) {
        let properties = resource["properties"]
        let references = properties?["networkProfile"]?["networkInterfaces"]?.arrayValue ?? []
        let primary = references.filter { $0["properties"]?["primary"] == .bool(true) }
        let ordered = primary + references.filter { $0["properties"]?["primary"] != .bool(true) }
        let statuses = properties?["instanceView"]?["statuses"]?.arrayValue ?? []
        let powerState = statuses.compactMap { $0["code"]?.stringValue }.first { $0.lowercased().hasPrefix("powerstate/") }
        // The agent is an extension of type NetworkWatcherAgentLinux/Windows (or, where only an ID
        // was recorded, one named like the portal names it, AzureNetworkWatcherExtension). A VM
        // whose extensions were not recorded at all is taken to have it.
        let agent =
            extensions.map { extensions in
                extensions.contains { ext in
                    let extensionProperties = ext["properties"]
                    let type = extensionProperties?["type"]?.stringValue?.lowercased() ?? ""
                    let name = (ext["name"]?.stringValue ?? ext["id"]?.stringValue?.split(separator: "/").last.map(String.init) ?? "")
                        .lowercased()
                    let state = extensionProperties?["provisioningState"]?.stringValue?.lowercased() ?? "succeeded"
                    return (type.hasPrefix("networkwatcheragent") || name.contains("networkwatcher")) && state == "succeeded"
                }
            } ?? true
        virtualMachines[key] = VirtualMachine(
            id: id, name: Self.name(resource, id), networkInterfaces: ordered.compactMap { Self.reference($0) },
            powerState: powerState ?? "PowerState/running",
            hasWatcherAgent: agent)
    }

    // MARK: Lookups

    /// The interface and configuration that hold a private address in a virtual network.
    public func holder(
        of address: IPv4Address, in virtualNetwork: String
    ) -> (networkInterface: NetworkInterface, configuration: IPConfiguration)? {
        guard let (key, index) = addresses[virtualNetwork]?[address], let nic = networkInterfaces[key] else { return nil }
        return (nic, nic.ipConfigurations[index])
    }

    /// The virtual network of an interface's configuration.
    public func virtualNetwork(of configuration: IPConfiguration) -> VirtualNetwork? {
        configuration.subnet.flatMap { subnets[$0] }.flatMap { virtualNetworks[$0.virtualNetwork] }
    }

    /// The virtual networks peered with this one, where both sides have a peering to the other
    /// (Azure's `Connected` state).
    public func connectedPeers(of network: VirtualNetwork) -> [VirtualNetwork] {
        let key = Self.key(network.id)
        return network.peerings.compactMap { peering in
            guard let remote = virtualNetworks[peering.remote], remote.peerings.contains(where: { $0.remote == key }) else { return nil }
            return remote
        }
    }

    /// The peering from one network to another, if there is one.
    public func peering(from network: VirtualNetwork, to remote: VirtualNetwork) -> Peering? {
        let key = Self.key(remote.id)
        return network.peerings.first { $0.remote == key }
    }

    /// The application security groups of whatever holds an address in the network or its peers.
    func applicationSecurityGroups(of address: IPv4Address, near network: VirtualNetwork) -> Set<String> {
        for candidate in [network] + connectedPeers(of: network) {
            if let (_, configuration) = holder(of: address, in: Self.key(candidate.id)) { return configuration.applicationSecurityGroups }
        }
        return []
    }
}
