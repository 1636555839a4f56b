/// The path a connectivity check finds, hop by hop, worked out from the network the way Azure's
/// connection troubleshoot reports it
/// (https://learn.microsoft.com/azure/network-watcher/network-watcher-connectivity-rest): the
/// source interface, each virtual appliance a route sends the traffic to, and the destination
/// (an interface in the virtual network or a peered one, the Internet, or where a route drops it).
/// Security groups are applied where traffic leaves and where it enters each interface.
public struct ConnectivityPath: Sendable, Equatable {
    /// One problem at a hop, as connectivity checks name them.
    public struct Issue: Sendable, Equatable {
        /// `Inbound`, `Outbound` or `Local`.
        public var origin: String
        /// `NetworkSecurityRule`, `UserDefinedRoute`, `GuestFirewall`, `DnsResolution`, `AgentStopped`, `Platform`.
        public var type: String
        /// `RuleName` or `RouteType`, with its value.
        public var context: [(key: String, value: String)]

        public init(origin: String, type: String, context: [(key: String, value: String)] = []) {
            self.origin = origin
            self.type = type
            self.context = context
        }

        public static func == (lhs: Issue, rhs: Issue) -> Bool {
            lhs.origin == rhs.origin && lhs.type == rhs.type
                && lhs.context.map { "\($0.key)=\($0.value)" } == rhs.context.map { "\($0.key)=\($0.value)" }
        }
    }

    /// One hop.
    public struct Hop: Sendable, Equatable {
        /// `Source`, `VirtualAppliance`, `VnetLocal`, `VNetPeering`, `Internet`, `Destination`, ...
        public var type: String
        public var address: String
        /// The IP configuration's ID, `Internet`, or `Unknown`.
        public var resourceID: String
        public var issues: [Issue]
    }

    public var hops: [Hop]
    /// Whether the probes get through.
    public var reachable: Bool
}

/// What a connectivity check asks.
public struct ConnectivityQuestion: Sendable, Equatable {
    /// What the check is sent to.
    public enum Destination: Sendable, Equatable {
        /// A virtual machine, by ID.
        case virtualMachine(String)
        /// An address or host name (`13.107.21.200`, `http://bing.com`).
        case address(String)
    }

    /// The source VM's ID.
    public var source: String
    public var sourcePort: Int?
    public var destination: Destination
    public var destinationPort: Int?
    public var transport: FlowProtocol

    public init(source: String, sourcePort: Int? = nil, destination: Destination, destinationPort: Int?, transport: FlowProtocol = .tcp) {
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationPort = destinationPort
        self.transport = transport
    }
}

extension LabNetwork {
    /// The longest path the lab follows before it calls the routes a loop.
    static let hopLimit = 30

