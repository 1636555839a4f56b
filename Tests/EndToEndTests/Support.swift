import Foundation
import Testing

/// Runs the built `nwsh` and `nwsh-sandbox` executables as a user would.
enum Binary {
    /// The folder with the built products: `NWSH_BUILD_DIR`, else the folder of the test bundle.
    static var productsDirectory: URL {
        if let explicit = ProcessInfo.processInfo.environment["NWSH_BUILD_DIR"] { return URL(fileURLWithPath: explicit) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !url.path.hasSuffix(".build") && url.path != "/" {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("nwsh").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    static var nwsh: String { productsDirectory.appendingPathComponent("nwsh").path }
    static var sandbox: String { productsDirectory.appendingPathComponent("nwsh-sandbox").path }

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    /// ``run(_:_:input:environment:timeout:)`` on a GCD thread, for long runs: waiting for a process
    /// inside an async test would hold one of the few threads of Swift's cooperative pool, and
    /// starve the tests that run beside it (a two-core machine has two).
    static func runOffThePool(
        _ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:], timeout: Double = 60
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Swift.Result { try run(executable, arguments, input: input, environment: environment, timeout: timeout) })
            }
        }
    }

    /// Runs an executable to completion (killed after `timeout` seconds), feeding `input` on stdin.
    static func run(
        _ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:], timeout: Double = 60
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in [
            "NWSH_ACCESS_TOKEN", "ARMCLIENT_TOKEN", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_AUTHORITY_HOST",
            "NWSH_ENDPOINT", "NWSH_CLOUD", "AZURE_CLOUD_NAME", "AZURE_CONFIG_DIR",
        ] {
            env[key] = nil
        }
        env["NWSH_HISTORY"] = ""
        // Under scripts/sanitize address: leak checking for the programs run, not for this runner.
        if let childOptions = env["NWSH_TEST_CHILD_ASAN_OPTIONS"] { env["ASAN_OPTIONS"] = childOptions }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let deadline = DispatchTime.now() + timeout
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: deadline, execute: killer)
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        let status = wait(for: process, timeout: timeout)
        killer.cancel()
        return Result(status: status, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
    }

    /// Waits for a child to end, with waitpid(2), and gives its exit status (128 + the signal when
    /// a signal ended it); after `timeout` seconds it is killed. Not `Process.waitUntilExit()`:
    /// with many children started at once, Foundation here sometimes misses one's exit and waits
    /// forever (a test hung on a `<defunct>` sandbox). Reaped here, the child is not Foundation's
    /// to wait for any more: use this status, not `terminationStatus`.
    @discardableResult
    static func wait(for process: Process, timeout: Double = 60) -> Int32 {
        let pid = process.processIdentifier
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result == -1, errno == ECHILD {
                // Foundation reaped it first: its status is there once it has noted the exit.
                while process.isRunning, Date() < deadline { usleep(5_000) }
                return process.isRunning ? -1 : process.terminationStatus
            }
            if Date() > deadline { kill(pid, SIGKILL) }
            usleep(5_000)
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}

/// Writes an executable script (a stand-in `az`) through a close-on-exec descriptor: a process
/// another test starts meanwhile must not inherit it, or running the script fails with ETXTBSY
/// ("text file busy").
func writeExecutable(_ script: String, to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard descriptor >= 0 else { throw POSIXError(.EACCES) }
    let bytes = Array(script.utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
    guard written == bytes.count else { throw POSIXError(.EIO) }
}

/// A new empty folder under the system's temporary directory.
func temporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Every file under `directory` (nwsh's cassettes, HAR files, bundles, history), with its text,
/// so a test can search all that nwsh wrote for a secret.
func filesWritten(under directory: URL) throws -> [(path: String, text: String)] {
    let paths = FileManager.default.enumerator(atPath: directory.path)?.compactMap { $0 as? String } ?? []
    return try paths.compactMap { name in
        let path = directory.appendingPathComponent(name).path
        var folder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &folder), !folder.boolValue else { return nil }
        return (path, String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
    }
}
