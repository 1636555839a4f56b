import ARM
import Foundation
import HTTPCore
import JSON
import Synchronization
import TestServers
import Testing

/// The ARM client against a deliberately bad endpoint on loopback: URLs that point elsewhere,
/// bodies too large or cut short, silence after the headers, absurd `Retry-After` values. Nothing
/// may be sent elsewhere, the token must not leave, and every failure says what happened.
@Suite struct HostileServerTests {
    static let token = "hostile-test-token-7f3a"

    /// A client for `server`, signed in with a token from the environment, waiting in virtual
    /// time, and keeping the events it reports.
    /// The events a client reported, as text.
    final class EventLog: Sendable {
        private let items = Mutex<[String]>([])
        func append(_ text: String) { items.withLock { $0.append(text) } }
        var all: [String] { items.withLock { $0 } }
    }

    final class Client: Sendable {
        let client: ARMClient
        let sleeper: VirtualSleeper
        let events = EventLog()

        init(_ server: HostileServer, timeouts: LiveTransport.Timeouts = .init(connect: 5, response: 30)) throws {
            let sleeper = VirtualSleeper()
            let events = self.events
            self.sleeper = sleeper
            client = ARMClient(
                configuration: ARMConfiguration(endpoint: try Endpoint(server.baseURL), defaultPollDelay: 1),
                transport: LiveTransport(environment: [:], timeouts: timeouts),
                credentials: Credentials(sources: [EnvironmentTokenSource(environment: ["NWSH_ACCESS_TOKEN": HostileServerTests.token])]),
                sleeper: sleeper
            ) { event in
                switch event {
                case .retrying(let reason, let after, _, _): events.append("retry \(after): \(reason)")
                case .waitAdjusted(let note): events.append("adjusted: \(note)")
                default: break
                }
            }
        }

        func get(_ target: String) async throws -> ARMResult {
            try await client.perform(ARMCall(method: "GET", target: target))
        }
    }

    /// A server that answers nothing useful and keeps what it is sent: where nothing may go.
    static func elsewhere() throws -> HostileServer {
        try HostileServer { _ in .bytes(HostileServer.response(200, body: Array("{}".utf8))) }
    }

