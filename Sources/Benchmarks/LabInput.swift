/// A generated network for the lab's speed figures, as a JSON list of ARM resources (what
/// `--lab FILE` loads). Virtual network `i` is `10.(i/4).(64·(i%4)).0/18` with two subnets;
/// its first subnet has security group `i` (user rules of ports and prefixes, none matching
/// the checks' own flows but the last) and route table `i` (routes to drop, to the internet,
/// and one sending the second subnet through an appliance in the first); networks are peered in
/// pairs; every VM has one interface, the Network Watcher agent and, for the first of each
/// network, IP forwarding. Pure: the harness writes it to a file.
public struct LabInput: Sendable {
    public var virtualNetworks: Int
    public var machinesPerNetwork: Int
    public var rulesPerGroup: Int
    public var routesPerTable: Int

    public init(virtualNetworks: Int, machinesPerNetwork: Int = 10, rulesPerGroup: Int = 100, routesPerTable: Int = 50) {
        precondition(virtualNetworks >= 2 && virtualNetworks <= 1024, "1 to 1,024 networks fit 10.0.0.0/8 as /18s")
        precondition(machinesPerNetwork >= 2 && machinesPerNetwork <= 200, "2 to 200 VMs fit two /19 subnets")
        precondition(rulesPerGroup >= 1 && rulesPerGroup <= 1000 && routesPerTable >= 1 && routesPerTable <= 200)
        self.virtualNetworks = virtualNetworks
        self.machinesPerNetwork = machinesPerNetwork
        self.rulesPerGroup = rulesPerGroup
        self.routesPerTable = routesPerTable
    }

    static let group = "/subscriptions/\(BenchmarkInputs.subscription)/resourceGroups/LabBench"
    static let network = "\(group)/providers/Microsoft.Network"
    static let compute = "\(group)/providers/Microsoft.Compute"

    /// The `/18` of network `index`, as its first three octets' text and the third octet.
    static func space(_ index: Int) -> (prefix: String, third: Int) { ("10.\(index / 4)", 64 * (index % 4)) }

    /// Whether VM `machine` is in the back subnet: the appliance (VM 0), and the second half.
    func isBack(_ machine: Int) -> Bool { machine == 0 || machine > machinesPerNetwork / 2 }

    /// The address of VM `machine` of network `index`: the front subnet's from .4, the back's too.
    func address(network index: Int, machine: Int) -> String {
        let (prefix, third) = Self.space(index)
        let half = machinesPerNetwork / 2
        return isBack(machine) ? "\(prefix).\(third + 32).\(4 + (machine == 0 ? 0 : machine - half))" : "\(prefix).\(third).\(4 + machine)"
    }

    /// The ID of VM `machine` of network `index`.
    public func machineID(network index: Int, machine: Int) -> String { "\(Self.compute)/virtualMachines/vm-\(index)-\(machine)" }

    /// The watcher the checks go to.
    public static let watcher = "\(group)/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westus"

    /// How many resources of each kind, for the figure's label.
    public var description: String {
        "\(virtualNetworks) VNets, \(virtualNetworks * machinesPerNetwork) NICs and VMs, \(virtualNetworks) NSGs of \(rulesPerGroup) rules, \(virtualNetworks) route tables of \(routesPerTable) routes"
    }

    /// The resources, as one JSON array.
    public var json: String {
        var out = "[\n"
        out +=
            #"{"id": "\#(Self.group)", "name": "LabBench", "type": "Microsoft.Resources/resourceGroups", "location": "westus", "properties": {"provisioningState": "Succeeded"}},"#
            + "\n"
        out +=
            #"{"id": "\#(Self.watcher)", "name": "NetworkWatcher_westus", "type": "Microsoft.Network/networkWatchers", "location": "westus", "properties": {"provisioningState": "Succeeded"}}"#
        for index in 0..<virtualNetworks {
            out += ",\n" + securityGroup(index) + ",\n" + routeTable(index) + ",\n" + virtualNetwork(index)
            for machine in 0..<machinesPerNetwork { out += ",\n" + interface(index, machine) + ",\n" + virtualMachine(index, machine) }
        }
        return out + "\n]\n"
    }

    private func securityGroup(_ index: Int) -> String {
        let id = "\(Self.network)/networkSecurityGroups/nsg-\(index)"
        let rules = (0..<rulesPerGroup).map { rule -> String in
            // Ports 20000 and up and prefixes in 172.16/12, so the checks' flows pass them by; the
            // last allows everything inbound from the virtual network.
            let last = rule == rulesPerGroup - 1
            let port = last ? "*" : "\(20000 + rule)"
            let source = last ? "VirtualNetwork" : "172.16.\(rule % 256).0/24"
            let direction = rule % 2 == 0 ? "Inbound" : "Outbound"
            return
                #"{"name": "rule-\#(rule)", "id": "\#(id)/securityRules/rule-\#(rule)", "properties": {"priority": \#(100 + rule * 2), "direction": "\#(last ? "Inbound" : direction)", "access": "\#(last ? "Allow" : "Deny")", "protocol": "Tcp", "sourceAddressPrefix": "\#(source)", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "\#(port)"}}"#
        }
        return
            #"{"id": "\#(id)", "name": "nsg-\#(index)", "type": "Microsoft.Network/networkSecurityGroups", "location": "westus", "properties": {"securityRules": [\#(rules.joined(separator: ", "))]}}"#
    }

