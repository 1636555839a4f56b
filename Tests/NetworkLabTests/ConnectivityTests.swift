import JSON
import NetworkLab
import Testing

extension NetworkBuilder: CustomTestStringConvertible {
    var testDescription: String { "a network of \(resources.count) resources" }
}

/// The walk of a connectivity check: appliances, forwarding, peering, drops, loops, and the
/// issues Azure names (https://learn.microsoft.com/azure/network-watcher/network-watcher-connectivity-rest).
@Suite struct ConnectivityTests {
    /// App (10.1.1.4) → through the firewall appliance (10.1.2.4) → Db (10.1.4.4); Work across a peering.
    static func lab(
        forwarding: Bool = true, firewallNSG: [String]? = nil, dbNSG: [String]? = nil, routes: [String]? = nil
    ) -> NetworkBuilder {
        var lab = NetworkBuilder()
        if let firewallNSG { lab.nsg("fwNsg", firewallNSG) }
        if let dbNSG { lab.nsg("dbNsg", dbNSG) }
        lab.routeTable("appRoutes", routes ?? ["ToDb 10.1.4.0/24 VirtualAppliance 10.1.2.4", "Block 13.107.21.0/24 None"])
        lab.vnet(
            "hub", ["10.1.0.0/16"],
            subnets: [
                ("app", "10.1.1.0/24", nsg: nil, routes: "appRoutes"), ("fw", "10.1.2.0/24", nsg: nil, routes: nil),
                ("db", "10.1.4.0/24", nsg: dbNSG == nil ? nil : "dbNsg", routes: nil),
            ], peers: ["spoke"])
        lab.vnet("spoke", ["10.9.0.0/16"], subnets: [("work", "10.9.1.0/24", nsg: nil, routes: nil)], peers: ["hub"])
        lab.vm("App", "10.1.1.4", subnet: ("hub", "app"))
        lab.vm("Firewall", "10.1.2.4", subnet: ("hub", "fw"), nsg: firewallNSG == nil ? nil : "fwNsg", forwarding: forwarding)
        lab.vm("Db", "10.1.4.4", subnet: ("hub", "db"))
        lab.vm("Work", "10.9.1.4", subnet: ("spoke", "work"))
        lab.facts.hosts["bing.com"] = LabFacts.Host(addresses: [IPv4Address("204.79.197.200")!])
        return lab
    }