    @Test(arguments: [
        ("Location", 202), ("Azure-AsyncOperation", 202), ("Location", 302), ("Location", 307), ("Location", 301),
    ])
    func aURLToAnotherPortIsNeverFollowed(header: String, status: Int) async throws {
        let elsewhere = try Self.elsewhere()
        let server = try HostileServer { _ in
            .bytes(HostileServer.response(status, headers: [(header, elsewhere.baseURL + "/steal?api-version=1")]))
        }
        let client = try Client(server)
        await #expect(throws: ARMError.self) { _ = try await client.client.perform(ARMCall(method: "POST", target: "/x?api-version=1")) }
        do {
            _ = try await client.client.perform(ARMCall(method: "POST", target: "/x?api-version=1"))
        } catch let error as ARMError {
            let what = status >= 300 && status < 400 ? "a redirect, HTTP \(status)" : "its \(header) header"
            #expect(
                error.description
                    == "The server pointed nwsh at \(elsewhere.baseURL)/steal?api-version=1 (\(what)), which is not its ARM endpoint \(server.baseURL): nothing was sent there, and your token stayed here. An endpoint that is a proxy or an emulator must answer with URLs on its own host."
            )
        }
        #expect(elsewhere.requests.isEmpty)
        server.stop()
        elsewhere.stop()
    }

    @Test(arguments: ["https://127.0.0.1:PORT/next", "http://localhost:PORT/next", "http://evil.example/next"])
    func aNextLinkToAnotherSchemeOrHostIsRefused(template: String) async throws {
        let server = try HostileServer { request in
            let next = template.replacingOccurrences(
                of: "PORT",
                with: request.head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("host:") }.map {
                    String($0.split(separator: ":").last ?? "")
                } ?? "")
            return HostileServer.json(200, #"{"value": [1], "nextLink": "\#(next)"}"#)
        }
        let client = try Client(server)
        do {
            _ = try await client.get("/subscriptions?api-version=1")
            Issue.record("a foreign nextLink was followed")
        } catch let error as ARMError {
            guard case .serverPointedElsewhere(let what, _, _) = error else { throw error }
            #expect(what == "the nextLink of page 1")
        }
        #expect(server.requests.count == 1)
        server.stop()
    }

    @Test func aRedirectOnItsOwnHostIsNotFollowedEither() async throws {
        let server = try HostileServer { _ in .bytes(HostileServer.response(302, headers: [("Location", "/elsewhere")])) }
        let client = try Client(server)
        await #expect(
            throws: ARMError.redirected(
                method: "GET", status: 302, url: server.baseURL + "/a?api-version=1", location: server.baseURL + "/elsewhere")
        ) {
            _ = try await client.get("/a?api-version=1")
        }
        #expect(server.requests.count == 1)
        #expect(
            ARMError.redirected(method: "GET", status: 302, url: "http://h/a", location: "http://h/b").description
                == "The server answered GET http://h/a with a redirect (HTTP 302) to http://h/b; ARM does not redirect, so nwsh does not follow: nothing more was sent. Check the URL and --endpoint."
        )
        server.stop()
    }

    @Test func aBodyLargerThanTheCapIsRefusedBeforeItIsRead() async throws {
        // Claimed up front.
        let claimed = try HostileServer { _ in
            .stream(
                head: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 300000000\r\n\r\n", byte: 0x20,
                count: 300_000_000)
        }
        let client = try Client(claimed)
        await #expect(
            throws: ARMError.transport(
                .bodyTooLarge(url: claimed.baseURL + "/big?api-version=1", limit: LiveTransport.maximumBodyBytes), method: "GET")
        ) {
            _ = try await client.get("/big?api-version=1")
        }
        claimed.stop()
        // Streamed without a length, past the cap.
        let streamed = try HostileServer { _ in
            .stream(
                head: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n", byte: 0x20, count: 70 * 1024 * 1024)
        }
        let again = try Client(streamed)
        await #expect(
            throws: ARMError.transport(
                .bodyTooLarge(url: streamed.baseURL + "/big?api-version=1", limit: LiveTransport.maximumBodyBytes), method: "GET")
        ) {
            _ = try await again.get("/big?api-version=1")
        }
        streamed.stop()
        #expect(
            ARMError.transport(.bodyTooLarge(url: "http://h/big", limit: 64 * 1024 * 1024), method: "GET").description
                == "The response from http://h/big is larger than 64 MiB, nwsh's limit for one response; ARM pages long lists (nextLink), so an answer this large is not one ARM gives."
        )
    }

    @Test func aBodyThatStopsEarlyIsRetriedThenSaidToHaveClosed() async throws {
        let server = try HostileServer { _ in .stream(head: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", byte: 0x7B, count: 10) }
        let client = try Client(server)
        await #expect(throws: ARMError.transport(.connectionClosed(url: server.baseURL + "/cut?api-version=1"), method: "GET")) {
            _ = try await client.get("/cut?api-version=1")
        }
        #expect(server.requests.count == 5)
        #expect(client.sleeper.recorded == [1, 2, 4, 8])
        server.stop()
    }

    @Test(.timeLimit(.minutes(1)))
    func headersFollowedBySilenceEndAtTheResponseTimeout() async throws {
        let server = try HostileServer { _ in .bytesThenSilence(Array("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"a\":".utf8)) }
        let client = try Client(server, timeouts: .init(connect: 2, response: 1))
        let started = Date()
        await #expect(throws: ARMError.transport(.responseTimeout(url: server.baseURL + "/slow?api-version=1", seconds: 1), method: "POST"))
        {
            _ = try await client.client.perform(ARMCall(method: "POST", target: "/slow?api-version=1"))
        }
        // One try and four retries, each cut off at the 1 s timeout (5 s), never the server's
        // silence, which lasts for ever: the bound leaves room for a loaded two-core machine (a CI
        // run beside a fuzzer took 15.7 s).
        #expect(Date().timeIntervalSince(started) < 40)
        server.stop()
    }

    @Test(
        arguments: [
            ("86400", "the server asked to wait 86400 s (Retry-After: 86400); waiting 60 s, nwsh's longest wait between polls", 60.0),
            ("-5", "the server's Retry-After '-5' is not a wait nwsh can use; waiting 1 s", 1.0),
            ("soon", "the server's Retry-After 'soon' is not a wait nwsh can use; waiting 1 s", 1.0),
            ("10", nil, 10.0),
        ] as [(String, String?, Double)])
    func pollWaitsAreCappedAndSaid(retryAfter: String, note: String?, wait: Double) async throws {
        let polls = Mutex(0)
        let server = try HostileServer { request in
            if request.method == "POST" {
                return .bytes(HostileServer.response(202, headers: [("Location", "/op?api-version=1"), ("Retry-After", retryAfter)]))
            }
            let count = polls.withLock { count -> Int in
                count += 1
                return count
            }
            return count < 2
                ? .bytes(HostileServer.response(202, headers: [("Location", "/op?api-version=1"), ("Retry-After", retryAfter)]))
                : HostileServer.json(200, #"{"done": true}"#)
        }
        let client = try Client(server)
        let result = try await client.client.perform(ARMCall(method: "POST", target: "/act?api-version=1"))
        #expect(result.body?["done"] == .bool(true))
        #expect(client.sleeper.recorded == [wait, wait])
        #expect(client.events.all == (note.map { [String](repeating: "adjusted: " + $0, count: 2) } ?? []))
        server.stop()
    }

    /// `Retry-After: 0` on every poll adds no waiting time, so the count of polls ends it.
    @Test(.timeLimit(.minutes(1)))
    func anOperationThatNeverEndsStopsAtThePollLimit() async throws {
        let server = try HostileServer { _ in
            .bytes(HostileServer.response(202, headers: [("Location", "/op?api-version=1"), ("Retry-After", "0")]))
        }
        let sleeper = VirtualSleeper()
        let client = ARMClient(
            configuration: ARMConfiguration(endpoint: try Endpoint(server.baseURL), maximumPolls: 5),
            transport: LiveTransport(environment: [:]),
            credentials: Credentials(sources: [EnvironmentTokenSource(environment: ["NWSH_ACCESS_TOKEN": Self.token])]), sleeper: sleeper)
        await #expect(throws: ARMError.pollingTimedOut(url: "/op?api-version=1", seconds: 1800, polls: 5)) {
            _ = try await client.perform(ARMCall(method: "POST", target: "/act?api-version=1"))
        }
        #expect(server.requests.count == 6)
        server.stop()
    }

    @Test func aRetryWaitIsCappedAndSaid() async throws {
        let server = try HostileServer { _ in .bytes(HostileServer.response(429, headers: [("Retry-After", "999999")])) }
        let client = try Client(server)
        let result = try await client.get("/busy?api-version=1")
        #expect(result.response.status == 429)
        #expect(client.sleeper.recorded == [120, 120, 120, 120])
        #expect(
            client.events.all.first
                == "adjusted: the server asked to wait 999999 s (Retry-After: 999999); waiting 120 s, nwsh's longest wait before a retry")
        server.stop()
    }

    @Test func bodiesThatAreNotJSONOrNotUTF8AreKeptAsBytes() async throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let invalid: [UInt8] = Array(#"{"name": ""#.utf8) + [0xFF, 0xFE, 0x1B] + Array(#""}"#.utf8)
        let server = try HostileServer { request in
            request.target.hasPrefix("/deep")
                ? HostileServer.json(200, deep)
                : .bytes(HostileServer.response(200, headers: [("Content-Type", "application/json")], body: invalid))
        }
        let client = try Client(server)
        let nested = try await client.get("/deep?api-version=1")
        #expect(nested.body == nil)
        #expect(nested.response.body.count == 200_000)
        let bad = try await client.get("/bad?api-version=1")
        #expect(bad.body == nil)
        #expect(bad.response.body == invalid)
        server.stop()
    }
}

