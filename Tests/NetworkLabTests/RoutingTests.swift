import JSON
import NetworkLab
import Testing

/// Effective routes and route selection
/// (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview).
@Suite struct RoutingTests {
    /// The routes of a subnet as `source state prefix nextHopType [address] [name]` lines.
    static func table(_ lab: NetworkBuilder, vnet: String, subnet: String) -> [String] {
        lab.network.effectiveRoutes(ofSubnet: NetworkBuilder.subnet(vnet, subnet).lowercased()).map { route in
            ([route.source.rawValue, route.isActive ? "Active" : "Invalid", route.prefix.description, route.nextHopType]
                + [route.nextHopAddress?.description, route.name].compactMap { $0 }).joined(separator: " ")
        }
    }

    @Test("a virtual network's system routes: its space, the internet, and None for the reserved ranges")
    func systemRoutes() {
        var lab = NetworkBuilder()
        lab.vnet("v", ["10.1.0.0/16", "172.20.2.0/24"], subnets: [("s", "10.1.1.0/24", nsg: nil, routes: nil)])
        #expect(
            Self.table(lab, vnet: "v", subnet: "s") == [
                "Default Active 10.1.0.0/16 VnetLocal", "Default Active 172.20.2.0/24 VnetLocal", "Default Active 0.0.0.0/0 Internet",
                "Default Active 10.0.0.0/8 None", "Default Active 172.16.0.0/12 None", "Default Active 192.168.0.0/16 None",
                "Default Active 100.64.0.0/10 None",
            ])
    }

    @Test(
        "a space equal to a reserved range stands for it; one that includes it removes it (the page's two sentences)",
        arguments: [
            (
                "10.0.0.0/8",
                [
                    "Default Active 10.0.0.0/8 VnetLocal", "Default Active 0.0.0.0/0 Internet", "Default Active 172.16.0.0/12 None",
                    "Default Active 192.168.0.0/16 None", "Default Active 100.64.0.0/10 None",
                ]
            ),
            (
                "192.0.0.0/2",
                [
                    "Default Active 192.0.0.0/2 VnetLocal", "Default Active 0.0.0.0/0 Internet", "Default Active 10.0.0.0/8 None",
                    "Default Active 172.16.0.0/12 None", "Default Active 100.64.0.0/10 None",
                ]
            ),
        ])
    func reservedRangesInTheSpace(space: String, expected: [String]) {
        var lab = NetworkBuilder()
        lab.vnet("v", [space], subnets: [])
        lab.vnet("v", [space], subnets: [("s", String(space.prefix { $0 != "/" }) + "/24", nsg: nil, routes: nil)])
        #expect(Self.table(lab, vnet: "v", subnet: "s") == expected)
    }

    /// The page's routing example, Subnet1 (the gateway and service endpoint rows left out: the
    /// lab models neither): user routes make the system routes of the same prefix Invalid, and
    /// the 0.0.0.0/0 user route removes the None routes of 10/8, 192.168/16 and 100.64/10.
    @Test("the routing example of Azure's traffic routing page, Subnet1")
    func documentedRoutingExample() {
        var lab = NetworkBuilder()
        lab.routeTable(
            "Subnet1-RT",
            [
                "Within-VNet01 10.0.0.0/16 VirtualAppliance 10.0.100.4", "Within-Subnet1 10.0.0.0/24 VnetLocal",
                "ToVNet02-DropPackets 10.1.0.0/16 None", "ToVNet03-DropPackets 10.2.0.0/16 None",
                "To-On-Prem 10.10.0.0/16 VirtualAppliance 10.0.100.4", "Default-NVA 0.0.0.0/0 VirtualAppliance 10.0.100.4",
            ])
        lab.vnet(
            "VNet01", ["10.0.0.0/16"], subnets: [("Subnet1", "10.0.0.0/24", nsg: nil, routes: "Subnet1-RT")], peers: ["VNet02", "VNet03"])
        lab.vnet("VNet02", ["10.1.0.0/16"], peers: ["VNet01"])
        lab.vnet("VNet03", ["10.2.0.0/16"], peers: ["VNet01"])
        #expect(
            Self.table(lab, vnet: "VNet01", subnet: "Subnet1") == [
                "Default Invalid 10.0.0.0/16 VnetLocal", "Default Invalid 10.1.0.0/16 VNetPeering",
                "Default Invalid 10.2.0.0/16 VNetPeering",
                "Default Invalid 0.0.0.0/0 Internet", "Default Active 172.16.0.0/12 None",
                "User Active 10.0.0.0/16 VirtualAppliance 10.0.100.4 Within-VNet01", "User Active 10.0.0.0/24 VnetLocal Within-Subnet1",
                "User Active 10.1.0.0/16 None ToVNet02-DropPackets", "User Active 10.2.0.0/16 None ToVNet03-DropPackets",
                "User Active 10.10.0.0/16 VirtualAppliance 10.0.100.4 To-On-Prem",
                "User Active 0.0.0.0/0 VirtualAppliance 10.0.100.4 Default-NVA",
            ])
        // Longest prefix wins: the subnet itself stays local, the rest of the VNet goes to the NVA.
        func hop(_ address: String) -> String {
            let route = lab.network.route(to: IPv4Address(address)!, fromSubnet: NetworkBuilder.subnet("VNet01", "Subnet1").lowercased())
            return [route?.nextHopType, route?.name].compactMap { $0 }.joined(separator: " ")
        }
        #expect(hop("10.0.0.9") == "VnetLocal Within-Subnet1")
        #expect(hop("10.0.1.9") == "VirtualAppliance Within-VNet01")
        #expect(hop("10.1.3.3") == "None ToVNet02-DropPackets")
        #expect(hop("172.16.0.1") == "None")
        #expect(hop("8.8.8.8") == "VirtualAppliance Default-NVA")
    }

    @Test("a peering counts only when both sides have one (Connected)")
    func peeringNeedsBothSides() {
        var lab = NetworkBuilder()
        lab.vnet("a", ["10.1.0.0/16"], subnets: [("s", "10.1.1.0/24", nsg: nil, routes: nil)], peers: ["b"])
        lab.vnet("b", ["10.2.0.0/16"])
        #expect(!Self.table(lab, vnet: "a", subnet: "s").contains("Default Active 10.2.0.0/16 VNetPeering"))
        lab.vnet("b", ["10.2.0.0/16"], peers: ["a"])
        #expect(Self.table(lab, vnet: "a", subnet: "s").contains("Default Active 10.2.0.0/16 VNetPeering"))
    }

    @Test(
        "nextHop: the route table's ID for a user route, 'System Route' otherwise",
        arguments: [
            (
                "10.1.4.4",
                #"{"nextHopType":"VirtualAppliance","nextHopIpAddress":"10.1.2.4","routeTableId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt"}"#
            ),
            ("10.1.2.9", #"{"nextHopType":"VnetLocal","routeTableId":"System Route"}"#),
            (
                "13.107.21.200",
                #"{"nextHopType":"None","routeTableId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt"}"#
            ),
            ("8.8.8.8", #"{"nextHopType":"Internet","routeTableId":"System Route"}"#),
            ("192.168.1.1", #"{"nextHopType":"None","routeTableId":"System Route"}"#),
        ])
    func nextHop(destination: String, expected: String) throws {
        var lab = NetworkBuilder()
        lab.routeTable("rt", ["ToDb 10.1.4.0/24 VirtualAppliance 10.1.2.4", "Block 13.107.21.0/24 None"])
        lab.vnet("v", ["10.1.0.0/16"], subnets: [("app", "10.1.1.0/24", nsg: nil, routes: "rt")])
        lab.vm("App", "10.1.1.4", subnet: ("v", "app"))
        let answer = try lab.answers.nextHop(
            .object(
                JSONObject([
                    "targetResourceId": .string(NetworkBuilder.vm("App")), "sourceIPAddress": .string("10.1.1.4"),
                    "destinationIPAddress": .string(destination),
                ])))
        #expect(JSONFormatter.compact.format(answer) == expected)
    }
}
