import Diagnostics
import JSON
import Testing

@Suite struct NarrationTests {
    static let hop = ConnectivityResult.Hop(
        type: "VirtualAppliance", address: "10.1.3.4",
        resourceId:
            "/subscriptions/s/resourceGroups/ContosoRG/providers/Microsoft.Network/networkInterfaces/auNic/ipConfigurations/ipconfig1")

    @Test(arguments: [
        ("Reachable", "Reachable: the destination answered."),
        ("Connected", "Reachable: the destination answered."),
        ("Unreachable", "Unreachable: the destination did not answer."),
        ("Disconnected", "Unreachable: the destination did not answer."),
        ("Degraded", "Degraded: the destination answered, but some probes failed or were slow."),
        ("Unknown", "Unknown: Network Watcher could not tell whether the destination is reachable."),
        ("Sideways", "Status \"Sideways\": not a status nwsh knows; the hops below say what Network Watcher found."),
    ])
    func everyStatusWordReadsAsAVerdict(status: String, sentence: String) {
        #expect(Narration.verdict(status) == sentence)
    }

    @Test(
        arguments: [
            (
                "NetworkSecurityRule", "Outbound", "Error", [("RuleName", "UserRule_Port80")],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is denied by the network security rule UserRule_Port80."
            ),
            (
                "UserDefinedRoute", "Outbound", "Error", [("RouteType", "User")],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is dropped by a user-defined route (route type User)."
            ),
            (
                "UserDefinedRoute", "Outbound", "Error", [("RouteType", "System")],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is dropped by a system route (route type System)."
            ),
            (
                "UserDefinedRoute", "Outbound", "Error", [],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is dropped by a route (user-defined or system: the issue does not say which)."
            ),
            (
                "UserDefinedRoute", "Outbound", "Error", [("RouteType", "Gateway")],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is dropped by a route of type Gateway."
            ),
            (
                "GuestFirewall", "Inbound", "Error", [],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): the firewall inside the VM's operating system blocks inbound traffic."
            ),
            (
                "DnsResolution", "Local", "Error", [],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): the destination's name could not be resolved by DNS."
            ),
            (
                "SocketBind", "Local", "Warning", [],
                "Warning at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): the VM could not bind the source port for traffic at the hop itself (in use, or not allowed)."
            ),
            (
                "PortThrottled", "Outbound", "Warning", [],
                "Warning at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is throttled: too many connections on the port (often SNAT port exhaustion)."
            ),
            (
                "AgentStopped", "Local", "Error", [],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): the Network Watcher agent on the VM is stopped, so the check could not run there."
            ),
            (
                "Platform", "Inbound", "Error", [],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): the Azure platform reported a problem with inbound traffic."
            ),
            (
                "Unknown", "Outbound", "Warning", [],
                "Warning at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): Network Watcher reported a problem it could not classify with outbound traffic."
            ),
            (
                "QuantumTunnel", "Sideways", "Critical", [("Flux", "11"), ("RuleName", "r")],
                "Severity Critical at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): an issue of type QuantumTunnel affects traffic (origin Sideways) (Flux: 11, RuleName: r)."
            ),
            (
                "NetworkSecurityRule", "Inbound", "Error", [("RuleName", "DenyAll"), ("Priority", "4096")],
                "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): inbound traffic is denied by the network security rule DenyAll (Priority: 4096)."
            ),
        ] as [(String, String, String, [(String, String)], String)])
    func everyIssueTypeIsOneSentenceThatKeepsItsContext(
        type: String, origin: String, severity: String, context: [(String, String)], sentence: String
    ) {
        let issue = ConnectivityResult.Issue(
            origin: origin, severity: severity, type: type, context: context.map { (key: $0.0, value: $0.1) })
        #expect(Narration.sentence(for: issue, at: Self.hop, number: 3) == sentence)
    }

    @Test(
        arguments: [
            (
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/loadBalancers/lb1/backendAddressPools/pool",
                "load balancer lb1"
            ),
            ("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/privateEndpoints/pe1", "private endpoint pe1"),
            ("/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm1", "VM vm1"),
            ("/subscriptions/s/resourceGroups/g/providers/Contoso.Widgets/gizmos/g1", "gizmos g1"),
            ("/subscriptions/s/resourceGroups/g", nil),
        ] as [(String, String?)])
    func resourcesAreNamedFromTheirIDs(id: String, name: String?) {
        #expect(Narration.resourceName(id) == name)
    }

    @Test func probesAndLatency() {
        var result = ConnectivityResult(status: "Reachable", probesSent: 66, probesFailed: 0)
        result.minimumLatency = 1
        result.averageLatency = 2
        result.maximumLatency = 5
        #expect(Narration.probes(result) == "0 of 66 probes failed; latency 1 ms min, 2 ms avg, 5 ms max.")
        #expect(Narration.probes(ConnectivityResult()) == nil)
    }
}