/// nwsh asks for compressed bodies (async-http-client sends `Accept-Encoding: deflate, gzip`), so
/// it must read them, and stop at a compression bomb or a corrupt stream with a clear message.
@Suite struct CompressedBodyTests {
    /// `bytes` gzipped by the system's gzip.
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-gzip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("body")
        try Data(bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-9", "-n", file.path]
        try process.run()
        process.waitUntilExit()
        return Array(try Data(contentsOf: directory.appendingPathComponent("body.gz")))
    }

    static func server(_ body: [UInt8]) throws -> HostileServer {
        try HostileServer { _ in
            .bytes(HostileServer.response(200, headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body: body))
        }
    }

    @Test func aGzipBodyIsReadAndItWasAskedFor() async throws {
        let server = try Self.server(try Self.gzip(Array(#"{"value": [1, 2, 3]}"#.utf8)))
        let client = try HostileServerTests.Client(server)
        let result = try await client.get("/zipped?api-version=1")
        #expect(result.body.map { JSONFormatter.compact.format($0) } == #"{"value":[1,2,3]}"#)
        #expect(server.requests.first?.head.lowercased().contains("accept-encoding: deflate, gzip") == true)
        server.stop()
    }

    @Test func aCompressionBombOrACorruptStreamStopsWithTheReason() async throws {
        let bomb = try Self.server(try Self.gzip([UInt8](repeating: 0x20, count: 20 * 1024 * 1024)))
        let client = try HostileServerTests.Client(bomb)
        await #expect(
            throws: ARMError.transport(
                .other(
                    url: bomb.baseURL + "/bomb?api-version=1",
                    detail: "its compressed body expands to more than 100 times its size, more than nwsh decodes"),
                method: "GET")
        ) { _ = try await client.get("/bomb?api-version=1") }
        bomb.stop()
        let corrupt = try Self.server([0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 0xAB, count: 64))
        let again = try HostileServerTests.Client(corrupt)
        await #expect(
            throws: ARMError.transport(
                .other(
                    url: corrupt.baseURL + "/corrupt?api-version=1",
                    detail: "its compressed body (Content-Encoding gzip or deflate) is corrupt"),
                method: "GET")
        ) { _ = try await again.get("/corrupt?api-version=1") }
        corrupt.stop()
    }
}
