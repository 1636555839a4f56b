import ARM
import Foundation
import HTTPCore
import JSON
import Testing

@testable import Sandbox

/// A network built with plain ARM PUTs, over HTTP, answers Network Watcher's questions as Azure's
/// documentation says it would; changing it changes the answers.
@Suite struct LabNetworkTests {
    static let group = "/subscriptions/\(SandboxFixture.subscription)/resourceGroups/LabRG"
    static let network = "\(group)/providers/Microsoft.Network"
    static let vnet = "\(network)/virtualNetworks/Hub"

    static func call(_ fixture: SandboxFixture, _ method: String, _ path: String, _ body: String? = nil) async throws -> ARMResult {
        let version = path.contains("Microsoft.Compute") ? "2024-07-01" : path.hasSuffix("LabRG") ? "2021-04-01" : "2024-05-01"
        let result = try await fixture.client.perform(
            ARMCall(method: method, target: "\(path)?api-version=\(version)", body: body.map { Array($0.utf8) }))
        return result
    }

    /// The hub: App (10.10.1.4) routes 10.10.3.0/24 through the appliance Nva (10.10.2.4,
    /// forwarding on) to Db (10.10.3.4); each VM has the Network Watcher agent.
    static func build(_ fixture: SandboxFixture) async throws {
        var steps: [(String, String)] = [
            (group, #"{"location": "westeurope"}"#),
            (
                "\(network)/routeTables/AppRoutes",
                #"{"location": "westeurope", "properties": {"routes": [{"name": "ToDb", "properties": {"addressPrefix": "10.10.3.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.10.2.4"}}]}}"#
            ),
            (
                vnet,
                #"{"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.10.0.0/16"]}, "subnets": [{"name": "app", "properties": {"addressPrefix": "10.10.1.0/24", "routeTable": {"id": "\#(network)/routeTables/AppRoutes"}}}, {"name": "nva", "properties": {"addressPrefix": "10.10.2.0/24"}}, {"name": "db", "properties": {"addressPrefix": "10.10.3.0/24"}}]}}"#
            ),
            (
                "\(network)/networkSecurityGroups/DbNsg",
                #"{"location": "westeurope", "properties": {"securityRules": [{"name": "NoSql", "properties": {"priority": 200, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "sourceAddressPrefix": "10.10.1.0/24", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "1433"}}]}}"#
            ),
            (
                "\(network)/networkWatchers/NetworkWatcher_westeurope",
                #"{"location": "westeurope"}"#
            ),
        ]
        for (name, subnet, forwarding, nsg) in [("App", "app", false, ""), ("Nva", "nva", true, ""), ("Db", "db", false, "DbNsg")] {
            let nsgReference = nsg.isEmpty ? "" : #", "networkSecurityGroup": {"id": "\#(network)/networkSecurityGroups/\#(nsg)"}"#
            steps.append(
                (
                    "\(network)/networkInterfaces/\(name)Nic",
                    #"{"location": "westeurope", "properties": {"enableIPForwarding": \#(forwarding)\#(nsgReference), "ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": "\#(vnet)/subnets/\#(subnet)"}}}]}}"#
                ))
            steps.append(
                (
                    "\(group)/providers/Microsoft.Compute/virtualMachines/\(name)",
                    #"{"location": "westeurope", "properties": {"storageProfile": {"osDisk": {"osType": "Linux"}}, "networkProfile": {"networkInterfaces": [{"id": "\#(network)/networkInterfaces/\#(name)Nic"}]}}}"#
                ))
            steps.append(
                (
                    "\(group)/providers/Microsoft.Compute/virtualMachines/\(name)/extensions/AzureNetworkWatcherExtension",
                    #"{"location": "westeurope", "properties": {"publisher": "Microsoft.Azure.NetworkWatcher", "type": "NetworkWatcherAgentLinux", "typeHandlerVersion": "1.4"}}"#
                ))
        }
        for (path, body) in steps {
            let result = try await call(fixture, "PUT", path, body)
            #expect(result.response.status < 300, "\(path): \(result.response.bodyText)")
        }
    }

    static let watcher = "\(network)/networkWatchers/NetworkWatcher_westeurope"
    static func vm(_ name: String) -> String { "\(group)/providers/Microsoft.Compute/virtualMachines/\(name)" }

    static func check(_ fixture: SandboxFixture, to destination: String, port: Int) async throws -> String {
        let result = try await call(
            fixture, "POST", "\(watcher)/connectivityCheck",
            #"{"source": {"resourceId": "\#(vm("App"))"}, "destination": {"resourceId": "\#(vm(destination))", "port": \#(port)}}"#)
        let hops = (result.body?["hops"]?.arrayValue ?? []).map { hop in
            let issues = (hop["issues"]?.arrayValue ?? []).compactMap { $0["context"]?.arrayValue?.first?["value"]?.stringValue }
            return "\(hop["type"]?.stringValue ?? "") \(hop["address"]?.stringValue ?? "")"
                + (issues.isEmpty ? "" : " [\(issues.joined())]")
        }
        return hops.joined(separator: " > ") + ": \(result.body?["connectionStatus"]?.stringValue ?? "\(result.response.bodyText)")"
    }

    @Test("nextHop, effectiveRouteTable, ipFlowVerify and connectivityCheck of a network built with PUTs, over HTTP")
    func answersOfANetworkBuiltWithPuts() async throws {
        let fixture = try await SandboxFixture.start(overHTTP: true)
        defer { Task { await fixture.stop() } }
        try await Self.build(fixture)

        // Dynamic addresses: the first after Azure's reserved four, in each subnet.
        let next = try await Self.call(
            fixture, "POST", "\(Self.watcher)/nextHop",
            #"{"targetResourceId": "\#(Self.vm("App"))", "sourceIPAddress": "10.10.1.4", "destinationIPAddress": "10.10.3.4"}"#)
        #expect(
            next.body.map { JSONFormatter.compact.format($0) }
                == #"{"nextHopType":"VirtualAppliance","nextHopIpAddress":"10.10.2.4","routeTableId":"\#(Self.network)/routeTables/AppRoutes"}"#
        )

        let routes = try await Self.call(fixture, "POST", "\(Self.network)/networkInterfaces/AppNic/effectiveRouteTable")
        #expect(
            routes.body?["value"]?.arrayValue?.map {
                "\($0["source"]?.stringValue ?? "") \($0["addressPrefix"]?.arrayValue?.first?.stringValue ?? "") \($0["nextHopType"]?.stringValue ?? "")"
            }
                == [
                    "Default 10.10.0.0/16 VnetLocal", "Default 0.0.0.0/0 Internet", "Default 10.0.0.0/8 None", "Default 172.16.0.0/12 None",
                    "Default 192.168.0.0/16 None", "Default 100.64.0.0/10 None", "User 10.10.3.0/24 VirtualAppliance",
                ])

        let flow = try await Self.call(
            fixture, "POST", "\(Self.watcher)/ipFlowVerify",
            #"{"targetResourceId": "\#(Self.vm("Db"))", "direction": "Inbound", "protocol": "TCP", "localIPAddress": "10.10.3.4", "localPort": "1433", "remoteIPAddress": "10.10.1.4", "remotePort": "50000"}"#
        )
        #expect(flow.body.map { JSONFormatter.compact.format($0) } == #"{"access":"Deny","ruleName":"securityRules/NoSql"}"#)

        #expect(
            try await Self.check(fixture, to: "Db", port: 80)
                == "Source 10.10.1.4 > VirtualAppliance 10.10.2.4 > VnetLocal 10.10.3.4: Reachable")
        #expect(
            try await Self.check(fixture, to: "Db", port: 1433)
                == "Source 10.10.1.4 > VirtualAppliance 10.10.2.4 > VnetLocal 10.10.3.4 [UserRule_NoSql]: Unreachable")