    /// Walks a connectivity check. Throws when the source or destination VM is not there.
    public func walk(_ question: ConnectivityQuestion) throws(LabRefusal) -> ConnectivityPath {
        guard let vm = virtualMachines[Self.key(question.source)] else {
            throw LabRefusal(status: 404, code: "NotFound", message: "Resource \(question.source) not found.")
        }
        guard let nic = vm.networkInterfaces.first.flatMap({ networkInterfaces[$0] }), let configuration = nic.primaryConfiguration,
            let sourceAddress = configuration.address
        else {
            throw LabRefusal(
                status: 400, code: "InvalidRequestFormat",
                message: "Virtual machine \(vm.name) has no network interface with a private IP address to check from.")
        }
        var hops = [ConnectivityPath.Hop(type: "Source", address: sourceAddress.description, resourceID: configuration.id, issues: [])]
        // The check runs in the source VM's Network Watcher agent
        // (https://learn.microsoft.com/azure/network-watcher/connection-troubleshoot-overview).
        guard vm.hasWatcherAgent, vm.powerState.lowercased() == "powerstate/running" else {
            hops[0].issues.append(.init(origin: "Local", type: "AgentStopped"))
            return ConnectivityPath(hops: hops, reachable: false)
        }
        let target: IPv4Address
        var destinationVM: VirtualMachine?
        switch question.destination {
        case .virtualMachine(let id):
            guard let destination = virtualMachines[Self.key(id)] else {
                throw LabRefusal(status: 404, code: "NotFound", message: "Resource \(id) not found.")
            }
            guard let address = destination.networkInterfaces.first.flatMap({ networkInterfaces[$0] })?.primaryConfiguration?.address else {
                throw LabRefusal(
                    status: 400, code: "InvalidRequestFormat",
                    message: "Virtual machine \(destination.name) has no network interface with a private IP address to check to.")
            }
            target = address
            destinationVM = destination
        case .address(let text):
            let host = LabFacts.hostName(text)
            if let address = IPv4Address(host) {
                target = address
            } else if let address = facts.hosts[host.lowercased()]?.addresses.first {
                target = address
            } else {
                hops[0].issues.append(.init(origin: "Local", type: "DnsResolution"))
                return ConnectivityPath(hops: hops, reachable: false)
            }
        }
        let flow = { (direction: SecurityRule.Direction) in
            Flow(
                direction: direction, transport: question.transport, source: sourceAddress, sourcePort: question.sourcePort,
                destination: target, destinationPort: question.destinationPort)
        }
        var reachable = true
        var current = (nic: nic, configuration: configuration)
        var visited: Set<String> = [Self.key(nic.id)]
        while true {
            let here = hops.count - 1
            let leaving = evaluate(flow(.outbound), at: current.nic, configuration: current.configuration)
            if let denial = leaving.denial {
                hops[here].issues.append(Self.ruleIssue(origin: "Outbound", denial))
                reachable = false
            }
            guard let subnetKey = current.configuration.subnet, let subnet = subnets[subnetKey],
                let route = route(to: target, fromSubnet: subnetKey)
            else {
                hops.append(.init(type: "Destination", address: target.description, resourceID: "Unknown", issues: []))
                return ConnectivityPath(hops: hops, reachable: false)
            }
            switch route.nextHopType.lowercased() {
            case "internet":
                // A private address sent to the internet reaches nothing there.
                hops.append(.init(type: "Internet", address: target.description, resourceID: "Internet", issues: []))
                let isPrivate = IPv4Prefix.reservedRanges.contains { $0.contains(target) }
                return ConnectivityPath(hops: hops, reachable: reachable && !isPrivate)
            case "none":
                hops[here].issues.append(
                    .init(origin: "Outbound", type: "UserDefinedRoute", context: [("RouteType", route.source == .user ? "User" : "System")])
                )
                hops.append(.init(type: "Destination", address: target.description, resourceID: "Unknown", issues: []))
                return ConnectivityPath(hops: hops, reachable: false)
            case "vnetlocal", "vnetpeering", "virtualappliance":
                let nextAddress = route.nextHopType.lowercased() == "virtualappliance" ? route.nextHopAddress : target
                let network = virtualNetworks[subnet.virtualNetwork]
                let candidates = network.map { [$0] + connectedPeers(of: $0) } ?? []
                guard let nextAddress,
                    let (nextNIC, nextConfiguration) = candidates.lazy.compactMap({ self.holder(of: nextAddress, in: Self.key($0.id)) })
                        .first
                else {
                    hops.append(
                        .init(
                            type: route.nextHopType, address: (route.nextHopAddress ?? target).description, resourceID: "Unknown",
                            issues: []))
                    return ConnectivityPath(hops: hops, reachable: false)
                }
                hops.append(.init(type: route.nextHopType, address: nextAddress.description, resourceID: nextConfiguration.id, issues: []))
                // Across a peering: access must be on at both ends, and traffic from outside the
                // sending network's space (forwarded by an appliance there) needs the receiving
                // side to allow forwarded traffic
                // (https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#peering-settings).
                if let network, let arrival = self.virtualNetwork(of: nextConfiguration), Self.key(arrival.id) != Self.key(network.id) {
                    let outward = peering(from: network, to: arrival)
                    let inward = peering(from: arrival, to: network)
                    let forwarded = !network.prefixes.contains { $0.contains(sourceAddress) }
                    if outward?.allowVirtualNetworkAccess == false || inward?.allowVirtualNetworkAccess == false
                        || (forwarded && inward?.allowForwardedTraffic != true)
                    {
                        hops[hops.count - 1].issues.append(.init(origin: "Inbound", type: "Platform"))
                        return ConnectivityPath(hops: hops, reachable: false)
                    }
                }
                let entering = evaluate(flow(.inbound), at: nextNIC, configuration: nextConfiguration)
                if let denial = entering.denial {
                    hops[hops.count - 1].issues.append(Self.ruleIssue(origin: "Inbound", denial))
                    reachable = false
                }
                if nextAddress == target {
                    let vmKey = nextNIC.virtualMachine ?? destinationVM.map { Self.key($0.id) }
                    if let vmKey, let guest = facts.guests[vmKey], let port = question.destinationPort {
                        if guest.firewallBlockedPorts.contains(port) {
                            hops[hops.count - 1].issues.append(.init(origin: "Inbound", type: "GuestFirewall"))
                            reachable = false
                        } else if let listening = guest.listeningPorts, !listening.contains(port) {
                            reachable = false
                        }
                    }
                    if let vmKey, let machine = virtualMachines[vmKey], machine.powerState.lowercased() != "powerstate/running" {
                        reachable = false
                    }
                    return ConnectivityPath(hops: hops, reachable: reachable)
                }
                // An appliance forwards traffic that is not addressed to it only with IP forwarding
                // on (https://learn.microsoft.com/azure/virtual-network/virtual-network-network-interface#enable-or-disable-ip-forwarding).
                guard nextNIC.enableIPForwarding else {
                    hops[hops.count - 1].issues.append(.init(origin: "Inbound", type: "Platform"))
                    return ConnectivityPath(hops: hops, reachable: false)
                }
                guard visited.insert(Self.key(nextNIC.id)).inserted, hops.count < Self.hopLimit else {
                    hops[hops.count - 1].issues.append(
                        .init(origin: "Outbound", type: "UserDefinedRoute", context: [("RouteType", "User")]))
                    return ConnectivityPath(hops: hops, reachable: false)
                }
                current = (nextNIC, nextConfiguration)
            default:
                // A gateway or anything the lab does not model: the path ends there, unconfirmed.
                hops.append(.init(type: route.nextHopType, address: target.description, resourceID: "Unknown", issues: []))
                return ConnectivityPath(hops: hops, reachable: false)
            }
        }
    }

    static func ruleIssue(origin: String, _ decision: GroupDecision) -> ConnectivityPath.Issue {
        .init(origin: origin, type: "NetworkSecurityRule", context: [("RuleName", decision.rule.effectiveName)])
    }
}

/// Why a question cannot be answered: an ARM error code and message.
public struct LabRefusal: Error, Equatable, Sendable {
    public var status: Int
    public var code: String
    public var message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}