    /// The path as `type address [issues]` hops joined by ` > `, then the status.
    static func walk(_ lab: NetworkBuilder, to destination: String, port: Int = 80, from source: String = "App") throws -> String {
        var request = JSONObject([
            "source": .object(JSONObject(["resourceId": .string(NetworkBuilder.vm(source))]))
        ])
        let target: JSONObject.Member =
            destination.hasPrefix("vm:")
            ? .init(key: "resourceId", value: .string(NetworkBuilder.vm(String(destination.dropFirst(3)))))
            : .init(key: "address", value: .string(destination))
        request["destination"] = .object(JSONObject([target, .init(key: "port", value: .number(JSONNumber(port)))]))
        let answer = try lab.answers.connectivityCheck(.object(request))
        let hops = (answer["hops"]?.arrayValue ?? []).map { hop in
            let issues = (hop["issues"]?.arrayValue ?? []).map { issue in
                ([issue["origin"]?.stringValue, issue["type"]?.stringValue].compactMap { $0 }
                    + (issue["context"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }).joined(separator: " ")
            }
            return "\(hop["type"]?.stringValue ?? "?") \(hop["address"]?.stringValue ?? "?")"
                + (issues.isEmpty ? "" : " [\(issues.joined(separator: "; "))]")
        }
        return hops.joined(separator: " > ") + ": " + (answer["connectionStatus"]?.stringValue ?? "?")
    }

    @Test(
        "paths worked out from routes and rules",
        arguments: [
            (lab(), "vm:Db", 80, "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VnetLocal 10.1.4.4: Reachable"),
            (lab(), "10.1.2.9", 80, "Source 10.1.1.4 > VnetLocal 10.1.2.9: Unreachable"),
            (lab(), "vm:Work", 80, "Source 10.1.1.4 > VNetPeering 10.9.1.4: Reachable"),
            (lab(), "13.107.21.200", 80, "Source 10.1.1.4 [Outbound UserDefinedRoute User] > Destination 13.107.21.200: Unreachable"),
            (lab(), "172.16.5.5", 80, "Source 10.1.1.4 [Outbound UserDefinedRoute System] > Destination 172.16.5.5: Unreachable"),
            (lab(), "http://bing.com", 0, "Source 10.1.1.4 > Internet 204.79.197.200: Reachable"),
            (lab(), "nowhere.example", 80, "Source 10.1.1.4 [Local DnsResolution]: Unreachable"),
            (lab(forwarding: false), "vm:Db", 80, "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 [Inbound Platform]: Unreachable"),
            (
                lab(firewallNSG: ["NoWeb 100 Outbound Deny Tcp * * 10.1.4.0/24 80"]), "vm:Db", 80,
                "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 [Outbound NetworkSecurityRule UserRule_NoWeb] > VnetLocal 10.1.4.4: Unreachable"
            ),
            (
                lab(firewallNSG: ["NoWeb 100 Outbound Deny Tcp * * 10.1.4.0/24 80"]), "vm:Db", 443,
                "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VnetLocal 10.1.4.4: Reachable"
            ),
            (
                lab(dbNSG: ["OnlyHttps 100 Inbound Allow Tcp * * * 443"]), "vm:Db", 1433,
                "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VnetLocal 10.1.4.4: Reachable"
            ),
            (
                lab(dbNSG: ["NoSql 100 Inbound Deny Tcp 10.1.1.0/24 * * 1433"]), "vm:Db", 1433,
                "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VnetLocal 10.1.4.4 [Inbound NetworkSecurityRule UserRule_NoSql]: Unreachable"
            ),
            (
                lab(routes: ["ToDb 10.1.4.0/24 VirtualAppliance 10.1.2.4"]), "vm:Db", 80,
                "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VnetLocal 10.1.4.4: Reachable"
            ),
        ])
    func paths(lab: NetworkBuilder, destination: String, port: Int, expected: String) throws {
        #expect(try Self.walk(lab, to: destination, port: port) == expected)
    }

    @Test("routes that send traffic back and forth between appliances are a loop, reported where it closes")
    func loops() throws {
        var lab = Self.lab()
        lab.routeTable("fwRoutes", ["Back 10.1.4.0/24 VirtualAppliance 10.1.1.4"])
        lab.vnet(
            "hub", ["10.1.0.0/16"],
            subnets: [
                ("app", "10.1.1.0/24", nsg: nil, routes: "appRoutes"), ("fw", "10.1.2.0/24", nsg: nil, routes: "fwRoutes"),
                ("db", "10.1.4.0/24", nsg: nil, routes: nil),
            ], peers: ["spoke"])
        lab.vm("App", "10.1.1.4", subnet: ("hub", "app"), forwarding: true)
        #expect(
            try Self.walk(lab, to: "vm:Db")
                == "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VirtualAppliance 10.1.1.4 [Outbound UserDefinedRoute User]: Unreachable")
    }

    /// Hub and spokes: spoke 1 sends spoke 2's range to the appliance in the hub; spoke 2 takes the
    /// forwarded traffic only if its peering to the hub allows forwarded traffic.
    @Test(
        "across a peering: forwarded traffic needs the receiving side's allowForwardedTraffic; access off blocks all",
        arguments: [
            (
                Set<String>(), Set<String>(),
                "Source 10.11.1.4 > VirtualAppliance 10.10.1.4 > VNetPeering 10.12.1.4 [Inbound Platform]: Unreachable"
            ),
            (Set(["hub"]), Set<String>(), "Source 10.11.1.4 > VirtualAppliance 10.10.1.4 > VNetPeering 10.12.1.4: Reachable"),
            (
                Set(["hub"]), Set(["hub"]),
                "Source 10.11.1.4 > VirtualAppliance 10.10.1.4 > VNetPeering 10.12.1.4 [Inbound Platform]: Unreachable"
            ),
        ])
    func peeringSettings(forwardedFrom: Set<String>, noAccessTo: Set<String>, expected: String) throws {
        var lab = NetworkBuilder()
        lab.routeTable("toSpoke2", ["ViaHub 10.12.0.0/16 VirtualAppliance 10.10.1.4"])
        lab.vnet("hub", ["10.10.0.0/16"], subnets: [("nva", "10.10.1.0/24", nsg: nil, routes: nil)], peers: ["spoke1", "spoke2"])
        lab.vnet("spoke1", ["10.11.0.0/16"], subnets: [("work", "10.11.1.0/24", nsg: nil, routes: "toSpoke2")], peers: ["hub"])
        lab.vnet(
            "spoke2", ["10.12.0.0/16"], subnets: [("work", "10.12.1.0/24", nsg: nil, routes: nil)], peers: ["hub"],
            forwardedFrom: forwardedFrom,
            noAccessTo: noAccessTo)
        lab.vm("Nva", "10.10.1.4", subnet: ("hub", "nva"), forwarding: true)
        lab.vm("One", "10.11.1.4", subnet: ("spoke1", "work"))
        lab.vm("Two", "10.12.1.4", subnet: ("spoke2", "work"))
        #expect(try Self.walk(lab, to: "vm:Two", from: "One") == expected)
    }

