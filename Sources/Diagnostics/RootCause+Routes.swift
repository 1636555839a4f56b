import HTTPCore
import JSON

extension RootCauseInvestigation {
    /// A route: the hop's `effectiveRouteTable` says which route applies to the destination and
    /// which system route it overrides. The route table is named by `nextHop` from the check's
    /// source, or else found from the interface's subnet.
    func analyzeRoute(_ issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        guard let (nic, context, flow) = interfaceAndFlow(at: hop, toLookUp: "its routes", into: &analysis) else { return }
        let routes = FollowUp(
            method: "POST", target: Self.api("\(nic)/effectiveRouteTable"),
            purpose: "the routes in effect on network interface \(Self.name(nic))")
        var routeTable: String?
        if hop.type.lowercased() == "source", let vm = context.request.source {
            let nextHop = FollowUp(
                method: "POST", target: Self.api("\(context.watcher)/nextHop"),
                body: .object(
                    JSONObject([
                        "targetResourceId": .string(vm), "sourceIPAddress": .string(flow.local),
                        "destinationIPAddress": .string(flow.remote),
                    ])), purpose: "where \(Self.name(vm)) sends packets for \(flow.remote)")
            let answer = ask(nextHop, for: &analysis)
            routeTable = answer?["routeTableId"]?.stringValue.flatMap { $0.hasPrefix("/") ? $0 : nil }
        }
        guard let table = ask(routes, for: &analysis)?["value"]?.arrayValue, analysis.needs.isEmpty else { return }
        guard let destination = IPv4Text(flow.remote) else {
            analysis.cause.append("The destination \(flow.remote) is not an IPv4 address; its route cannot be picked.")
            return
        }
        let candidates = table.flatMap(EffectiveRoute.entries).filter { $0.contains(destination) }
        guard let active = candidates.filter(\.isActive).max(by: { $0.length < $1.length }) else {
            analysis.cause.append(
                "No route in effect on network interface \(Self.name(nic)) covers \(flow.remote): the traffic is dropped.")
            return
        }
        let traffic = "traffic from network interface \(Self.name(nic)) to \(flow.remote)"
        let what: String
        switch active.nextHopType.lowercased() {
        case "none": what = "drops \(traffic)"
        case "virtualappliance": what = "sends \(traffic) to the appliance at \(active.nextHopAddress ?? "(no address)")"
        default: what = "sends \(traffic) to \(active.nextHopType)" + (active.nextHopAddress.map { " at \($0)" } ?? "")
        }
        let hopWords = "next hop \(active.nextHopType)" + (active.nextHopAddress.map { " \($0)" } ?? "")
        guard active.source.lowercased() == "user" else {
            analysis.cause.append(
                "No user route applies: the \(active.origin) route for \(active.prefix) (\(hopWords)) \(what). A route table on the subnet with a route for \(flow.remote) would change that."
            )
            return
        }
        // The route table: from nextHop, else from the interface's subnet.
        if routeTable == nil {
            let interface = ask(
                FollowUp(method: "GET", target: Self.api(nic), purpose: "network interface \(Self.name(nic))"), for: &analysis)
            if let subnet = interface?["properties"]?["ipConfigurations"]?.arrayValue?.first?["properties"]?["subnet"]?["id"]?.stringValue {
                let answer = ask(
                    FollowUp(method: "GET", target: Self.api(subnet), purpose: "subnet \(subnet.split(separator: "/").last ?? "")"),
                    for: &analysis)
                routeTable = answer?["properties"]?["routeTable"]?["id"]?.stringValue
            }
            guard analysis.needs.isEmpty else { return }
        }
        let place = routeTable.map { "route table \(Self.name($0))" } ?? "the subnet's route table"
        let name = active.name ?? "(its name is not in the effective routes)"
        analysis.cause.append("Route \(name) of \(place) (\(active.prefix), \(hopWords)) \(what).")
        if active.nextHopType.lowercased() == "virtualappliance", let address = active.nextHopAddress {
            appliance(at: address, near: nic, into: &analysis)
        }
        let replaced = candidates.filter { !$0.isActive && $0.source.lowercased() != "user" && $0.prefix == active.prefix }
        if let system = replaced.first {
            analysis.cause.append("It makes the \(system.origin) route for \(system.prefix) (next hop \(system.nextHopType)) Invalid.")
        }
        // Without it: the longest prefix among the other routes in effect, and the ones it replaced.
        // Every prefix of the same route is the route (a route for a service tag lists many).
        func isActiveRoute(_ route: EffectiveRoute) -> Bool {
            route == active || (active.name != nil && route.name == active.name && route.source == active.source)
        }
        let others = candidates.filter { route in
            !isActiveRoute(route) && (route.isActive || (route.prefix == active.prefix && route.source.lowercased() != "user"))
        }
        let fallback = others.max { $0.length < $1.length }
        if let fallback {
            let kind = fallback.source.lowercased() == "user" ? "user route \(fallback.name ?? "")" : "\(fallback.origin) route"
            analysis.cause.append(
                "Without it, the \(kind) for \(fallback.prefix) would apply: next hop \(fallback.nextHopType)"
                    + (fallback.nextHopAddress.map { " \($0)" } ?? "")
                    + (fallback.nextHopType.lowercased() == "none" ? ", which drops the traffic too." : "."))
        } else {
            analysis.cause.append("Without it, no route covers \(flow.remote): the traffic would be dropped.")
        }
        guard let routeTable, let routeName = active.name else { return }
        analysis.fixes.append(
            Explanation.NextStep(
                why: "remove the route \(routeName), if nothing else needs it",
                command: "delete \(Self.api("\(routeTable)/routes/\(routeName)"))"))
        // Keeping the route and sending the traffic where a system route would: only where that is
        // not another user route (removing this one already gives that).
        let prefixes = table.flatMap(EffectiveRoute.entries).filter(isActiveRoute).count
        if let fallback, fallback.source.lowercased() != "user", prefixes == 1,
            ["vnetlocal", "internet", "virtualnetworkgateway"].contains(fallback.nextHopType.lowercased())
        {
            let body = JSONObject([
                "properties": .object(JSONObject(["addressPrefix": .string(active.prefix), "nextHopType": .string(fallback.nextHopType)]))
            ])
            analysis.fixes.append(
                Explanation.NextStep(
                    why: "or keep the route and send the traffic where the system would (\(fallback.nextHopType))",
                    command: "put \(Self.api("\(routeTable)/routes/\(routeName)")) \(Explanation.singleQuoted(.object(body)))"))
        }
    }

