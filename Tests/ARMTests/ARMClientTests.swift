import ARM
import Foundation
import HTTPCore
import Sandbox
import Synchronization
import Testing

@Suite struct ARMClientTests {
    @Test func aConnectivityCheckIsPolledHonouringRetryAfter() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let result = try await fixture.checkConnectivity(
            to: "13.107.21.200", watcher: "https://management.azure.com\(SandboxFixture.watcher)")
        #expect(result.accepted?.status == 202)
        #expect(result.response.status == 200)
        #expect(result.polls == 3)
        #expect(fixture.sleeper.recorded == [10, 10, 10])
        #expect(result.body?["connectionStatus"]?.stringValue == "Unreachable")
        #expect(result.body?["hops"]?.arrayValue?.first?["issues"]?.arrayValue?.first?["type"]?.stringValue == "UserDefinedRoute")
        await fixture.stop()
    }

    @Test func noWaitStopsAtTheAcceptedResponse() async throws {
        let fixture = try await SandboxFixture.start()
        let result = try await fixture.checkConnectivity(to: "http://bing.com", waitForCompletion: false)
        #expect(result.response.status == 202)
        #expect(result.response.headers["Retry-After"] == "10")
        #expect(result.response.headers["Location"]?.contains("/operationResults/") == true)
        #expect(fixture.sleeper.recorded.isEmpty)
        await fixture.stop()
    }

    @Test func listsFollowNextLinkAndMergePages() async throws {
        let fixture = try await SandboxFixture.start()
        let path =
            "/subscriptions/\(SandboxFixture.subscription)/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines?api-version=2015-05-01-preview"
        let all = try await fixture.client.perform(ARMCall(method: "GET", target: path))
        #expect(all.pages == 2)
        #expect(
            all.body?["value"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                "Auditor0", "Database0", "Firewall0", "MultiTierApp0",
            ])
        #expect(all.body?["nextLink"] == nil)
        let first = try await fixture.client.perform(ARMCall(method: "GET", target: path, followPages: false))
        #expect(first.pages == 1)
        #expect(first.body?["value"]?.arrayValue?.count == 2)
        #expect(first.body?["nextLink"]?.stringValue?.contains("$skiptoken=2") == true)
        await fixture.stop()
    }

    /// As ARM answers `Providers - Get` and `Providers - List`
    /// (https://learn.microsoft.com/rest/api/resources/providers): the provider's ID in the scope
    /// asked, its resource types and their api-versions; an unknown namespace is refused.
    @Test func theSandboxServesProviderMetadata() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let scope = "/subscriptions/\(SandboxFixture.subscription)"
        let network = try await fixture.client.perform(
            ARMCall(method: "GET", target: "\(scope)/providers/microsoft.network?api-version=2021-04-01"))
        #expect(network.response.status == 200)
        #expect(network.body?["id"]?.stringValue == "\(scope)/providers/Microsoft.Network")
        #expect(network.body?["namespace"]?.stringValue == "Microsoft.Network")
        let types = network.body?["resourceTypes"]?.arrayValue ?? []
        let vnets = types.first { $0["resourceType"]?.stringValue == "virtualNetworks" }
        #expect(vnets?["apiVersions"]?.arrayValue?.first?.stringValue == "2024-05-01")
        let atTenant = try await fixture.client.perform(
            ARMCall(method: "GET", target: "/providers/Microsoft.Compute?api-version=2021-04-01"))
        #expect(atTenant.body?["id"]?.stringValue == "/providers/Microsoft.Compute")
        let list = try await fixture.client.perform(ARMCall(method: "GET", target: "\(scope)/providers?api-version=2021-04-01"))
        #expect(list.body?["value"]?.arrayValue?.compactMap { $0["namespace"]?.stringValue } == ["Microsoft.Network", "Microsoft.Compute"])
        let unknown = try await fixture.client.perform(
            ARMCall(method: "GET", target: "\(scope)/providers/Microsoft.Nothing?api-version=2021-04-01"))
        #expect(unknown.response.status == 404)
        #expect(ARMErrorEnvelope(body: unknown.response.body)?.message == "The resource namespace 'Microsoft.Nothing' is invalid.")
        let otherSubscription = try await fixture.client.perform(
            ARMCall(
                method: "GET",
                target: "/subscriptions/11111111-0000-0000-0000-000000000000/providers/Microsoft.Network?api-version=2021-04-01"))
        #expect(otherSubscription.response.status == 404)
    }

    @Test func armPathsAreCaseInsensitiveAndMissingResourcesAre404() async throws {
        let fixture = try await SandboxFixture.start()
        let found = try await fixture.client.perform(
            ARMCall(method: "GET", target: SandboxFixture.sourceVM.uppercased() + "?api-version=2023-03-01"))
        #expect(found.response.status == 200)
        #expect(found.body?["name"]?.stringValue == "MultiTierApp0")
        let missing = try await fixture.client.perform(ARMCall(method: "GET", target: SandboxFixture.sourceVM + "x?api-version=2023-03-01"))
        #expect(missing.response.status == 404)
        let envelope = ARMErrorEnvelope(body: missing.response.body)
        #expect(envelope?.code == "ResourceNotFound")
        #expect(
            envelope?.message
                == "The Resource 'Microsoft.Compute/virtualMachines/MultiTierApp0x' under resource group 'ContosoRG' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
        )
        let noVersion = try await fixture.client.perform(ARMCall(method: "GET", target: SandboxFixture.sourceVM))
        #expect(noVersion.response.status == 400)
        #expect(ARMErrorEnvelope(body: noVersion.response.body)?.code == "MissingApiVersionParameter")
        await fixture.stop()
    }

    @Test func a429IsRetriedAfterItsRetryAfter() async throws {
        let fixture = try await SandboxFixture.start()
        await fixture.server.arm.inject(Fault(.status(429, retryAfter: 7), pathContains: "virtualMachines/MultiTierApp0"))
        let result = try await fixture.client.perform(ARMCall(method: "GET", target: SandboxFixture.sourceVM + "?api-version=2023-03-01"))
        #expect(result.response.status == 200)
        #expect(fixture.sleeper.recorded == [7])
        await fixture.stop()
    }

    @Test func a500InTheMiddleOfPollingIsRetriedWithBackoff() async throws {
        let fixture = try await SandboxFixture.start()
        await fixture.server.arm.inject(Fault(.status(500, retryAfter: nil), pathContains: "operationResults", method: "GET"))
        let result = try await fixture.checkConnectivity(to: "http://bing.com")
        #expect(result.response.status == 200)
        #expect(result.body?["connectionStatus"]?.stringValue == "Reachable")
        #expect(fixture.sleeper.recorded == [10, 1, 10, 10])
        await fixture.stop()
    }

    @Test func retriesAreBoundedAndTheLastAnswerIsReturned() async throws {
        let fixture = try await SandboxFixture.start()
        await fixture.server.arm.inject(Fault(.status(503, retryAfter: nil), pathContains: "MultiTierApp0", count: 100))
        let result = try await fixture.client.perform(ARMCall(method: "GET", target: SandboxFixture.sourceVM + "?api-version=2023-03-01"))
        #expect(result.response.status == 503)
        #expect(fixture.sleeper.recorded == [1, 2, 4, 8])
        await fixture.stop()
    }

    @Test func aDroppedConnectionIsRetried() async throws {
        let fixture = try await SandboxFixture.start(overHTTP: true)
        await fixture.server.arm.inject(Fault(.dropConnection, pathContains: "MultiTierApp0"))
        let result = try await fixture.client.perform(ARMCall(method: "GET", target: SandboxFixture.sourceVM + "?api-version=2023-03-01"))
        #expect(result.response.status == 200)
        #expect(fixture.sleeper.recorded == [1])
        await fixture.stop()
    }

    @Test func malformedJSONIsKeptAsTextNotParsed() async throws {
        let fixture = try await SandboxFixture.start()
        await fixture.server.arm.inject(Fault(.malformedJSON, pathContains: "MultiTierApp0"))
        let result = try await fixture.client.perform(ARMCall(method: "GET", target: SandboxFixture.sourceVM + "?api-version=2023-03-01"))
        #expect(result.response.status == 200)
        #expect(result.body == nil)
        #expect(result.response.bodyText.hasPrefix("{\"hops\": ["))
        await fixture.stop()
    }

    @Test func anOperationThatNeverCompletesTimesOut() async throws {
        let fixture = try await SandboxFixture.start(configure: { $0.maximumPollTime = 60 })
        await fixture.server.arm.inject(Fault(.neverComplete, pathContains: "connectivityCheck"))
        do {
            _ = try await fixture.checkConnectivity(to: "http://bing.com")
            Issue.record("the operation did not time out")
        } catch let error as ARMError {
            #expect(
                error.description.hasPrefix(
                    "The long-running operation did not finish within 60 s (6 polls of \(fixture.server.baseURL)/subscriptions/"))
            guard case .pollingTimedOut(let url, 60, 6) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(url.contains("/operationResults/"))
        }
        await fixture.stop()
    }

    @Test func aSlowResponseHitsTheResponseTimeout() async throws {
        // The sign-in request shares the timeout: 1.5 s leaves it room on a busy two-core machine.
        let fixture = try await SandboxFixture.start(
            configure: { $0.retry = .none }, timeouts: .init(connect: 5, response: 1.5), overHTTP: true)
        await fixture.server.arm.inject(Fault(.delay(6), pathContains: "MultiTierApp0"))
        do {
            _ = try await fixture.client.perform(ARMCall(method: "GET", target: SandboxFixture.sourceVM + "?api-version=2023-03-01"))
            Issue.record("no timeout")
        } catch let error as ARMError {
            guard case .transport(.responseTimeout, "GET") = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
        await fixture.stop()
    }

    @Test func aRefusedConnectionIsAFastClearError() async throws {
        // A port that is bound but not listening refuses connections, and stays ours meanwhile.
        let (socket, port) = try Self.boundButNotListening()
        defer { close(socket) }
        let endpoint = "http://127.0.0.1:\(port)"
        let client = ARMClient(
            configuration: ARMConfiguration(endpoint: try Endpoint(endpoint)),
            transport: LiveTransport(environment: [:], timeouts: .init(connect: 30, response: 60)),
            credentials: Credentials(sources: [EnvironmentTokenSource(environment: ["NWSH_ACCESS_TOKEN": "t"])]), sleeper: VirtualSleeper())
        let started = ContinuousClock.now
        do {
            _ = try await client.perform(ARMCall(method: "GET", target: "/subscriptions?api-version=2020-01-01"))
            Issue.record("no error")
        } catch let error as ARMError {
            #expect(error == .transport(.connectionRefused(host: "127.0.0.1", port: port), method: "GET"))
            #expect(error.description == "Connection refused by 127.0.0.1:\(port) (GET); is the endpoint right and the server running?")
        }
        // Retrying the connect would take the whole 30 s connect timeout; the margin below it is for
        // a machine busy with the rest of the suite (two fuzzers beside the suite on two cores
        // once made this take 15.6 s).
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test func requestsToOtherHostsAreRefusedSoTheTokenStaysHome() async throws {
        let fixture = try await SandboxFixture.start()
        await #expect(throws: ARMError.foreignHost(host: "example.com", endpoint: fixture.server.baseURL)) {
            _ = try await fixture.client.perform(ARMCall(method: "GET", target: "https://example.com/steal"))
        }
        await fixture.stop()
    }

    static func boundButNotListening() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard descriptor >= 0, bound == 0, named == 0 else { throw CocoaError(.fileWriteUnknown) }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// URLs the server sends that name another host: nothing goes there, and the message says the
/// server (not the user) named it.
@Suite struct ServerURLTests {
    /// Answers from a table by path, remembering every URL asked for.
    final class TableTransport: HTTPTransport, @unchecked Sendable {
        let answers: [String: HTTPResponse]
        private let asked = Mutex<[String]>([])
        var urls: [String] { asked.withLock { $0 } }
        init(_ answers: [String: HTTPResponse]) { self.answers = answers }
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            asked.withLock { $0.append(request.url) }
            let path = String(request.url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" })
            return answers[path] ?? HTTPResponse(status: 404)
        }
    }

    private func client(_ transport: TableTransport) throws -> ARMClient {
        ARMClient(
            configuration: ARMConfiguration(endpoint: try Endpoint("http://127.0.0.1:9")), transport: transport,
            credentials: Credentials(sources: [EnvironmentTokenSource(environment: ["NWSH_ACCESS_TOKEN": "token-that-stays"])]),
            sleeper: VirtualSleeper())
    }

    @Test func aPollURLOnAnotherHostIsRefusedNamingTheHeaderThatSentIt() async throws {
        let transport = TableTransport([
            "/check": HTTPResponse(status: 202, headers: ["Azure-AsyncOperation": "https://elsewhere.example/op?x=1", "Retry-After": "0"])
        ])
        await #expect(
            throws: ARMError.serverPointedElsewhere(
                what: "its Azure-AsyncOperation header", url: "https://elsewhere.example/op?x=1", endpoint: "http://127.0.0.1:9")
        ) {
            _ = try await client(transport).perform(ARMCall(method: "POST", target: "/check"))
        }
        #expect(transport.urls == ["http://127.0.0.1:9/check"])
        #expect(
            ARMError.serverPointedElsewhere(
                what: "its Location header", url: "https://elsewhere.example/op", endpoint: "http://127.0.0.1:9"
            ).description
                == "The server pointed nwsh at https://elsewhere.example/op (its Location header), which is not its ARM endpoint http://127.0.0.1:9: nothing was sent there, and your token stayed here. An endpoint that is a proxy or an emulator must answer with URLs on its own host."
        )
    }

    @Test func aNextLinkOnAnotherHostIsRefusedNamingThePage() async throws {
        let transport = TableTransport([
            "/list": HTTPResponse(status: 200, body: Array(#"{"value": [1], "nextLink": "http://127.0.0.1:10/list?page=2"}"#.utf8))
        ])
        await #expect(
            throws: ARMError.serverPointedElsewhere(
                what: "the nextLink of page 1", url: "http://127.0.0.1:10/list?page=2", endpoint: "http://127.0.0.1:9")
        ) {
            _ = try await client(transport).perform(ARMCall(method: "GET", target: "/list"))
        }
        #expect(transport.urls == ["http://127.0.0.1:9/list"])
    }
}