    private func routeTable(_ index: Int) -> String {
        let id = "\(Self.network)/routeTables/rt-\(index)"
        let (prefix, third) = Self.space(index)
        let appliance = address(network: index, machine: 0)
        var routes = [
            #"{"name": "via-appliance", "properties": {"addressPrefix": "\#(prefix).\#(third + 32).0/19", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "\#(appliance)"}}"#
        ]
        for route in 1..<routesPerTable {
            let kind = route % 3 == 0 ? #""nextHopType": "Internet""# : #""nextHopType": "None""#
            routes.append(#"{"name": "r-\#(route)", "properties": {"addressPrefix": "192.0.\#(route % 256).0/24", \#(kind)}}"#)
        }
        return
            #"{"id": "\#(id)", "name": "rt-\#(index)", "type": "Microsoft.Network/routeTables", "location": "westus", "properties": {"routes": [\#(routes.joined(separator: ", "))]}}"#
    }

    private func virtualNetwork(_ index: Int) -> String {
        let id = "\(Self.network)/virtualNetworks/vnet-\(index)"
        let (prefix, third) = Self.space(index)
        let peer = index % 2 == 0 ? index + 1 : index - 1
        let peering =
            peer < virtualNetworks
            ? #"{"name": "to-\#(peer)", "properties": {"remoteVirtualNetwork": {"id": "\#(Self.network)/virtualNetworks/vnet-\#(peer)"}}}"#
            : ""
        return
            #"{"id": "\#(id)", "name": "vnet-\#(index)", "type": "Microsoft.Network/virtualNetworks", "location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["\#(prefix).\#(third).0/18"]}, "subnets": [{"name": "front", "properties": {"addressPrefix": "\#(prefix).\#(third).0/19", "networkSecurityGroup": {"id": "\#(Self.network)/networkSecurityGroups/nsg-\#(index)"}, "routeTable": {"id": "\#(Self.network)/routeTables/rt-\#(index)"}}}, {"name": "back", "properties": {"addressPrefix": "\#(prefix).\#(third + 32).0/19"}}], "virtualNetworkPeerings": [\#(peering)]}}"#
    }

    private func interface(_ index: Int, _ machine: Int) -> String {
        let id = "\(Self.network)/networkInterfaces/nic-\(index)-\(machine)"
        let subnet = isBack(machine) ? "back" : "front"
        return
            #"{"id": "\#(id)", "name": "nic-\#(index)-\#(machine)", "type": "Microsoft.Network/networkInterfaces", "location": "westus", "properties": {"enableIPForwarding": \#(machine == 0), "ipConfigurations": [{"name": "ipconfig1", "id": "\#(id)/ipConfigurations/ipconfig1", "properties": {"privateIPAddress": "\#(address(network: index, machine: machine))", "privateIPAllocationMethod": "Static", "primary": true, "subnet": {"id": "\#(Self.network)/virtualNetworks/vnet-\#(index)/subnets/\#(subnet)"}}}], "virtualMachine": {"id": "\#(machineID(network: index, machine: machine))"}}}"#
    }

    private func virtualMachine(_ index: Int, _ machine: Int) -> String {
        let id = machineID(network: index, machine: machine)
        return
            #"{"id": "\#(id)", "name": "vm-\#(index)-\#(machine)", "type": "Microsoft.Compute/virtualMachines", "location": "westus", "properties": {"storageProfile": {"osDisk": {"osType": "Linux"}}, "networkProfile": {"networkInterfaces": [{"id": "\#(Self.network)/networkInterfaces/nic-\#(index)-\#(machine)"}]}}, "resources": [{"name": "AzureNetworkWatcherExtension", "id": "\#(id)/extensions/AzureNetworkWatcherExtension", "type": "Microsoft.Compute/virtualMachines/extensions", "location": "westus", "properties": {"publisher": "Microsoft.Azure.NetworkWatcher", "type": "NetworkWatcherAgentLinux", "typeHandlerVersion": "1.4", "provisioningState": "Succeeded"}}]}"#
    }

    /// The `i`th question's source and destination VMs: a VM of the front subnet to one of the
    /// back subnet (through the appliance) or to one of the peered network, in turn.
    public func flow(_ i: Int) -> (source: String, sourceAddress: String, destination: String, destinationAddress: String) {
        let index = (i * 7919) % virtualNetworks
        let half = machinesPerNetwork / 2
        let machine = 1 + i % half
        let peer = index % 2 == 0 ? min(index + 1, virtualNetworks - 1) : index - 1
        let back = half + 1 + i % max(1, machinesPerNetwork - half - 1)
        let (destinationNetwork, destinationMachine) = i % 2 == 0 ? (index, min(back, machinesPerNetwork - 1)) : (peer, 1 + i % half)
        return (
            machineID(network: index, machine: machine), address(network: index, machine: machine),
            machineID(network: destinationNetwork, machine: destinationMachine),
            address(network: destinationNetwork, machine: destinationMachine)
        )
    }
}