@Suite struct ResultReadingTests {
    @Test func thePagesFirstExampleReads() throws {
        let json = try JSONParser.parse(
            #"""
            {"hops": [{"type": "Source", "id": "a", "address": "10.1.1.4", "nextHopIds": ["b"], "issues": []},
                      {"type": "VirtualAppliance", "id": "b", "address": "10.1.3.4", "nextHopIds": [],
                       "issues": [{"origin": "Outbound", "severity": "Error", "type": "NetworkSecurityRule", "context": [{"key": "RuleName", "value": "UserRule_Port80"}]}]}],
             "connectionStatus": "Unreachable", "probesSent": 100, "probesFailed": 100}
            """#)
        let result = try ConnectivityResult(json: json)
        #expect(result.status == "Unreachable")
        #expect(result.hops.map(\.type) == ["Source", "VirtualAppliance"])
        #expect(result.hops[0].nextHopIds == ["b"])
        #expect(
            result.hops[1].issues == [
                ConnectivityResult.Issue(
                    origin: "Outbound", severity: "Error", type: "NetworkSecurityRule",
                    context: [(key: "RuleName", value: "UserRule_Port80")])
            ])
    }

    @Test(arguments: [
        (
            #"[1, 2]"#,
            "This is not a connectivity check result: the value is an array, not an object. explain takes what check, or a POST to .../connectivityCheck, returned."
        ),
        (
            #"{"connectionStatus": "Reachable"}"#,
            "This is not a connectivity check result: hops is missing. explain takes what check, or a POST to .../connectivityCheck, returned."
        ),
        (
            #"{"hops": {"type": "Source"}}"#,
            "This is not a connectivity check result: hops is an object, not an array. explain takes what check, or a POST to .../connectivityCheck, returned."
        ),
        (
            #"{"hops": [{"type": 7}]}"#,
            "This is not a connectivity check result: hops[0].type is a number, not a string. explain takes what check, or a POST to .../connectivityCheck, returned."
        ),
        (
            #"{"hops": [], "probesSent": "many"}"#,
            "This is not a connectivity check result: probesSent is a string, not a whole number. explain takes what check, or a POST to .../connectivityCheck, returned."
        ),
        (
            #"{"hops": [{"type": "Source", "issues": [{"type": "GuestFirewall", "context": [3]}]}]}"#,
            "This is not a connectivity check result: hops[0].issues[0].context[0] is a number, not an object. explain takes what check, or a POST to .../connectivityCheck, returned."
        ),
        (
            #"{"hops": [{"type": "Source", "nextHopIds": [null]}]}"#,
            "This is not a connectivity check result: hops[0].nextHopIds[0] is null, not a string. explain takes what check, or a POST to .../connectivityCheck, returned."
        ),
    ])
    func wrongShapesNameTheField(text: String, message: String) throws {
        let json = try JSONParser.parse(text)
        #expect(throws: ResultError.self) { try ConnectivityResult(json: json) }
        do {
            _ = try ConnectivityResult(json: json)
        } catch {
            #expect(error.description == message)
        }
        // Read from bytes, hop by hop, the same field is named.
        do {
            _ = try ConnectivityResult(bytes: Array(text.utf8))
            Issue.record("\(text) was read")
        } catch let error as ResultError {
            #expect(error.description == message)
        }
    }

    @Test(arguments: [
        #"{"connectionStatus": "Unreachable", "hops": [{"type": "Source", "id": "a", "nextHopIds": ["b"]}, {"type": "Internet", "id": "b", "issues": [{"type": "Platform"}]}], "probesSent": 3}"#,
        #"{"Hops": [{"type": "Source"}], "connectionStatus": "Reachable"}"#,
        #"{"hops": [], "avgLatencyInMs": 4}"#,
    ])
    func readingBytesHopByHopGivesWhatTheTreeGives(text: String) throws {
        #expect(try ConnectivityResult(bytes: Array(text.utf8)) == ConnectivityResult(json: JSONParser.parse(text)))
    }

    @Test func bytesThatAreNotJSONAreAParseFailure() {
        #expect(throws: JSONParser.Failure.self) { try ConnectivityResult(bytes: Array(#"{"hops": [{"type": "Source","#.utf8)) }
    }

    @Test func contextMayBeAnObjectAndValuesNumbers() throws {
        let json = try JSONParser.parse(
            #"{"hops": [{"type": "Source", "issues": [{"type": "PortThrottled", "context": [{"Port": 443}, {"key": "Count", "value": 12}]}]}]}"#
        )
        let issue = try #require(try ConnectivityResult(json: json).hops.first?.issues.first)
        #expect(issue.context.map(\.key) == ["Port", "Count"])
        #expect(issue.context.map(\.value) == ["443", "12"])
        #expect(issue.context("port") == "443")
    }
}
