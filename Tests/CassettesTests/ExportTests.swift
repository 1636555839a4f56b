import ARM
import Cassettes
import Foundation
import HTTPCore
import JSON
import Testing

@Suite struct AnonymizerTests {
    @Test func idsAreReplacedConsistentlyIgnoringCase() {
        let anonymizer = Anonymizer(names: ["ContosoRG"])
        let interaction = Interaction(
            request: HTTPRequest(
                method: "GET",
                url:
                    "https://management.azure.com/Subscriptions/AAAAAAAA-1111-2222-3333-444444444444/resourceGroups/contosorg?api-version=1"
            ),
            response: HTTPResponse(
                status: 200, headers: ["Location": "https://management.azure.com/subscriptions/aaaaaaaa-1111-2222-3333-444444444444/x"],
                body: Array(
                    #"{"subscriptionId": "aaaaaaaa-1111-2222-3333-444444444444", "tenantId": "bbbbbbbb-1111-2222-3333-444444444444", "name": "ContosoRG"}"#
                        .utf8)),
            at: 0, durationMilliseconds: 1)
        let anonymized = anonymizer.anonymize(interaction)
        #expect(
            anonymized.request.url
                == "https://management.azure.com/Subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/name-1?api-version=1")
        #expect(
            anonymized.response.headers["Location"] == "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/x")
        #expect(
            anonymized.response.bodyText
                == #"{"subscriptionId": "00000000-0000-0000-0000-000000000001", "tenantId": "00000000-0000-0000-0000-100000000001", "name": "name-1"}"#
        )
        #expect(
            anonymizer.anonymize(text: "get /subscriptions/AAAAAAAA-1111-2222-3333-444444444444/x")
                == "get /subscriptions/00000000-0000-0000-0000-000000000001/x")
    }
}

@Suite struct ExportTests {
    private var cassette: Cassette {
        Cassette(
            metadata: .init(source: "sandbox", endpoint: "nwsh sandbox", recordedWith: "nwsh 0.1", recordedAt: "2026-11-27T10:00:00Z"),
            events: [
                .command(text: "post ...", at: 0),
                .interaction(
                    Interaction(
                        request: HTTPRequest(
                            method: "POST", url: "https://management.azure.com/x/connectivityCheck?api-version=2017-03-01",
                            headers: ["Content-Type": "application/json"], body: Array(#"{"a":1}"#.utf8)),
                        response: HTTPResponse(
                            status: 202, headers: ["Location": "https://management.azure.com/op", "Retry-After": "10"],
                            body: Array("null".utf8)),
                        at: 1.5, durationMilliseconds: 12)),
                .interaction(
                    Interaction(
                        request: HTTPRequest(method: "GET", url: "https://management.azure.com/missing?api-version=2021-04-01"),
                        response: HTTPResponse(
                            status: 404, headers: ["x-ms-request-id": "req-1", "x-ms-correlation-request-id": "corr-1"],
                            body: Array(#"{"error": {"code": "NotFound", "message": "gone"}}"#.utf8)),
                        at: 2, durationMilliseconds: 3)),
            ])
    }

    @Test func harHasAnEntryPerExchange() throws {
        let har = cassette.har()
        #expect(har["log"]?["version"] == .string("1.2"))
        let entries = try #require(har["log"]?["entries"]?.arrayValue)
        #expect(entries.count == 2)
        #expect(entries[0]["startedDateTime"] == .string("2026-11-27T10:00:01.500Z"))
        #expect(entries[0]["request"]?["postData"]?["text"] == .string(#"{"a":1}"#))
        #expect(
            entries[0]["request"]?["queryString"]
                == .array([.object(JSONObject(["name": .string("api-version"), "value": .string("2017-03-01")]))]))
        #expect(entries[0]["response"]?["statusText"] == .string("Accepted"))
        #expect(entries[0]["response"]?["redirectURL"] == .string("https://management.azure.com/op"))
        #expect(entries[1]["response"]?["content"]?["text"] == .string(#"{"error": {"code": "NotFound", "message": "gone"}}"#))
    }

    @Test func theBundleSaysWhatFailedAndWhichAPIVersionsWereUsed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-bundle-\(UUID().uuidString)").path
        let files = try BugReportBundle.write(cassette, to: directory, nwshVersion: "0.1")
        #expect(files.map { ($0 as NSString).lastPathComponent } == ["session.cassette.json", "session.har", "info.json", "README.md"])
        let info = try JSONParser.parse(try String(contentsOfFile: directory + "/info.json", encoding: .utf8))
        #expect(info["apiVersions"] == .array([.string("2017-03-01"), .string("2021-04-01")]))
        #expect(
            JSONFormatter.compact.format(info["failedRequests"] ?? .null)
                == #"[{"method":"GET","url":"https://management.azure.com/missing?api-version=2021-04-01","status":404,"code":"NotFound","message":"gone","x-ms-request-id":"req-1","x-ms-correlation-request-id":"corr-1"}]"#
        )
        #expect(try String(contentsOfFile: directory + "/session.cassette.json", encoding: .utf8) == cassette.text)
    }
}

@Suite struct RecordingRewriteTests {
    @Test func binaryBodiesSurviveAnonymizingByteForByte() {
        let binary: [UInt8] = [0xFF, 0xFE, 0x00, 0x41]
        let interaction = Interaction(
            request: HTTPRequest(method: "GET", url: "https://management.azure.com/subscriptions/aaaaaaaa-1111-2222-3333-444444444444/x"),
            response: HTTPResponse(status: 200, body: binary), at: 0, durationMilliseconds: 1)
        let anonymized = Anonymizer().anonymize(interaction)
        #expect(anonymized.response.body == binary)
        #expect(anonymized.request.url == "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/x")
    }
}
