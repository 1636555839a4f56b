import ARM
import Foundation
import JSON
import Testing

@testable import Sandbox

/// What an independent review of the lab found, each kept fixed: a lab file cannot crash or hang
/// the sandbox, a group's deletion deletes what it holds, read-only back-references and
/// references already there do not block a fix, and lab files forget what was deleted.
@Suite struct LabReviewTests {
    static let subscription = "/subscriptions/\(SandboxFixture.subscription)"
    static let contoso = "\(subscription)/resourceGroups/ContosoRG/providers"

    static func call(_ fixture: SandboxFixture, _ method: String, _ path: String, _ body: String? = nil) async throws -> ARMResult {
        try await LabStoreTests.call(fixture, method, path, body)
    }

    static func data(adding resources: [String]) throws -> SandboxData {
        var data = try SandboxData.bundled()
        data.resources += try resources.map { try JSONParser.parse($0) }
        return data
    }

    @Test("a VNet listing itself among its subnets is not its own child: deleting or writing it neither crashes nor hangs")
    func aSelfReferencingChildIsIgnored() async throws {
        let vnet = "\(Self.contoso)/Microsoft.Network/virtualNetworks/Loop"
        let fixture = try await SandboxFixture.start(
            data: try Self.data(adding: [
                #"{"id": "\#(vnet)", "name": "Loop", "type": "Microsoft.Network/virtualNetworks", "location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.70.0.0/16"]}, "subnets": [{"id": "\#(vnet)", "name": "Loop", "properties": {"addressPrefix": "10.70.1.0/24"}}]}}"#
            ]))
        #expect(try await Self.call(fixture, "GET", vnet).body?["properties"]?["subnets"] == .array([]))
        #expect(try await Self.call(fixture, "PUT", vnet, LabStoreTests.vnetBody).response.status == 200)
        #expect(try await Self.call(fixture, "DELETE", vnet).response.status == 200)
        #expect(try await Self.call(fixture, "GET", vnet).response.status == 404)
    }

    @Test("deleting a resource group deletes what it holds")
    func aGroupsDeletionDeletesItsResources() async throws {
        let fixture = try await SandboxFixture.start()
        let group = "\(Self.subscription)/resourceGroups/ContosoExampleRG"
        #expect(try await Self.call(fixture, "DELETE", group).response.status == 200)
        for resource in ["Microsoft.Compute/virtualMachines/ContosoVM", "Microsoft.Network/networkInterfaces/contosoNic"] {
            #expect(try await Self.call(fixture, "GET", "\(group)/providers/\(resource)").response.status == 404, "\(resource)")
        }
    }

    @Test("read-only back-references (an NSG's networkInterfaces) hold no delete; a NIC's VM, once deleted, does not either")
    func backReferencesHoldNothing() async throws {
        let fixture = try await SandboxFixture.start()
        #expect(try await Self.call(fixture, "DELETE", "\(Self.contoso)/Microsoft.Compute/virtualMachines/Auditor0").response.status == 200)
        let nic = try await Self.call(fixture, "DELETE", "\(Self.contoso)/Microsoft.Network/networkInterfaces/auNic")
        #expect(nic.response.status == 200, "\(nic.response.bodyText)")
    }