        // Forwarding off on the appliance: it drops what is not addressed to it.
        let nva = try await Self.call(
            fixture, "PATCH", "\(Self.network)/networkInterfaces/NvaNic", #"{"properties": {"enableIPForwarding": false}}"#)
        #expect(nva.response.status == 200, "\(nva.response.bodyText)")
        #expect(try await Self.check(fixture, to: "Db", port: 80) == "Source 10.10.1.4 > VirtualAppliance 10.10.2.4: Unreachable")

        // The route deleted: straight to the database, and the rule is all that is left.
        #expect(try await Self.call(fixture, "DELETE", "\(Self.network)/routeTables/AppRoutes/routes/ToDb").response.status == 200)
        #expect(
            try await Self.check(fixture, to: "Db", port: 1433) == "Source 10.10.1.4 > VnetLocal 10.10.3.4 [UserRule_NoSql]: Unreachable")
        #expect(
            try await Self.call(fixture, "DELETE", "\(Self.network)/networkSecurityGroups/DbNsg/securityRules/NoSql").response.status == 200
        )
        #expect(try await Self.check(fixture, to: "Db", port: 1433) == "Source 10.10.1.4 > VnetLocal 10.10.3.4: Reachable")
    }

    @Test("what ARM does not hold is lab state: a guest's firewall, how a name resolves")
    func labFacts() async throws {
        let fixture = try await SandboxFixture.start(overHTTP: true)
        defer { Task { await fixture.stop() } }
        try await Self.build(fixture)
        let transport = LiveTransport(environment: [:])
        func lab(_ method: String, _ path: String, _ body: String) async throws -> Int {
            try await labAnswer(method, path, body).status
        }
        func labAnswer(_ method: String, _ path: String, _ body: String) async throws -> (status: Int, error: String) {
            let response = try await transport.send(
                HTTPRequest(
                    method: method, url: fixture.server.baseURL + path, headers: ["Content-Type": "application/json"],
                    body: Array(body.utf8)))
            let error = (try? JSONParser.parse(bytes: response.body))?["error"]
            return (response.status, "\(error?["code"]?.stringValue ?? ""): \(error?["message"]?.stringValue ?? "")")
        }
        #expect(try await lab("PUT", "/sandbox/lab/guests\(Self.vm("Db"))", #"{"firewallBlockedPorts": [5432]}"#) == 204)
        #expect(
            try await Self.check(fixture, to: "Db", port: 5432)
                == "Source 10.10.1.4 > VirtualAppliance 10.10.2.4 > VnetLocal 10.10.3.4: Unreachable")
        let nobody = try await labAnswer("PUT", "/sandbox/lab/guests\(Self.vm("Nobody"))", "{}")
        #expect(nobody.status == 404)
        #expect(nobody.error == "NotFound: There is no virtual machine \(Self.vm("Nobody")) in the lab.")
        let badHost = try await labAnswer("PUT", "/sandbox/lab/hosts/db.contoso.example", #"{"addresses": ["not-an-address"]}"#)
        #expect(badHost.status == 400)
        #expect(badHost.error == "InvalidLabFact: The lab's host db.contoso.example cannot be read: 'addresses' must list IPv4 addresses.")
        let badGuest = try await labAnswer("PUT", "/sandbox/lab/guests\(Self.vm("Db"))", #"{"listeningPorts": [70000]}"#)
        #expect(
            badGuest.error
                == "InvalidLabFact: The lab's guest \(Self.vm("Db")) cannot be read: 'listeningPorts' must be \"*\" or a list of ports from 0 to 65535."
        )
        let notJSON = try await labAnswer("PUT", "/sandbox/lab/hosts/x", "{")
        #expect(notJSON.error.hasPrefix("InvalidLabFact: The body of PUT /sandbox/lab/hosts/x is not valid JSON: "))
        #expect(
            try await labAnswer("GET", "/sandbox/lab/nothing", "").error
                == "NotFound: Unknown lab path /sandbox/lab/nothing: use /sandbox/lab, /sandbox/lab/hosts/NAME or /sandbox/lab/guests/VM-ID."
        )
        #expect(try await lab("PUT", "/sandbox/lab/hosts/db.contoso.example", #"{"addresses": ["10.10.3.4"]}"#) == 204)
        let named = try await Self.call(
            fixture, "POST", "\(Self.watcher)/connectivityCheck",
            #"{"source": {"resourceId": "\#(Self.vm("App"))"}, "destination": {"address": "db.contoso.example", "port": 80}}"#)
        #expect(named.body?["connectionStatus"] == .string("Reachable"))
        #expect(named.body?["hops"]?.arrayValue?.last?["address"] == .string("10.10.3.4"))
    }
}