    @Test("a source VM without the Network Watcher agent, or stopped, cannot run the check (AgentStopped)")
    func agentStopped() throws {
        var lab = Self.lab()
        // Extensions not recorded: the agent is taken to be there.
        lab.vm("App", "10.1.1.4", subnet: ("hub", "app"), agent: nil)
        #expect(try Self.walk(lab, to: "vm:Db") == "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VnetLocal 10.1.4.4: Reachable")
        lab.vm("App", "10.1.1.4", subnet: ("hub", "app"), agent: false)
        #expect(try Self.walk(lab, to: "vm:Db") == "Source 10.1.1.4 [Local AgentStopped]: Unreachable")
        lab.vm("App", "10.1.1.4", subnet: ("hub", "app"), powerState: "PowerState/deallocated")
        #expect(try Self.walk(lab, to: "vm:Db") == "Source 10.1.1.4 [Local AgentStopped]: Unreachable")
    }

    @Test("inside the guest: its firewall is GuestFirewall; a port nobody listens on fails with no issue ARM can name")
    func guests() throws {
        var lab = Self.lab()
        lab.facts.guests[NetworkBuilder.vm("Db").lowercased()] = LabFacts.Guest(listeningPorts: [80, 1433], firewallBlockedPorts: [1433])
        #expect(try Self.walk(lab, to: "vm:Db", port: 80) == "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VnetLocal 10.1.4.4: Reachable")
        #expect(
            try Self.walk(lab, to: "vm:Db", port: 1433)
                == "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VnetLocal 10.1.4.4 [Inbound GuestFirewall]: Unreachable")
        #expect(
            try Self.walk(lab, to: "vm:Db", port: 5432) == "Source 10.1.1.4 > VirtualAppliance 10.1.2.4 > VnetLocal 10.1.4.4: Unreachable")
    }

    @Test("a reachable answer carries the lab's deterministic probes and latency, and hop IDs that link the hops")
    func answerShape() throws {
        let request = try JSONParser.parse(
            #"{"source": {"resourceId": "\#(NetworkBuilder.vm("App"))"}, "destination": {"address": "http://bing.com", "port": 0}}"#)
        let answer = try Self.lab().answers.connectivityCheck(request)
        #expect(try Self.lab().answers.connectivityCheck(request) == answer)
        let hops = answer["hops"]?.arrayValue ?? []
        #expect(hops.first?["nextHopIds"] == .array([hops.last?["id"] ?? .null]))
        #expect(hops.last?["resourceId"] == .string("Internet"))
        #expect(
            answer.objectValue?.keys == [
                "hops", "connectionStatus", "avgLatencyInMs", "minLatencyInMs", "maxLatencyInMs", "probesSent", "probesFailed",
            ])
        #expect(answer["avgLatencyInMs"] == .number(JSONNumber(1)))
        #expect(answer["maxLatencyInMs"] == .number(JSONNumber(7)))
        #expect(answer["probesFailed"] == .number(JSONNumber(0)))
    }
}

/// What the engine refuses to answer, with ARM's error and a sentence that says what to send.
@Suite struct RefusalTests {
    static func refusal(_ body: String, _ ask: (NetworkWatcherAnswers, JSONValue) throws(LabRefusal) -> JSONValue) throws -> String {
        let request = try JSONParser.parse(
            body.replacing("VM", with: NetworkBuilder.vm("App")).replacing("NIC", with: NetworkBuilder.nic("AppNic")))
        do {
            _ = try ask(ConnectivityTests.lab().answers, request)
            return "answered"
        } catch {
            return "\(error.status) \(error.code): \(error.message)"
        }
    }

