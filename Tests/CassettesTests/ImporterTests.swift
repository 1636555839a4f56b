import ARM
import Cassettes
import Foundation
import HTTPCore
import Testing

@Suite struct ImporterTests {
    static var fixtures: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path }

    @Test func aVcrpyCassetteFromAzureCLIImportsWithItsQuirks() throws {
        let (cassette, format) = try CassetteImporter.load(
            path: Self.fixtures + "/cli-connectivity.yaml", displayName: "cli-connectivity.yaml")
        #expect(format == .vcrpy)
        #expect(cassette.interactions.count == 5)
        let first = cassette.interactions[0]
        #expect(first.request.headers["Authorization"] == "REDACTED")
        #expect(first.response.headers.fields.filter { $0.name == "cache-control" }.map(\.value) == ["no-cache"])
        #expect(first.response.bodyText.hasPrefix(#"{"name": "vm1", "location": "westus""#))
        #expect(first.response.headers["content-length"] == String(first.response.body.count))
        #expect(cassette.interactions[3].response.bodyText == #"{"status": "Succeeded"}"#)
        #expect(cassette.interactions[2].response.bodyText == "{\r\n  \"status\": \"InProgress\"\r\n}")
        #expect(cassette.metadata.source == "imported from cli-connectivity.yaml (vcrpy)")
        #expect(cassette.metadata.endpoint == "https://management.azure.com")
    }

    @Test func anImportedLongRunningOperationReplaysThroughItsPolls() async throws {
        let (cassette, _) = try CassetteImporter.load(path: Self.fixtures + "/cli-connectivity.yaml")
        let client = ARMClient(
            configuration: ARMConfiguration(endpoint: try Endpoint(AzureCloud.azureCloud.resourceManager)),
            transport: ReplayTransport(cassette: cassette, file: "cli-connectivity.yaml"),
            credentials: Credentials(sources: [ReplayTokenSource(file: "cli-connectivity.yaml")]), sleeper: ImmediateSleeper())
        let result = try await client.perform(
            ARMCall(
                method: "POST",
                target:
                    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westus/connectivityCheck?api-version=2018-06-01",
                body: Array(
                    #"{"destination": {"port": 80, "address": "www.bing.com"}, "source": {"resourceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cli_test_nw/providers/Microsoft.Compute/virtualMachines/vm1"}}"#
                        .utf8)))
        #expect(result.polls == 3)
        #expect(result.body?["connectionStatus"] == .string("Reachable"))
    }

    @Test func aHARFileImports() throws {
        let (cassette, format) = try CassetteImporter.load(path: Self.fixtures + "/browser.har", displayName: "browser.har")
        #expect(format == .har)
        #expect(cassette.interactions.first?.request.headers["Authorization"] == "REDACTED")
        #expect(cassette.interactions.first?.response.bodyText == #"{"value": [{"name": "rg1"}]}"#)
        #expect(cassette.interactions.first?.durationMilliseconds == 12)
        #expect(cassette.metadata.recordedAt == "2026-01-01T00:00:00Z")
    }

    static let broken: [(String, String, String)] = [
        (
            "bad.yaml", "interactions:\n- request: {method: GET\n",
            "bad.yaml is not valid YAML: did not find expected ',' or '}' at line 3, column 1."
        ),
        (
            "bad.yaml", "interactions:\n- request: {method: GET}\n  response: {status: {code: 200}}\n",
            "The cassette bad.yaml is not a valid nwsh cassette: interactions[0].request.uri (line 2, column 12): missing."
        ),
        // YAML 1.1 reads `22:00` as a base-60 integer, and one too large for Int trapped inside
        // Yams (fuzzing found it): a status is decimal digits, read by nwsh.
        (
            "bad.yaml",
            "interactions:\n- request: {method: GET, uri: 'https://x'}\n  response: {status: {code: 22222:000000000000000000000000005551562240661680583:22}}\n",
            "The cassette bad.yaml is not a valid nwsh cassette: interactions[0].response.status.code (line 3, column 13): missing or not a number."
        ),
        (
            "bad.yaml", "interactions:\n- request: {method: GET, uri: 'https://x'}\n  response: {status: {code: '3:20'}}\n",
            "The cassette bad.yaml is not a valid nwsh cassette: interactions[0].response.status.code (line 3, column 13): missing or not a number."
        ),
        (
            "bad.yaml", "version: 1\n",
            "The cassette bad.yaml is not a valid nwsh cassette: interactions: missing: this is neither a HAR file nor a vcrpy cassette."
        ),
        (
            "bad.har",
            "{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"https://x\"}, \"response\": {\"status\": \"OK\"}}]}}",
            "The cassette bad.har is not a valid nwsh cassette: log.entries[0].response.status: expected a whole number."
        ),
        (
            "bad.har", "{\"log\": {\"entries\": [",
            "The cassette bad.har is not valid JSON: expected a value, found the end of the text at line 1, column 22. Was it truncated? A recording interrupted by a crash is recovered from its .journal file the next time nwsh records or replays it."
        ),
    ]

    @Test("broken imports name the file and the place", arguments: broken)
    func brokenImport(name: String, text: String, message: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-import-\(UUID().uuidString)-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try CassetteImporter.load(path: path, displayName: name)
            Issue.record("imported")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func pythonBytesLiteralsAreDecoded() {
        #expect(CassetteImporter.pythonBytesLiteral(#"b'{\"a\": 1}\n\x41'"#) == Array("{\"a\": 1}\nA".utf8))
        #expect(CassetteImporter.pythonBytesLiteral("plain") == nil)
    }
}
