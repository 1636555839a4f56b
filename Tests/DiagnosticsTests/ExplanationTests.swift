import Testing

@testable import Diagnostics

@Suite struct ExplanationTests {
    static let nic = "/subscriptions/s/resourceGroups/ContosoRG/providers/Microsoft.Network/networkInterfaces"

    /// The page's first example: VM to VM, blocked by an NSG rule at the third hop.
    static let pageExample = ConnectivityResult(
        status: "Unreachable", probesSent: 100, probesFailed: 100,
        hops: [
            .init(type: "Source", id: "a", address: "10.1.1.4", resourceId: "\(nic)/appNic0/ipConfigurations/ipconfig1", nextHopIds: ["b"]),
            .init(
                type: "VirtualAppliance", id: "b", address: "10.1.2.4", resourceId: "\(nic)/fwNic/ipConfigurations/ipconfig1",
                nextHopIds: ["c"]),
            .init(
                type: "VirtualAppliance", id: "c", address: "10.1.3.4", resourceId: "\(nic)/auNic/ipConfigurations/ipconfig1",
                nextHopIds: ["d"],
                issues: [
                    .init(
                        origin: "Outbound", severity: "Error", type: "NetworkSecurityRule",
                        context: [(key: "RuleName", value: "UserRule_Port80")])
                ]),
            .init(type: "VnetLocal", id: "d", address: "10.1.4.4", resourceId: "\(nic)/dbNic0/ipConfigurations/ipconfig1"),
        ])

