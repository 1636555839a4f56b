import ARM
import Foundation
import Sandbox
import Shell
import Synchronization

/// Collects what a session writes.
final class MemoryOutput: OutputSink {
    private let buffers = Mutex<(out: String, err: String)>(("", ""))
    var out: String { buffers.withLock { $0.out } }
    var err: String { buffers.withLock { $0.err } }
    func out(_ text: String) { buffers.withLock { $0.out += text } }
    func err(_ text: String) { buffers.withLock { $0.err += text } }
}

/// The sandbox in process, as the fixtures use it: its emulator, the base URL it hands out, and
/// no server to stop.
struct InProcessSandbox {
    let transport: SandboxTransport
    var arm: SandboxARM { transport.arm }
    var baseURL: String { transport.baseURL }

    init(options: SandboxOptions, data: SandboxData? = nil) throws {
        transport = try SandboxTransport(options: options, data: data)
    }

    func stop() async {}
}

/// A session on a fresh sandbox, in process (``SandboxTransport``: no port, no HTTP), signed in
/// with the sandbox's service principal. What needs real HTTP is tested end to end.
struct SessionFixture {
    let server: InProcessSandbox
    let session: Session
    let output: MemoryOutput

    static func start(
        sourceName: String? = nil, workingDirectory: String = FileManager.default.currentDirectoryPath, data: SandboxData? = nil,
        style: OutputStyle = OutputStyle(), target: SessionTarget = .sandbox, environment: [String: String] = ["HOME": "/home/test"],
        recording: RecordingContext? = nil
    ) async throws -> SessionFixture {
        let server = try InProcessSandbox(options: SandboxOptions(retryAfter: 10), data: data)
        let transport = server.transport
        let data = server.arm.data
        let credentials = Credentials(sources: [
            ClientSecretTokenSource(
                authority: Authority(host: server.baseURL, tenant: data.tenantID), clientID: data.clientID,
                clientSecret: data.clientSecret, transport: transport, name: "the sandbox's service principal")
        ])
        let output = MemoryOutput()
        let session = Session(
            configuration: ARMConfiguration(endpoint: try Endpoint(server.baseURL)), transport: transport, credentials: credentials,
            sleeper: ImmediateSleeper(), output: output, style: style, target: target, environment: environment,
            workingDirectory: workingDirectory, sourceName: sourceName, recording: recording)
        return SessionFixture(server: server, session: session, output: output)
    }

    /// Runs a script the way `nwsh FILE` does (``ScriptRunner``).
    func run(_ script: String) async -> Outcome {
        await ScriptRunner(session: session, output: output).run(lines: script.components(separatedBy: "\n"))
    }
}
