import ARM
import Foundation
import JSON
import Testing

@testable import Sandbox

/// The sandbox's answers to the follow-up calls `explain` suggests, over HTTP, checked against
/// the page's documented results: they must tell the same story.
@Suite struct NetworkQuestionsTests {
    static let subscription = SandboxFixture.subscription
    static let network = "/subscriptions/\(subscription)/resourceGroups/ContosoRG/providers/Microsoft.Network"
    static func vm(_ name: String) -> String {
        "/subscriptions/\(subscription)/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/\(name)"
    }

    func post(_ fixture: SandboxFixture, _ path: String, _ body: String = "") async throws -> ARMResult {
        try await fixture.client.perform(
            ARMCall(method: "POST", target: "\(path)?api-version=2024-05-01", body: body.isEmpty ? nil : Array(body.utf8)))
    }

    func compact(_ result: ARMResult) -> String {
        result.body.map { JSONFormatter.compact.format($0) } ?? "(no body: \(result.response.status) \(result.response.bodyText))"
    }

    static func flow(
        vm: String = vm("MultiTierApp0"), direction: String = "Outbound", local: String = "10.1.1.4", localPort: String = "*",
        remote: String, remotePort: String, protocolName: String = "TCP"
    ) -> String {
        #"{"targetResourceId":"\#(vm)","direction":"\#(direction)","protocol":"\#(protocolName)","localIPAddress":"\#(local)","localPort":"\#(localPort)","remoteIPAddress":"\#(remote)","remotePort":"\#(remotePort)"}"#
    }

    /// The auditor appliance (Auditor0, 10.1.3.4), where the page's example 1 is blocked.
    static func auditor(
        direction: String = "Outbound", localPort: String = "*", remote: String, remotePort: String, protocolName: String = "TCP"
    ) -> String {
        flow(
            vm: vm("Auditor0"), direction: direction, local: "10.1.3.4", localPort: localPort, remote: remote, remotePort: remotePort,
            protocolName: protocolName)
    }

    @Test(arguments: [
        // The page's example 1: port 80 to the database is denied, leaving the auditor, by the rule the check names (UserRule_Port80).
        (auditor(remote: "10.1.4.4", remotePort: "80"), #"{"access":"Deny","ruleName":"securityRules/Port80"}"#),
        (auditor(remote: "10.1.4.4", remotePort: "443"), #"{"access":"Allow","ruleName":"defaultSecurityRules/AllowVnetOutBound"}"#),
        (
            auditor(remote: "204.79.197.200", remotePort: "80"),
            #"{"access":"Allow","ruleName":"defaultSecurityRules/AllowInternetOutBound"}"#
        ),
        (
            auditor(direction: "Inbound", localPort: "22", remote: "203.0.113.9", remotePort: "50000"),
            #"{"access":"Deny","ruleName":"defaultSecurityRules/DenyAllInBound"}"#
        ),
        (
            auditor(direction: "Inbound", localPort: "22", remote: "10.2.1.4", remotePort: "50000", protocolName: "udp"),
            #"{"access":"Allow","ruleName":"defaultSecurityRules/AllowVnetInBound"}"#
        ),
        // MultiTierApp0's and ContosoVM's interfaces have no security group: allowed, and no rule named.
        (flow(remote: "10.1.4.4", remotePort: "80"), #"{"access":"Allow"}"#),
        (
            flow(
                vm: vm("ContosoVM").replacingOccurrences(of: "ContosoRG", with: "ContosoExampleRG"), local: "10.2.1.4", remote: "10.1.4.4",
                remotePort: "80"), #"{"access":"Allow"}"#
        ),
    ])
    func ipFlowVerifyNamesTheDecidingRule(body: String, expected: String) async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await post(fixture, "\(SandboxFixture.watcher)/ipFlowVerify", body)
        #expect(result.response.status == 200)
        #expect(compact(result) == expected)
    }

    @Test(arguments: [
        // Example 2: the user route drops 13.107.21.0/24.
        ("13.107.21.200", #"{"nextHopType":"None","routeTableId":"\#(network)/routeTables/ContosoAppRoutes"}"#),
        // Example 1: database traffic goes to the firewall appliance first.
        (
            "10.1.4.4",
            #"{"nextHopType":"VirtualAppliance","nextHopIpAddress":"10.1.2.4","routeTableId":"\#(network)/routeTables/ContosoAppRoutes"}"#
        ),
        ("10.1.3.4", #"{"nextHopType":"VnetLocal","routeTableId":"System Route"}"#),
        ("204.79.197.200", #"{"nextHopType":"Internet","routeTableId":"System Route"}"#),
        ("192.168.7.7", #"{"nextHopType":"None","routeTableId":"System Route"}"#),
    ])
    func nextHopFollowsTheLongestMatchingRoute(destination: String, expected: String) async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let body =
            #"{"targetResourceId":"\#(Self.vm("MultiTierApp0"))","sourceIPAddress":"10.1.1.4","destinationIPAddress":"\#(destination)"}"#
        let result = try await post(fixture, "\(SandboxFixture.watcher)/nextHop", body)
        #expect(compact(result) == expected)
    }

    @Test func effectiveRoutesListSystemRoutesAndTheSubnetsUserRoutes() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await post(fixture, "\(Self.network)/networkInterfaces/appNic0/effectiveRouteTable")
        let lines = result.body?["value"]?.arrayValue?.map { JSONFormatter.compact.format($0) } ?? []
        #expect(
            lines == [
                #"{"disableBgpRoutePropagation":false,"source":"Default","state":"Active","addressPrefix":["10.1.0.0/16"],"nextHopIpAddress":[],"nextHopType":"VnetLocal"}"#,
                #"{"disableBgpRoutePropagation":false,"source":"Default","state":"Active","addressPrefix":["10.2.0.0/16"],"nextHopIpAddress":[],"nextHopType":"VnetLocal"}"#,
                #"{"disableBgpRoutePropagation":false,"source":"Default","state":"Active","addressPrefix":["0.0.0.0/0"],"nextHopIpAddress":[],"nextHopType":"Internet"}"#,
                #"{"disableBgpRoutePropagation":false,"source":"Default","state":"Active","addressPrefix":["10.0.0.0/8"],"nextHopIpAddress":[],"nextHopType":"None"}"#,
                #"{"disableBgpRoutePropagation":false,"source":"Default","state":"Active","addressPrefix":["172.16.0.0/12"],"nextHopIpAddress":[],"nextHopType":"None"}"#,
                #"{"disableBgpRoutePropagation":false,"source":"Default","state":"Active","addressPrefix":["192.168.0.0/16"],"nextHopIpAddress":[],"nextHopType":"None"}"#,
                #"{"disableBgpRoutePropagation":false,"source":"Default","state":"Active","addressPrefix":["100.64.0.0/10"],"nextHopIpAddress":[],"nextHopType":"None"}"#,
                #"{"name":"ToDatabaseThroughFirewall","disableBgpRoutePropagation":false,"source":"User","state":"Active","addressPrefix":["10.1.4.0/24"],"nextHopIpAddress":["10.1.2.4"],"nextHopType":"VirtualAppliance"}"#,
                #"{"name":"BlockBingRange","disableBgpRoutePropagation":false,"source":"User","state":"Active","addressPrefix":["13.107.21.0/24"],"nextHopIpAddress":[],"nextHopType":"None"}"#,
            ])
    }

    @Test func effectiveSecurityRulesShowTheRuleTheCheckNamed() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await post(fixture, "\(Self.network)/networkInterfaces/auNic/effectiveNetworkSecurityGroups")
        let group = result.body?["value"]?.arrayValue?.first
        #expect(result.body?["value"]?.arrayValue?.count == 1)
        #expect(group?["networkSecurityGroup"]?["id"]?.stringValue == "\(Self.network)/networkSecurityGroups/ContosoAppNsg")
        #expect(group?["association"]?["networkInterface"]?["id"]?.stringValue == "\(Self.network)/networkInterfaces/auNic")
        let rules = group?["effectiveSecurityRules"]?.arrayValue ?? []
        #expect(rules.count == 7)
        #expect(
            rules.first.map { JSONFormatter.compact.format($0) }
                == #"{"name":"securityRules/Port80","protocol":"Tcp","sourcePortRange":"0-65535","destinationPortRange":"80-80","sourceAddressPrefix":"0.0.0.0/0","destinationAddressPrefix":"10.1.4.0/24","access":"Deny","priority":100,"direction":"Outbound"}"#
        )
        #expect(
            rules.dropFirst().first.map { JSONFormatter.compact.format($0) }
                == #"{"name":"defaultSecurityRules/AllowVnetInBound","protocol":"All","sourcePortRange":"0-65535","destinationPortRange":"0-65535","sourceAddressPrefix":"VirtualNetwork","destinationAddressPrefix":"VirtualNetwork","expandedSourceAddressPrefix":["10.1.0.0/16","10.2.0.0/16","168.63.129.16/32"],"expandedDestinationAddressPrefix":["10.1.0.0/16","10.2.0.0/16","168.63.129.16/32"],"access":"Allow","priority":65000,"direction":"Inbound"}"#
        )
    }