    /// The appliance a route sends traffic to: the subscription's interface that holds the address,
    /// and whether it forwards (IP forwarding on,
    /// https://learn.microsoft.com/azure/virtual-network/virtual-network-network-interface#enable-or-disable-ip-forwarding).
    func appliance(at address: String, near nic: String, into analysis: inout Analysis) {
        let segments = nic.split(separator: "/")
        guard segments.count > 1 else { return }
        let asked = FollowUp(
            method: "GET", target: Self.api("/subscriptions/\(segments[1])/providers/Microsoft.Network/networkInterfaces"),
            purpose: "the network interfaces of the subscription, for the appliance at \(address)")
        guard let list = ask(asked, for: &analysis) else { return }
        let holder = (list["value"]?.arrayValue ?? []).first { interface in
            (interface["properties"]?["ipConfigurations"]?.arrayValue ?? []).contains {
                $0["properties"]?["privateIPAddress"]?.stringValue == address
            }
        }
        guard let holder, let id = holder["id"]?.stringValue else {
            analysis.cause.append(
                "No network interface of the subscription has the address \(address): the route sends the traffic to an address nothing there holds."
            )
            return
        }
        if holder["properties"]?["enableIPForwarding"] == .bool(true) {
            analysis.cause.append("The appliance at \(address) is network interface \(Self.name(id)), with IP forwarding on.")
        } else {
            analysis.cause.append(
                "The appliance at \(address) is network interface \(Self.name(id)), which has IP forwarding off: Azure drops what reaches it for other addresses."
            )
            if let fix = Self.forwardingOn(holder, nic: id) { analysis.fixes.append(fix) }
        }
    }

    /// A route as `effectiveRouteTable` lists it: one entry per address prefix (an entry can hold
    /// several, as a virtual network with several address spaces or a BGP route does).
    struct EffectiveRoute: Equatable {
        var name: String?
        var source: String
        var isActive: Bool
        var prefix: String
        var network: UInt32
        var length: Int
        var nextHopType: String
        var nextHopAddress: String?

        static func entries(_ json: JSONValue) -> [EffectiveRoute] {
            let prefixes =
                json["addressPrefix"]?.arrayValue?.compactMap(\.stringValue) ?? json["addressPrefix"]?.stringValue.map { [$0] } ?? []
            return prefixes.compactMap { EffectiveRoute(json, prefix: $0) }
        }

        init?(_ json: JSONValue, prefix: String) {
            guard let slash = prefix.firstIndex(of: "/"), let address = IPv4Text(String(prefix[..<slash])),
                let length = Int(prefix[prefix.index(after: slash)...]), (0...32).contains(length)
            else { return nil }
            self.prefix = prefix
            self.length = length
            network = length == 0 ? 0 : address.value & ~UInt32(0) << (32 - length)
            name = json["name"]?.stringValue
            source = json["source"]?.stringValue ?? "Default"
            isActive = json["state"]?.stringValue?.lowercased() != "invalid"
            nextHopType = json["nextHopType"]?.stringValue ?? "None"
            nextHopAddress = json["nextHopIpAddress"]?.arrayValue?.first?.stringValue ?? json["nextHopIpAddress"]?.stringValue
        }

        func contains(_ address: IPv4Text) -> Bool {
            length == 0 || address.value & ~UInt32(0) << (32 - length) == network
        }

        /// Where the route comes from, in words: `Default` is a system route, `VirtualNetworkGateway`
        /// one a gateway learned (BGP).
        var origin: String {
            switch source.lowercased() {
            case "default": "system"
            case "user": "user"
            case "virtualnetworkgateway": "gateway (BGP)"
            default: source
            }
        }
    }

    /// A dotted IPv4 address as a number.
    struct IPv4Text {
        var value: UInt32

        init?(_ text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var value: UInt32 = 0
            for part in parts {
                guard let byte = UInt8(part) else { return nil }
                value = value << 8 | UInt32(byte)
            }
            self.value = value
        }
    }
}
