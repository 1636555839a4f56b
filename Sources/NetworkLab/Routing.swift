import JSON

/// One route in effect on a subnet, as `effectiveRouteTable` lists it.
public struct EffectiveRoute: Sendable, Equatable {
    /// Where the route comes from.
    public enum Source: String, Sendable {
        /// A system route (Azure's `Default`).
        case system = "Default"
        /// A route of the subnet's route table.
        case user = "User"
    }

    public var source: Source
    /// The user route's name.
    public var name: String?
    public var prefix: IPv4Prefix
    /// `VnetLocal`, `VNetPeering`, `Internet`, `None`, `VirtualAppliance`, `VirtualNetworkGateway`.
    public var nextHopType: String
    public var nextHopAddress: IPv4Address?
    /// The ID of the route table that holds it (user routes).
    public var routeTable: String?
    /// False when a route of higher precedence for the same prefix replaces it (`Invalid`).
    public var isActive = true

    /// The route as `effectiveRouteTable` returns it.
    public var json: JSONValue {
        var object = JSONObject()
        if let name { object["name"] = .string(name) }
        object["disableBgpRoutePropagation"] = .bool(false)
        object["source"] = .string(source.rawValue)
        object["state"] = .string(isActive ? "Active" : "Invalid")
        object["addressPrefix"] = .array([.string(prefix.description)])
        object["nextHopIpAddress"] = .array(nextHopAddress.map { [.string($0.description)] } ?? [])
        object["nextHopType"] = .string(nextHopType)
        return .object(object)
    }
}

extension LabNetwork {
    /// The routes in effect on a subnet
    /// (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview):
    ///
    /// - system routes: each address range of the virtual network (`VnetLocal`), each range of a
    ///   virtual network peered with it in both directions (`VNetPeering`), `0.0.0.0/0` to the
    ///   `Internet`, and `None` for 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and 100.64.0.0/10,
    ///   except one the virtual network's space equals (its `VnetLocal` route stands for it) or
    ///   contains (Azure removes it);
    /// - the routes of the subnet's route table (`User`); a system route with the same prefix as a
    ///   user route is `Invalid`. A user route for `0.0.0.0/0` also removes the `None` routes of
    ///   10.0.0.0/8, 192.168.0.0/16 and 100.64.0.0/10, as the routing example of that page shows.
    public func effectiveRoutes(ofSubnet key: String) -> [EffectiveRoute] {
        guard let subnet = subnets[key], let network = virtualNetworks[subnet.virtualNetwork] else { return [] }
        var routes = network.prefixes.map { EffectiveRoute(source: .system, prefix: $0, nextHopType: "VnetLocal") }
        for peer in connectedPeers(of: network) {
            routes += peer.prefixes.map { EffectiveRoute(source: .system, prefix: $0, nextHopType: "VNetPeering") }
        }
        routes.append(EffectiveRoute(source: .system, prefix: .everything, nextHopType: "Internet"))
        for reserved in IPv4Prefix.reservedRanges where !network.prefixes.contains(where: { $0.normalized.contains(reserved) }) {
            routes.append(EffectiveRoute(source: .system, prefix: reserved, nextHopType: "None"))
        }
        guard let table = subnet.routeTable.flatMap({ routeTables[$0] }) else { return routes }
        if table.routes.contains(where: { $0.prefix.length == 0 }) {
            let removed = ["10.0.0.0/8", "192.168.0.0/16", "100.64.0.0/10"].map { IPv4Prefix($0)! }
            routes.removeAll { $0.source == .system && $0.nextHopType == "None" && removed.contains($0.prefix) }
        }
        for route in table.routes {
            for index in routes.indices where routes[index].source == .system && routes[index].prefix.normalized == route.prefix.normalized
            {
                routes[index].isActive = false
            }
            routes.append(
                EffectiveRoute(
                    source: .user, name: route.name, prefix: route.prefix, nextHopType: route.nextHopType,
                    nextHopAddress: route.nextHopAddress, routeTable: table.id))
        }
        return routes
    }

    /// The route a packet from the subnet to the address takes: the longest active prefix that
    /// contains it (a user route first when two are equally long).
    public func route(to address: IPv4Address, fromSubnet key: String) -> EffectiveRoute? {
        var best: EffectiveRoute?
        for route in effectiveRoutes(ofSubnet: key) where route.isActive && route.prefix.contains(address) {
            guard let current = best else {
                best = route
                continue
            }
            if route.prefix.length > current.prefix.length || (route.prefix.length == current.prefix.length && route.source == .user) {
                best = route
            }
        }
        return best
    }
}