    @Test func aNetworkInterfaceWithoutASecurityGroupHasNone() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await post(fixture, "\(Self.network)/networkInterfaces/dbNic0/effectiveNetworkSecurityGroups")
        #expect(compact(result) == #"{"value":[]}"#)
    }

    @Test func effectiveRoutesOfSomethingThatIsNotANetworkInterfaceAre404() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await post(fixture, "\(Self.vm("MultiTierApp0"))/effectiveRouteTable")
        #expect(result.response.status == 404)
        #expect(
            result.body?["error"]?["message"]?.stringValue
                == "The Resource 'Microsoft.Compute/virtualMachines/MultiTierApp0' under resource group 'ContosoRG' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
        )
    }

    @Test(arguments: [
        (
            flow(local: "10.9.9.9", remote: "10.1.4.4", remotePort: "80"), 400, "InvalidIPAddress",
            "10.9.9.9 is not an address of virtual machine MultiTierApp0's network interfaces."
        ),
        (
            flow(direction: "Sideways", remote: "10.1.4.4", remotePort: "80"), 400, "InvalidRequestFormat",
            "'direction' must be Inbound or Outbound, not 'Sideways'."
        ),
        (
            flow(remote: "db.contoso.example", remotePort: "80"), 400, "InvalidIPAddress",
            "'remoteIPAddress' must be an IPv4 address, not 'db.contoso.example'."
        ),
        (
            flow(remote: "10.1.4.4", remotePort: "70000"), 400, "InvalidRequestFormat",
            "'remotePort' must be a port from 0 to 65535 or *, not '70000'."
        ),
        (flow(vm: vm("Nobody"), remote: "10.1.4.4", remotePort: "80"), 404, "NotFound", "Virtual machine \(vm("Nobody")) was not found."),
        (#"{"direction":"Outbound"}"#, 400, "InvalidRequestFormat", "The request needs 'targetResourceId'."),
    ])
    func badQuestionsGetARMErrors(body: String, status: Int, code: String, message: String) async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await post(fixture, "\(SandboxFixture.watcher)/ipFlowVerify", body)
        #expect(result.response.status == status)
        #expect(result.body?["error"]?["code"]?.stringValue == code)
        #expect(result.body?["error"]?["message"]?.stringValue == message)
    }
}
