import Benchmarks
import Foundation
import JSON

/// A command to time: its arguments and environment.
struct Command {
    var arguments: [String]
    var environment: [String: String] = ProcessInfo.processInfo.environment
    /// Run before every timed run, untimed (removing a cassette the run writes).
    var prepare: (() -> Void)?

    /// The command as a person would type it, for messages.
    var display: String { arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ") }
}

/// Why a benchmark could not go on.
struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// Runs commands and times them.
enum Runner {
    /// One run: wall-clock seconds, peak resident memory (bytes) and exit status. Output goes to
    /// /dev/null; standard error is kept in `errorFile` for messages.
    static func runOnce(_ command: Command, errorFile: String) throws -> (seconds: Double, peakMemory: Int, status: Int32) {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = command.arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var envp: [UnsafeMutablePointer<CChar>?] = command.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let started = ContinuousClock.now
        let spawned = posix_spawnp(&pid, command.arguments[0], &actions, nil, &argv, &envp)
        guard spawned == 0 else {
            throw BenchError(description: "cannot start \(command.arguments[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (seconds, Int(usage.ru_maxrss) * 1024, status)
    }

    /// Runs a command `runs` times after one untimed warm-up run; fails with the command's
    /// standard error when a run does not exit 0.
    static func measure(_ command: Command, runs: Int, scratch: String) throws -> Timing {
        try measureInterleaved([command], runs: runs, scratch: scratch)[0]
    }

    /// Times several commands in alternation (one warm-up run each, then `runs` rounds of one run
    /// of each), so that commands whose ratio is a target meet the same moments of a noisy
    /// machine. Always timed here, even when hyperfine is installed.
    static func measureInterleaved(_ commands: [Command], runs: Int, scratch: String) throws -> [Timing] {
        let errorFile = scratch + "/stderr.txt"
        var seconds = [[Double]](repeating: [], count: commands.count)
        var peaks = [Int](repeating: 0, count: commands.count)
        for run in 0...runs {
            for (index, command) in commands.enumerated() {
                command.prepare?()
                let result = try runOnce(command, errorFile: errorFile)
                guard result.status == 0 else {
                    let detail = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
                    throw BenchError(
                        description:
                            "\(command.display) exited with status \(result.status >> 8)\(detail.isEmpty ? "" : ":\n" + String(detail.suffix(2000)))"
                    )
                }
                if run > 0 {
                    seconds[index].append(result.seconds)
                    peaks[index] = max(peaks[index], result.peakMemory)
                }
            }
        }
        return zip(seconds, peaks).map { Timing(seconds: $0, peakMemory: $1) }
    }

    /// The same timing through hyperfine (`hyperfine -N`), which reports each run's time;
    /// peak memory comes from one extra run of our own.
    static func measureWithHyperfine(_ hyperfine: String, _ command: Command, runs: Int, scratch: String) throws -> Timing {
        let export = scratch + "/hyperfine.json"
        var arguments = [hyperfine, "-N", "--style", "none", "--warmup", "1", "--runs", String(runs), "--export-json", export]
        arguments.append(command.arguments.map(shellQuoted).joined(separator: " "))
        let errorFile = scratch + "/hyperfine-stderr.txt"
        let result = try runOnce(Command(arguments: arguments, environment: command.environment), errorFile: errorFile)
        guard result.status == 0, let data = FileManager.default.contents(atPath: export),
            let json = try? JSONParser.parse(bytes: Array(data)),
            let times = json["results"]?.arrayValue?.first?["times"]?.arrayValue?.compactMap({ $0.numberValue?.doubleValue }),
            !times.isEmpty
        else {
            let detail = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
            throw BenchError(
                description: "hyperfine could not time \(command.display)\(detail.isEmpty ? "" : ":\n" + String(detail.suffix(2000)))")
        }
        command.prepare?()
        let memory = try runOnce(command, errorFile: errorFile).peakMemory
        return Timing(seconds: times, peakMemory: memory)
    }

    static func shellQuoted(_ argument: String) -> String {
        "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// Runs a command to completion and returns its status, standard output and standard error
    /// (for setup steps). Standard error goes through a file, so neither stream can fill and block.
    static func output(
        of arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment, scratch: String
    ) throws -> (status: Int32, out: String, err: String) {
        let errorPath = scratch + "/setup-stderr.txt"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let status = reap(process)
        let err = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return (status, String(decoding: outData, as: UTF8.self), err)
    }

    /// Waits for a child started with `Process` using waitpid(2), and gives its exit status (128 +
    /// the signal when a signal ended it). Not `waitUntilExit()`: with several children, Foundation
    /// here sometimes misses one's exit and waits forever (the test suite once hung on a
    /// `<defunct>` sandbox); when Foundation did reap it first, its own status is used.
    static func reap(_ process: Process) -> Int32 {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(process.processIdentifier, &status, 0) } while result == -1 && errno == EINTR
        guard result == process.processIdentifier else {
            process.waitUntilExit()
            return process.terminationStatus
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Whether an executable is on PATH (or is a path that exists); returns its path.
    static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// An `nwsh-sandbox` process for the run, with its base URL and service principal.
final class SandboxProcess {
    let process = Process()
    let baseURL: String
    static let tenant = "72f988bf-0000-0000-0000-000000000000"
    static let clientID = "11111111-2222-3333-4444-555555555555"
    static let clientSecret = "nwsh-sandbox-secret"

    init(executable: String) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--port", "0", "--retry-after", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where it listens: "nwsh-sandbox listening on http://127.0.0.1:PORT".
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "http://") else {
            process.terminate()
            throw BenchError(description: "nwsh-sandbox did not say where it listens; it printed: \(text)")
        }
        baseURL = String(text[range.lowerBound...].prefix { !$0.isWhitespace })
    }

    /// The environment that points nwsh at this sandbox with its service principal.
    func environment(_ base: [String: String]) -> [String: String] {
        var environment = base
        environment["NWSH_ENDPOINT"] = baseURL
        environment["AZURE_AUTHORITY_HOST"] = baseURL
        environment["AZURE_TENANT_ID"] = Self.tenant
        environment["AZURE_CLIENT_ID"] = Self.clientID
        environment["AZURE_CLIENT_SECRET"] = Self.clientSecret
        environment["NWSH_HISTORY"] = ""
        for key in ["NWSH_ACCESS_TOKEN", "ARMCLIENT_TOKEN", "NWSH_RECORD_MODE"] { environment[key] = nil }
        return environment
    }

    func stop() {
        process.terminate()
        _ = Runner.reap(process)
    }
}
