import Foundation
import TestServers
import Testing

/// nwsh itself, run as a user runs it with `-v` and `--record`, against a deliberately bad
/// endpoint on loopback. For each hostile answer: the exit status and message say what happened,
/// nothing reaches another host, no byte the server sent drives the terminal (standard output and
/// error hold no escape or control character but newlines and tabs), and the token is in no file
/// written (cassette, HAR, bundle) and not on standard error.
@Suite struct HostileEndpointTests {
    static let token = "hostile-e2e-token-51c9"
    static let escape = "\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}[31m"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var command: String
        var status: Int32
        /// What standard error says (a part of it).
        var says: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a redirect to another port", command: "get /subscriptions?api-version=1", status: 1,
            says: "(a redirect, HTTP 302), which is not its ARM endpoint"),
        Case(
            name: "a Location header to another port", command: "post /act?api-version=1 '{}'", status: 1,
            says: "(its Location header), which is not its ARM endpoint"),
        Case(name: "escapes in an error envelope", command: "get /escape?api-version=1", status: 1, says: "failed: HTTP 400 Bad Request"),
        Case(name: "escapes in a value", command: "$r = get /name?api-version=1; $r.name; $r", status: 0, says: ""),
        Case(
            name: "nesting deeper than the parser's limit", command: "get /deep?api-version=1", status: 0,
            says: "is not valid JSON (nesting deeper than 512 levels at line 1, column 513); it is kept as text."),
        Case(name: "invalid UTF-8", command: "get /utf8?api-version=1", status: 0, says: "is not valid JSON"),
        Case(
            name: "a body over the cap", command: "get /big?api-version=1", status: 1,
            says: "is larger than 64 MiB, nwsh's limit for one response"),
    ]

    static func answer(_ request: HostileServer.Request, elsewhere: String) -> HostileServer.Reply {
        let path = String(request.target.prefix { $0 != "?" })
        switch path {
        case "/subscriptions": return .bytes(HostileServer.response(302, headers: [("Location", elsewhere + "/steal")]))
        case "/act": return .bytes(HostileServer.response(202, headers: [("Location", elsewhere + "/op"), ("Retry-After", "0")]))
        case "/escape":
            return HostileServer.json(
                400, #"{"error": {"code": "Bad\#(jsonEscaped(escape))Code", "message": "no\#(jsonEscaped(escape)) way"}}"#,
                headers: [("x-ms-request-id", "req-1")])
        case "/name":
            return HostileServer.json(200, #"{"name": "red\#(jsonEscaped(escape))name", "id": "/x\#(jsonEscaped(escape))"}"#)
        case "/deep": return HostileServer.json(200, String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
        case "/utf8":
            return .bytes(
                HostileServer.response(
                    200, headers: [("Content-Type", "application/json")],
                    body: Array(#"{"name": ""#.utf8) + [0xFF, 0xFE, 0x1B, 0x5B, 0x32, 0x4A] + Array(#""}"#.utf8)))
        case "/big": return .stream(head: "HTTP/1.1 200 OK\r\nContent-Length: 300000000\r\n\r\n", byte: 0x20, count: 300_000_000)
        default: return HostileServer.json(404, #"{"error": {"code": "NotFound", "message": "no"}}"#)
        }
    }

    static func jsonEscaped(_ text: String) -> String {
        text.unicodeScalars.map { $0.value < 0x20 ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
    }

    @Test(arguments: cases)
    func aHostileAnswerIsSaidAndLeavesNoTraceOfTheToken(_ hostile: Case) async throws {
        let elsewhere = try HostileServer { _ in .bytes(HostileServer.response(200, body: Array("{}".utf8))) }
        let server = try HostileServer { Self.answer($0, elsewhere: elsewhere.baseURL) }
        defer {
            server.stop()
            elsewhere.stop()
        }
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("hostile.cassette.json").path
        let result = try await Binary.runOffThePool(
            Binary.nwsh, ["-v", "--color", "never", "--endpoint", server.baseURL, "--record", cassette, "-c", hostile.command],
            environment: ["NWSH_ACCESS_TOKEN": Self.token], timeout: 60)
        #expect(result.status == hostile.status, "\(result.err)")
        #expect(hostile.says.isEmpty || result.err.contains(hostile.says), "\(result.err)")
        #expect(elsewhere.requests.isEmpty)
        for (stream, text) in [("stdout", result.out), ("stderr", result.err)] {
            // C0 controls but newline and tab, DEL, and C1 controls (U+0080...U+009F).
            let controls = text.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" && $0 != "\t" || (0x7F...0x9F).contains($0.value) }
            #expect(controls.isEmpty, "\(stream) has control characters \(controls.map { String($0.value, radix: 16) })")
        }
        #expect(!result.err.contains(Self.token))
        // The cassette, and what is made from it to share.
        let shared = try await Binary.runOffThePool(
            Binary.nwsh,
            ["-c", "export har \(directory.path)/hostile.har --from \(cassette)", "--color", "never"])
        #expect(shared.status == 0, "\(shared.err)")
        let bundled = try await Binary.runOffThePool(Binary.nwsh, ["-c", "bundle \(directory.path)/bundle --from \(cassette)"])
        #expect(bundled.status == 0, "\(bundled.err)")
        let written = try filesWritten(under: directory)
        #expect(written.count >= 5)
        for file in written { #expect(!file.text.contains(Self.token), "\(file.path)") }
    }
}