    @Test(
        "connectivityCheck refusals",
        arguments: [
            (
                #"{"destination": {"address": "1.2.3.4", "port": 80}}"#,
                "400 InvalidRequestFormat: Source resource ID is missing in the request."
            ),
            (
                #"{"source": {"resourceId": "VM"}}"#,
                "400 InvalidRequestFormat: Destination address or resource ID is missing in the request."
            ),
            (
                #"{"source": {"resourceId": "VM"}, "destination": {"address": "1.2.3.4"}, "protocol": "Sctp"}"#,
                "400 InvalidRequestFormat: 'protocol' must be Tcp, Http, Https or Icmp, not 'Sctp'."
            ),
            (
                #"{"source": {"resourceId": "VM"}, "destination": {"address": "1.2.3.4"}, "protocol": 6}"#,
                "400 InvalidRequestFormat: 'protocol' must be Tcp, Http, Https or Icmp, not a number."
            ),
            (
                #"{"source": {"resourceId": "VM"}, "destination": {"address": "1.2.3.4", "port": 99999}}"#,
                "400 InvalidRequestFormat: 'destination.port' must be a port from 0 to 65535, not '99999'."
            ),
            (
                #"{"source": {"resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/Gone"}, "destination": {"address": "1.2.3.4"}}"#,
                "404 NotFound: Resource /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/Gone not found."
            ),
        ])
    func connectivityCheck(body: String, expected: String) throws {
        #expect(try Self.refusal(body) { answers, request throws(LabRefusal) in try answers.connectivityCheck(request) } == expected)
    }

    @Test(
        "networkConfigurationDiagnostic refusals",
        arguments: [
            (#"{"targetResourceId": "NIC"}"#, "400 InvalidRequestFormat: The request needs 'profiles', a list of flows to diagnose."),
            (
                #"{"targetResourceId": "/subscriptions/s/x"}"#,
                "404 NotFound: Network interface or virtual machine /subscriptions/s/x was not found."
            ),
            (
                #"{"targetResourceId": "NIC", "profiles": [{"direction": "Inbound", "protocol": "TCP", "source": "somewhere", "destination": "*", "destinationPort": "80"}]}"#,
                "400 InvalidIPAddress: 'source' must be an IPv4 address, not 'somewhere'."
            ),
        ])
    func diagnostic(body: String, expected: String) throws {
        #expect(
            try Self.refusal(body) { answers, request throws(LabRefusal) in try answers.networkConfigurationDiagnostic(request) }
                == expected)
    }
}

extension ConnectivityTests {
    /// A network read in parts and merged answers as the whole one does, however the resources
    /// are split: interfaces apart from their subnets included (the sandbox reads security groups
    /// and route tables beside the rest).
    @Test("a network read in two parts and merged gives the answers of the whole", arguments: [0, 1, 2])
    func mergedPartsAnswerAsTheWhole(split: Int) throws {
        let lab = Self.lab(firewallNSG: ["NoWeb 100 Outbound Deny Tcp * * 10.1.4.0/24 80"])
        let resources = lab.resources.sorted { $0.key < $1.key }.map(\.value)
        func inFirst(_ index: Int, _ resource: JSONValue) -> Bool {
            let type = resource["type"]?.stringValue ?? ""
            switch split {
            case 0: return type.hasSuffix("networkSecurityGroups") || type.hasSuffix("routeTables")
            case 1: return type.hasSuffix("networkInterfaces")
            default: return index % 2 == 0
            }
        }
        var merged = LabNetwork(resources: resources.enumerated().filter { !inFirst($0.offset, $0.element) }.map(\.element))
        merged.merge(LabNetwork(resources: resources.enumerated().filter { inFirst($0.offset, $0.element) }.map(\.element)))
        merged.facts = lab.facts
        for destination in ["vm:Db", "vm:Work", "13.107.21.200", "10.1.2.9"] {
            let target: JSONObject.Member =
                destination.hasPrefix("vm:")
                ? .init(key: "resourceId", value: .string(NetworkBuilder.vm(String(destination.dropFirst(3)))))
                : .init(key: "address", value: .string(destination))
            let request = JSONValue.object(
                JSONObject([
                    "source": .object(JSONObject(["resourceId": .string(NetworkBuilder.vm("App"))])),
                    "destination": .object(JSONObject([target, .init(key: "port", value: .number(JSONNumber(80)))])),
                ]))
            let whole = try lab.answers.connectivityCheck(request)
            #expect(try NetworkWatcherAnswers(network: merged).connectivityCheck(request) == whole, "\(destination)")
            #expect(whole["connectionStatus"] != nil)
        }
    }
}