    @Test func aLinearPathIsExplainedInOrder() {
        #expect(
            Explanation(Self.pageExample).text == """
                Unreachable: the destination did not answer.
                100 of 100 probes failed.

                Path (✗ marks a hop with an issue):
                  1. Source 10.1.1.4 — network interface appNic0
                  2. VirtualAppliance 10.1.2.4 — network interface fwNic
                  3. VirtualAppliance 10.1.3.4 — network interface auNic ✗
                  4. VnetLocal 10.1.4.4 — network interface dbNic0

                Issues:
                  Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is denied by the network security rule UserRule_Port80.

                Next steps:
                  # the security rules in effect on network interface auNic, find UserRule_Port80
                  post /subscriptions/s/resourceGroups/ContosoRG/providers/Microsoft.Network/networkInterfaces/auNic/effectiveNetworkSecurityGroups?api-version=2024-05-01

                """)
    }

    @Test func branchesAreDrawnAsATreeWithRoundTripsAndTheJoinNamedOnce() {
        let result = ConnectivityResult(
            status: "Reachable", probesSent: 30, probesFailed: 0,
            hops: [
                .init(
                    type: "Source", id: "s", address: "10.0.0.4", nextHopIds: ["lb"],
                    links: [.init(nextHopId: "lb", roundTripTimeMin: 1, roundTripTimeAvg: 2, roundTripTimeMax: 3)]),
                .init(
                    type: "LoadBalancer", id: "lb", address: "10.0.1.10",
                    resourceId:
                        "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/loadBalancers/lb1/frontendIPConfigurations/fe",
                    nextHopIds: ["b1", "b2"], links: [.init(nextHopId: "b2", roundTripTimeAvg: 4)]),
                .init(type: "VirtualMachine", id: "b1", address: "10.0.2.4", nextHopIds: ["d"]),
                .init(
                    type: "VirtualMachine", id: "b2", address: "10.0.2.5", nextHopIds: ["d"],
                    issues: [.init(origin: "Inbound", severity: "Warning", type: "GuestFirewall")]),
                .init(type: "Destination", id: "d", address: "10.0.3.4"),
            ])
        #expect(
            Explanation(result).path == [
                "1. Source 10.0.0.4",
                "2. LoadBalancer 10.0.1.10 — load balancer lb1 (round trip min 1 ms, avg 2 ms, max 3 ms)",
                "├─ 3. VirtualMachine 10.0.2.4",
                "│  5. Destination 10.0.3.4",
                "└─ 4. VirtualMachine 10.0.2.5 ✗ (round trip avg 4 ms)",
                "   → 5. Destination (above)",
            ])
    }

    @Test func hopsNotLinkedFromTheSourceAreStillListed() {
        let result = ConnectivityResult(
            status: "Unknown",
            hops: [
                .init(type: "Source", id: "s", nextHopIds: []),
                .init(type: "Internet", id: "x", nextHopIds: ["s"]),
            ])
        #expect(Explanation(result).path == ["2. Internet", "1. Source"])
        let orphan = ConnectivityResult(
            status: "Unknown",
            hops: [.init(type: "Source", id: "s", nextHopIds: ["t"]), .init(type: "Destination", id: "t", nextHopIds: ["s"])])
        #expect(Explanation(orphan).path == ["1. Source", "2. Destination", "→ 1. Source (above)"])
    }

    @Test(arguments: [
        (
            "UserDefinedRoute", "\(nic)/appNic0/ipConfigurations/ipconfig1",
            Explanation.NextStep(
                why: "the routes in effect on network interface appNic0: which route sends the traffic where",
                command: "post \(nic)/appNic0/effectiveRouteTable?api-version=2024-05-01")
        ),
        (
            "AgentStopped", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm1",
            Explanation.NextStep(
                why: "the VM's extensions (NetworkWatcherAgent must be provisioned and running) and its state",
                command:
                    "get /subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm1/instanceView?api-version=2024-07-01"
            )
        ),
        (
            "DnsResolution", "\(nic)/appNic0",
            Explanation.NextStep(
                why: "the DNS servers network interface appNic0 uses (dnsSettings)", command: "get \(nic)/appNic0?api-version=2024-05-01")
        ),
        (
            "Platform", "\(nic)/appNic0",
            Explanation.NextStep(why: "the resource at hop 10.9.9.9", command: "get \(nic)/appNic0?api-version=2024-05-01")
        ),
    ])
    func nextStepsFillInTheResourceFromTheHop(type: String, resourceId: String, step: Explanation.NextStep) {
        let hop = ConnectivityResult.Hop(type: "Source", address: "10.9.9.9", resourceId: resourceId)
        #expect(Explanation.nextSteps(for: .init(type: type), at: hop) == [step])
    }

    @Test func tenThousandHopsExplainWithoutTrouble() {
        let hops = (0..<10_000).map { index in
            ConnectivityResult.Hop(
                type: index == 0 ? "Source" : "VirtualAppliance", id: "h\(index)", address: "10.0.\(index / 256 % 256).\(index % 256)",
                nextHopIds: index == 9_999 ? [] : ["h\(index + 1)"],
                issues: index == 5_000 ? [.init(origin: "Outbound", severity: "Error", type: "NetworkSecurityRule")] : [])
        }
        let explanation = Explanation(ConnectivityResult(status: "Unreachable", hops: hops))
        #expect(explanation.path.count == 10_000)
        #expect(explanation.path[5_000] == "5001. VirtualAppliance 10.0.19.136 ✗")
        #expect(
            explanation.findings == [
                "Error at hop 5001 (VirtualAppliance 10.0.19.136): outbound traffic is denied by the network security rule (not named)."
            ])
        // Two issues on one NIC suggest its effective rules once.
        var twice = Self.pageExample
        twice.hops[2].issues.append(
            .init(origin: "Inbound", severity: "Warning", type: "NetworkSecurityRule", context: [(key: "RuleName", value: "Other")]))
        #expect(Explanation(twice).findings.count == 2)
        #expect(Explanation(twice).nextSteps.count == 1)
    }

    static let watcher =
        "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus"
    static let vm = "/subscriptions/s/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"

    /// The rule blamed at a later hop is on that hop's interface, not the source VM's: the
    /// follow-up asks the watcher about that interface, for the check's own flow.
    @Test func withTheCheckKnownASecurityRuleAtALaterHopSuggestsTheDiagnosticOfThatInterface() {
        let context = CheckContext(
            watcher: Self.watcher,
            request: CheckRequest(
                source: Self.vm, destination: .resource("/subscriptions/s/x/providers/Microsoft.Compute/virtualMachines/Database0"),
                destinationPort: 80))
        #expect(
            Explanation(Self.pageExample, context: context).nextSteps.last
                == Explanation.NextStep(
                    why:
                        "which rule of each security group on network interface auNic decides TCP from 10.1.1.4 to 10.1.4.4 port 80 (outbound), and which of its fields matched",
                    command:
                        #"post \#(Self.watcher)/networkConfigurationDiagnostic?api-version=2024-05-01 '{"targetResourceId":"\#(Self.nic)/auNic","profiles":[{"direction":"Outbound","protocol":"TCP","source":"10.1.1.4","destination":"10.1.4.4","destinationPort":"80"}]}'"#
                ))
        // Without a port (the page's examples send port 0) or with Icmp, there is no flow to ask about.
        var noPort = context
        noPort.request.destinationPort = nil
        #expect(Explanation(Self.pageExample, context: noPort).nextSteps.count == 1)
        var icmp = context
        icmp.request.protocolName = "Icmp"
        #expect(Explanation(Self.pageExample, context: icmp).nextSteps.count == 1)
    }

    /// At the source hop the rule is on the VM's own interface: `ipFlowVerify` from the VM.
    @Test func withTheCheckKnownASecurityRuleAtTheSourceSuggestsIPFlowVerify() {
        var result = Self.pageExample
        let issue = result.hops[2].issues
        result.hops[2].issues = []
        result.hops[0].issues = issue
        let context = CheckContext(
            watcher: Self.watcher, request: CheckRequest(source: Self.vm, destination: .address("10.1.4.4"), destinationPort: 80))
        #expect(
            Explanation(result, context: context).nextSteps.last
                == Explanation.NextStep(
                    why: "whether the security rules let TCP from MultiTierApp0 (10.1.1.4) out to 10.1.4.4 port 80, and which rule decides",
                    command:
                        #"post \#(Self.watcher)/ipFlowVerify?api-version=2024-05-01 '{"targetResourceId":"\#(Self.vm)","direction":"Outbound","protocol":"TCP","localIPAddress":"10.1.1.4","localPort":"*","remoteIPAddress":"10.1.4.4","remotePort":"80"}'"#
                ))
    }

    @Test func withTheCheckKnownARouteSuggestsNextHop() {
        let result = ConnectivityResult(
            status: "Unreachable",
            hops: [
                .init(
                    type: "Source", id: "a", address: "10.1.1.4", resourceId: "\(Self.nic)/appNic0/ipConfigurations/ipconfig1",
                    nextHopIds: ["b"],
                    issues: [
                        .init(origin: "Outbound", severity: "Error", type: "UserDefinedRoute", context: [(key: "RouteType", value: "User")])
                    ]),
                .init(type: "Destination", id: "b", address: "13.107.21.200", resourceId: "Unknown"),
            ])
        // A host name as destination: the address comes from the hop the path ends at.
        let context = CheckContext(
            watcher: Self.watcher, request: CheckRequest(source: Self.vm, destination: .address("bing.example"), destinationPort: 80))
        #expect(
            Explanation(result, context: context).nextSteps.map(\.command) == [
                "post \(Self.nic)/appNic0/effectiveRouteTable?api-version=2024-05-01",
                #"post \#(Self.watcher)/nextHop?api-version=2024-05-01 '{"targetResourceId":"\#(Self.vm)","sourceIPAddress":"10.1.1.4","destinationIPAddress":"13.107.21.200"}'"#,
            ])
    }

    @Test func aQuoteInAnIDIsDoubledInTheSuggestedCommand() {
        #expect(Explanation.singleQuoted(.string("it's")) == #"'"it''s"'"#)
    }

    @Test func theSummaryShortensALongPath() {
        let hops = (0..<30).map {
            ConnectivityResult.Hop(type: "VirtualAppliance", id: "h\($0)", nextHopIds: $0 == 29 ? [] : ["h\($0 + 1)"])
        }
        let summary = Explanation(ConnectivityResult(status: "Reachable", probesSent: 5, probesFailed: 0, hops: hops)).summary(
            maxPathLines: 2)
        #expect(
            summary == """
                Reachable: the destination answered.
                0 of 5 probes failed.

                Path (✗ marks a hop with an issue):
                  1. VirtualAppliance
                  2. VirtualAppliance
                  … 28 more lines ('explain' draws the whole path)

                """)
    }

    /// Every hop type the service returns, and one it may add, drawn with its address and the
    /// resource named from its ID.
    @Test(arguments: [
        ("Source", "\(nic)/appNic0/ipConfigurations/ipconfig1", "1. Source 10.0.0.4 — network interface appNic0"),
        ("VirtualAppliance", "\(nic)/fwNic/ipConfigurations/ipconfig1", "1. VirtualAppliance 10.0.0.4 — network interface fwNic"),
        ("VnetLocal", "\(nic)/dbNic0/ipConfigurations/ipconfig1", "1. VnetLocal 10.0.0.4 — network interface dbNic0"),
        ("Internet", "Internet", "1. Internet 10.0.0.4"),
        ("Destination", "Unknown", "1. Destination 10.0.0.4"),
        (
            "VirtualNetworkGateway", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworkGateways/gw1",
            "1. VirtualNetworkGateway 10.0.0.4 — virtual network gateway gw1"
        ),
        (
            "LoadBalancer", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/loadBalancers/lb1/frontendIPConfigurations/fe",
            "1. LoadBalancer 10.0.0.4 — load balancer lb1"
        ),
        (
            "PrivateEndpoint", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/privateEndpoints/pe1",
            "1. PrivateEndpoint 10.0.0.4 — private endpoint pe1"
        ),
        (
            "AzureFirewall", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/azureFirewalls/fw",
            "1. AzureFirewall 10.0.0.4 — Azure Firewall fw"
        ),
        (
            "SomethingNew", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Widgets/gadgets/g1",
            "1. SomethingNew 10.0.0.4 — gadgets g1"
        ),
    ])
    func everyHopTypeIsDrawnWithItsResource(type: String, resourceId: String, line: String) {
        let result = ConnectivityResult(
            status: "Reachable", hops: [.init(type: type, id: "h", address: "10.0.0.4", resourceId: resourceId)])
        #expect(Explanation(result).path == [line])
    }
}