    @Test("a copy's references to what was not copied do not block a fix; a new one to nothing is refused")
    func onlyNewReferencesAreChecked() async throws {
        let nic = "\(Self.contoso)/Microsoft.Network/networkInterfaces/copiedNic"
        let subnet = "\(Self.contoso)/Microsoft.Network/virtualNetworks/ContosoVNet/subnets/contosovm-subnet"
        let missing = "\(Self.contoso)/Microsoft.Network/publicIPAddresses/notCopied"
        let fixture = try await SandboxFixture.start(
            data: try Self.data(adding: [
                #"{"id": "\#(nic)", "name": "copiedNic", "type": "Microsoft.Network/networkInterfaces", "location": "westcentralus", "properties": {"ipConfigurations": [{"id": "\#(nic)/ipConfigurations/ipconfig1", "name": "ipconfig1", "properties": {"privateIPAddress": "10.2.1.9", "privateIPAllocationMethod": "Static", "subnet": {"id": "\#(subnet)"}, "publicIPAddress": {"id": "\#(missing)"}}}]}}"#
            ]))
        let patched = try await Self.call(fixture, "PATCH", nic, #"{"properties": {"enableIPForwarding": true}}"#)
        #expect(patched.response.status == 200, "\(patched.response.bodyText)")
        let other = try await Self.call(
            fixture, "PUT", "\(Self.contoso)/Microsoft.Network/networkInterfaces/newNic",
            #"{"location": "westcentralus", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": "\#(subnet)"}, "publicIPAddress": {"id": "\#(missing)"}}}]}}"#
        )
        #expect(other.body?["error"]?["code"] == .string("InvalidResourceReference"))
    }

    @Test("a type the lab does not model keeps its references to its own parts")
    func unmodelledTypesKeepTheirReferences() async throws {
        let fixture = try await SandboxFixture.start()
        let balancer = "\(Self.contoso)/Microsoft.Network/loadBalancers/lb"
        let result = try await Self.call(
            fixture, "PUT", balancer,
            #"{"location": "westcentralus", "properties": {"frontendIPConfigurations": [{"name": "fe", "id": "\#(balancer)/frontendIPConfigurations/fe"}], "loadBalancingRules": [{"name": "r", "properties": {"frontendIPConfiguration": {"id": "\#(balancer)/frontendIPConfigurations/fe"}}}]}}"#
        )
        #expect(result.response.status == 201, "\(result.response.bodyText)")
    }

    @Test("a subnet smaller than a /29 is refused, as Azure reserves five addresses of each")
    func subnetsAreAtLeastA29() async throws {
        let fixture = try await SandboxFixture.start()
        let result = try await Self.call(
            fixture, "PUT", "\(Self.contoso)/Microsoft.Network/virtualNetworks/ContosoVNet/subnets/tiny",
            #"{"properties": {"addressPrefix": "10.2.9.0/30"}}"#)
        #expect(
            LabStoreTests.outcome(result)
                == "InvalidRequestFormat: Cannot parse the request: subnet tiny is 10.2.9.0/30; the smallest subnet Azure allows is a /29 (it reserves five addresses of each)."
        )
    }

    @Test("a VM whose agent extension was deleted cannot run a check (AgentStopped)")
    func aDeletedAgentStopsChecks() async throws {
        let fixture = try await SandboxFixture.start()
        let vm = "\(Self.contoso)/Microsoft.Compute/virtualMachines/MultiTierApp0"
        #expect(try await Self.call(fixture, "DELETE", "\(vm)/extensions/AzureNetworkWatcherExtension").response.status == 200)
        let check = try await fixture.checkConnectivity(to: "10.1.4.4")
        #expect(check.body?["hops"]?.arrayValue?.first?["issues"]?.arrayValue?.first?["type"] == .string("AgentStopped"))
    }

    /// A VM recorded without `resources` may have any extensions, so the agent is taken as
    /// there; one recorded with `resources: []` has none, so it has no agent.
    @Test("a VM whose extensions were not recorded is taken to have the agent; one recorded with none has not")
    func extensionsNotRecordedAreNotNone() async throws {
        for (resources, firstIssue) in [(nil, "NetworkSecurityRule"), (JSONValue.array([]), "AgentStopped")] {
            var data = try SandboxData.bundled()
            data.resources = data.resources.map { resource in
                guard resource["name"] == .string("MultiTierApp0"), case .object(var vm) = resource else { return resource }
                vm["resources"] = resources
                return .object(vm)
            }
            let fixture = try await SandboxFixture.start(data: data)
            let check = try await fixture.checkConnectivity(to: "10.1.4.4")
            let issue = check.body?["hops"]?.arrayValue?.flatMap { $0["issues"]?.arrayValue ?? [] }.first?["type"]
            #expect(issue == .string(firstIssue), "resources: \(resources.map { "\($0)" } ?? "absent")")
        }
    }

    /// A lab file is read straight into bytes: a folder is named as one, and a pipe (a shell's
    /// `--lab <(az resource list)`) is read to its end, past the first chunk.
    @Test("a lab is read from a file or a pipe; a folder or a missing file is refused with why")
    func labFilesAreReadFromFilesAndPipes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-lab-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: LabFileError(file: folder, reason: "it is a folder")) { try LabFile.load(path: folder) }
        #expect(throws: LabFileError(file: "\(folder)/none.json", reason: "no such file")) { try LabFile.load(path: "\(folder)/none.json") }
        // Enough resources to take several reads of a pipe.
        let groups = (0..<2000).map {
            #"{"id": "/subscriptions/s/resourceGroups/Group\#($0)", "name": "Group\#($0)", "location": "westus"}"#
        }
        let text = "[" + groups.joined(separator: ", ") + "]"
        let pipe = "\(folder)/lab.pipe"
        #expect(mkfifo(pipe, 0o600) == 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: pipe) {
                handle.write(Data(text.utf8))
                try? handle.close()
            }
        }
        writer.start()
        #expect(text.utf8.count > 1 << 17)
        let lab = try LabFile.load(path: pipe)
        #expect(lab.held == 0)
        #expect(lab.resources.count == 2001)  // the subscription added, and every group
        let file = "\(folder)/lab.json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        #expect(try LabFile.load(path: file).resources.count == 2001)
    }

    @Test("a skiptoken the sandbox did not give starts at the nearest end of the list")
    func strangeSkiptokensAreClamped() async throws {
        let fixture = try await SandboxFixture.start()
        for token in ["-1", "99999999999"] {
            let result = try await fixture.client.perform(
                ARMCall(
                    method: "GET", target: "\(Self.subscription)/resourceGroups?api-version=2021-04-01&$skiptoken=\(token)",
                    followPages: false))
            #expect(result.response.status == 200, "\(token)")
        }
    }

    /// A recording replays the network's history: what a DELETE or a 404 removed is gone, and a
    /// parent's later answer says which children it still has.
    @Test("a lab file forgets what was deleted, children a later answer no longer lists, and knows a VM's listed extensions")
    func labFilesFollowTheRecording() throws {
        let network = "\(Self.contoso)/Microsoft.Network"
        let vnet = "\(network)/virtualNetworks/V"
        func get(_ path: String, _ body: String, status: Int = 200, method: String = "GET") -> String {
            """
            - request: {body: null, headers: {}, method: \(method), uri: 'https://management.azure.com\(path)?api-version=2024-05-01'}
              response:
                body: {string: '\(body)'}
                headers: {}
                status: {code: \(status), message: x}
            """
        }
        let vnetWith =
            #"{"id": "\#(vnet)", "name": "V", "type": "Microsoft.Network/virtualNetworks", "location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}, "subnets": [{"id": "\#(vnet)/subnets/a", "name": "a", "properties": {"addressPrefix": "10.9.1.0/24"}}, {"id": "\#(vnet)/subnets/\#(network)", "name": "odd"}]}}"#
        let vnetWithout =
            #"{"id": "\#(vnet)", "name": "V", "type": "Microsoft.Network/virtualNetworks", "location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}, "subnets": []}}"#
        let subnetB = #"{"id": "\#(vnet)/subnets/b", "name": "b", "properties": {"addressPrefix": "10.9.2.0/24"}}"#
        let nsg =
            #"{"id": "\#(network)/networkSecurityGroups/N", "name": "N", "type": "Microsoft.Network/networkSecurityGroups", "location": "westus", "properties": {}}"#
        let vm = "\(Self.contoso)/Microsoft.Compute/virtualMachines/M"
        let machine = #"{"id": "\#(vm)", "name": "M", "type": "Microsoft.Compute/virtualMachines", "location": "westus", "properties": {}}"#
        let yaml =
            "interactions:\n"
            + [
                get(vnet, vnetWith), get("\(vnet)/subnets/b", subnetB), get(nsg.isEmpty ? "" : "\(network)/networkSecurityGroups/N", nsg),
                get("\(network)/networkSecurityGroups/N", "", status: 200, method: "DELETE"), get(vm, machine),
                get("\(vm)/extensions", #"{"value": []}"#), get(vnet, vnetWithout),
            ].joined(separator: "\n") + "\n"
        let lab = try LabFile.read(text: yaml, file: "history.yaml")
        let ids = lab.resources.compactMap { $0["id"]?.stringValue }
        #expect(!ids.contains("\(network)/networkSecurityGroups/N"))
        let loaded = lab.resources.first { $0["id"]?.stringValue == vnet }
        #expect(loaded?["properties"]?["subnets"] == .array([]), "subnets a and b are gone from the later answer")
        #expect(lab.resources.first { $0["id"]?.stringValue == vm }?["resources"] == .array([]))
        #expect(lab.problems == ["\(vnet): its subnets list holds \(vnet)/subnets/\(network), which is not one of its subnets"])
    }

    @Test("a HAR file loads as a lab from its successful GETs")
    func harFilesLoad() throws {
        let nsg = "\(Self.contoso)/Microsoft.Network/networkSecurityGroups/FromHar"
        let body =
            #"{"id": "\#(nsg)", "name": "FromHar", "type": "Microsoft.Network/networkSecurityGroups", "location": "westus", "properties": {}}"#
        let text = JSONFormatter.compact.format(
            .object(
                JSONObject([
                    "log": .object(
                        JSONObject([
                            "version": .string("1.2"), "creator": .object(JSONObject(["name": .string("test"), "version": .string("1")])),
                            "entries": .array([
                                .object(
                                    JSONObject([
                                        "startedDateTime": .string("2026-12-01T00:00:00Z"), "time": .number(JSONNumber(1)),
                                        "request": .object(
                                            JSONObject([
                                                "method": .string("GET"),
                                                "url": .string("https://management.azure.com\(nsg)?api-version=2024-05-01"),
                                                "httpVersion": .string("HTTP/1.1"), "headers": .array([]), "queryString": .array([]),
                                                "cookies": .array([]), "headersSize": .number(JSONNumber(-1)),
                                                "bodySize": .number(JSONNumber(0)),
                                            ])),
                                        "response": .object(
                                            JSONObject([
                                                "status": .number(JSONNumber(200)), "statusText": .string("OK"),
                                                "httpVersion": .string("HTTP/1.1"),
                                                "headers": .array([]), "cookies": .array([]),
                                                "content": .object(
                                                    JSONObject([
                                                        "size": .number(JSONNumber(body.utf8.count)),
                                                        "mimeType": .string("application/json"),
                                                        "text": .string(body),
                                                    ])),
                                                "redirectURL": .string(""), "headersSize": .number(JSONNumber(-1)),
                                                "bodySize": .number(JSONNumber(body.utf8.count)),
                                            ])),
                                        "cache": .object(JSONObject()),
                                        "timings": .object(
                                            JSONObject([
                                                "send": .number(JSONNumber(0)), "wait": .number(JSONNumber(1)),
                                                "receive": .number(JSONNumber(0)),
                                            ])),
                                    ]))
                            ]),
                        ]))
                ])))
        let lab = try LabFile.read(text: text, file: "copy.har")
        #expect(lab.format == "HAR")
        #expect(lab.resources.contains { $0["id"]?.stringValue == nsg })
        #expect(lab.problems.isEmpty)
    }
}
