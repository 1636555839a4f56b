import ARM
import Foundation
import HTTPCore
import Sandbox
import Synchronization

/// A sleeper that records waits instead of sleeping: virtual time for polls and retries.
final class VirtualSleeper: Sleeper {
    private let waits = Mutex<[Double]>([])
    var recorded: [Double] { waits.withLock { $0 } }
    func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        waits.withLock { $0.append(seconds) }
    }
}

/// The sandbox a fixture talks to: in process (``SandboxTransport``), or a server on a loopback
/// port for the tests of HTTP itself (timeouts, dropped connections).
struct FixtureSandbox {
    let arm: SandboxARM
    let baseURL: String
    fileprivate let server: SandboxServer?

    func stop() async { await server?.stop() }
}

/// A sandbox and a client signed in to it through the client-credentials flow: in process unless
/// `overHTTP`, since most of what is tested here (polling, paging, retries, the network answers)
/// lies above HTTP.
struct SandboxFixture {
    let server: FixtureSandbox
    let client: ARMClient
    let sleeper: VirtualSleeper
    let transport: HTTPTransport

    static let subscription = "00000000-0000-0000-0000-000000000000"
    static let watcher =
        "/subscriptions/\(subscription)/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus"
    static let sourceVM =
        "/subscriptions/\(subscription)/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"

    static func start(
        options: SandboxOptions = SandboxOptions(retryAfter: 10, pollsBeforeDone: 2, pageSize: 2),
        configure: (inout ARMConfiguration) -> Void = { _ in },
        sources: ((FixtureSandbox, HTTPTransport) -> [TokenSource])? = nil,
        timeouts: LiveTransport.Timeouts = .init(connect: 5, response: 30),
        overHTTP: Bool = false, data: SandboxData? = nil
    ) async throws -> SandboxFixture {
        let server: FixtureSandbox
        let transport: HTTPTransport
        if overHTTP {
            let started = try await SandboxServer.start(options: options, data: data)
            server = FixtureSandbox(arm: started.arm, baseURL: started.baseURL, server: started)
            transport = LiveTransport(environment: [:], timeouts: timeouts)
        } else {
            let inProcess = try SandboxTransport(options: options, data: data)
            server = FixtureSandbox(arm: inProcess.arm, baseURL: inProcess.baseURL, server: nil)
            transport = inProcess
        }
        let sleeper = VirtualSleeper()
        var configuration = ARMConfiguration(endpoint: try Endpoint(server.baseURL))
        configure(&configuration)
        let data = server.arm.data
        let tokenSources =
            sources?(server, transport) ?? [
                ClientSecretTokenSource(
                    authority: Authority(host: server.baseURL, tenant: data.tenantID), clientID: data.clientID,
                    clientSecret: data.clientSecret, transport: transport)
            ]
        let client = ARMClient(
            configuration: configuration, transport: transport, credentials: Credentials(sources: tokenSources), sleeper: sleeper)
        return SandboxFixture(server: server, client: client, sleeper: sleeper, transport: transport)
    }

    func stop() async { await server.stop() }

    /// Posts a connectivity check from the page's source VM to `destination`.
    func checkConnectivity(to destination: String, watcher: String = watcher, waitForCompletion: Bool = true) async throws -> ARMResult {
        try await client.perform(
            ARMCall(
                method: "POST", target: "\(watcher)/connectivityCheck?api-version=2017-03-01",
                body: Self.connectivityBody(destination: destination), waitForCompletion: waitForCompletion))
    }

    static func connectivityBody(destination: String) -> [UInt8] {
        Array(#"{"source":{"resourceId":"\#(sourceVM)"},"destination":{"address":"\#(destination)","port":80}}"#.utf8)
    }
}
