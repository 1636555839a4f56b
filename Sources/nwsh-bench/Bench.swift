import ArgumentParser
import Benchmarks
import CMalloc
import Cassettes
import Foundation
import JSON

/// `nwsh-bench`: measures nwsh beside the tools people would otherwise use, in one run, and writes
/// the table to BENCHMARKS.md. `scripts/bench` builds release and runs it.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nwsh-bench",
        abstract: "Measure nwsh against its peers and write the table to BENCHMARKS.md.",
        discussion: """
            Medians of several runs (after one warm-up run), with ratios against a peer measured in the same run.
            Uses hyperfine when it is on PATH, else its own runs. Python peers (azure-cli, httpie, vcrpy, requests,
            pyyaml) are installed with pip into .build/bench-venv when missing; a peer that cannot be installed is
            reported as missing in the table. --smoke runs everything tiny, without peers, to check the harness works.
            """)

    @Flag(help: "Tiny sizes, one run, no peers: checks that the harness works (the test suite runs this).")
    var smoke = false

    @Option(help: "Timed runs per command (after one warm-up run).")
    var runs: Int = 5

    @Option(help: "Timed runs per start-up command.")
    var startupRuns: Int = 20

    @Option(help: "Rounds for commands judged against each other (timed in alternation).")
    var pairedRuns: Int = 11

    @Option(help: "Sequential GETs against the sandbox.")
    var gets: Int = 1000

    @Option(help: "Interactions in the replay cassette.")
    var replay: Int = 10000

    @Option(help: "Interactions in the large replay cassette.")
    var replayLarge: Int = 100_000

    @Option(help: "Interactions replayed by vcrpy and by nwsh for comparison (vcrpy scans its cassette per request).")
    var vcrInteractions: Int = 1000

    @Option(help: "Hops in the result that explain narrates.")
    var explainHops: Int = 10000

    @Option(help: "Virtual networks in the lab's generated network (10 VMs, a 100-rule NSG and a 50-route table each).")
    var labNetworks: Int = 1000

    @Option(help: "Connectivity checks and ipFlowVerify questions timed on the lab.")
    var labQuestions: Int = 500

    @Flag(help: "Do not measure or install peers.")
    var noPeers = false

    @Option(help: "Folder with the nwsh and nwsh-sandbox executables (default: this executable's folder).")
    var bin: String?

    @Option(help: "Folder for generated inputs.")
    var work: String = ".build/bench"

    @Option(help: "Markdown file to write the table into (between its nwsh-bench markers). Default: BENCHMARKS.md, or none with --smoke.")
    var output: String?

    @Option(help: .hidden)
    var generateReplay: Int?

    @Option(help: .hidden)
    var generatePrefix: String?

    @Flag(help: .hidden)
    var generatePeerFiles = false

    mutating func validate() throws {
        if smoke {
            runs = 1
            startupRuns = 1
            pairedRuns = 1
            gets = min(gets, 5)
            replay = min(replay, 40)
            replayLarge = min(replayLarge, 400)
            vcrInteractions = min(vcrInteractions, 20)
            explainHops = min(explainHops, 50)
            labNetworks = min(labNetworks, 4)
            labQuestions = min(labQuestions, 10)
            noPeers = true
        }
        for (name, value) in [
            ("--runs", runs), ("--startup-runs", startupRuns), ("--paired-runs", pairedRuns), ("--gets", gets), ("--replay", replay),
            ("--replay-large", replayLarge), ("--vcr-interactions", vcrInteractions), ("--explain-hops", explainHops),
            ("--lab-questions", labQuestions),
        ] where value < 1 {
            throw ValidationError("\(name) must be at least 1 (got \(value)).")
        }
        if !(2...1024).contains(labNetworks) { throw ValidationError("--lab-networks must be 2 to 1,024 (got \(labNetworks)).") }
    }

    func run() async throws {
        do {
            if let generateReplay, let generatePrefix {
                try writeReplayInput(generateReplay, prefix: generatePrefix, peerFiles: generatePeerFiles)
                return
            }
            try await measureEverything()
        } catch let error as BenchError {
            FileHandle.standardError.write(Data("nwsh-bench: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    func log(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func measureEverything() async throws {
        let binDirectory = bin ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let nwsh = binDirectory + "/nwsh"
        let sandboxExecutable = binDirectory + "/nwsh-sandbox"
        for executable in [nwsh, sandboxExecutable] where !FileManager.default.isExecutableFile(atPath: executable) {
            throw BenchError(
                description: "\(executable) not found; build first (scripts/bench builds release), or name the folder with --bin.")
        }
        let work = URL(fileURLWithPath: self.work).standardizedFileURL.path
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        } catch {
            throw BenchError(description: "cannot create the work folder \(work): \(error.localizedDescription)")
        }
        let hyperfine = Runner.which("hyperfine")
        var missing: [String: String] = [:]
        let peers = PythonPeers(environment: URL(fileURLWithPath: ".build/bench-venv").standardizedFileURL.path, scratch: work)
        if !noPeers { missing = peers.install(log: log) }
        let peerStatus = { (name: String, measure: () throws -> Timing) -> PeerStatus in
            if noPeers { return .notRun(smoke ? "not run (smoke mode)" : "not run (--no-peers)") }
            if let reason = missing[name] { return .missing(reason) }
            do { return .measured(try measure()) } catch let error as BenchError { return .missing(error.description) } catch {
                return .missing("\(error)")
            }
        }
        func time(_ command: Command, runs: Int) throws -> Timing {
            log("Timing \(command.display) (\(runs) run\(runs == 1 ? "" : "s"))...")
            if let hyperfine { return try Runner.measureWithHyperfine(hyperfine, command, runs: runs, scratch: work) }
            return try Runner.measure(command, runs: runs, scratch: work)
        }
        func interleaved(_ commands: [Command]) throws -> [Timing] {
            log("Timing in alternation (\(pairedRuns) rounds): " + commands.map(\.display).joined(separator: " | "))
            return try Runner.measureInterleaved(commands, runs: pairedRuns, scratch: work)
        }
        var base = ProcessInfo.processInfo.environment
        base["NWSH_HISTORY"] = ""
        var rows: [Row] = []

        // Start-up.
        let startup = try time(Command(arguments: [nwsh, "-c", "exit"], environment: base), runs: startupRuns)
        rows.append(
            Row(figure: "start-up to ready, `nwsh -c exit`", nwsh: .measured(startup), target: "≤ 15 ms") { nwsh, _ in nwsh <= 0.015 })
        rows.append(
            Row(
                figure: "start-up vs Azure CLI", nwsh: .measured(startup),
                peer: (
                    "`az --version`",
                    peerStatus("az") {
                        try time(Command(arguments: [peers.az, "--version"], environment: base), runs: min(startupRuns, 5))
                    }
                ),
                target: "≥ 50× faster (≤ 0.02×)"
            ) { nwsh, peer in peer.map { nwsh * 50 <= $0 } ?? false })
        rows.append(
            Row(
                figure: "start-up vs HTTPie", nwsh: .measured(startup),
                peer: (
                    "`http --version`",
                    peerStatus("http") {
                        try time(Command(arguments: [peers.http, "--version"], environment: base), runs: min(startupRuns, 10))
                    }
                ),
                target: "— (reference)"))
        let floor = try time(Command(arguments: ["/bin/true"], environment: base), runs: startupRuns)
        rows.append(
            Row(figure: "start-up vs the floor", nwsh: .measured(startup), peer: ("`/bin/true`", .measured(floor)), target: "— (floor)"))

        // Sequential GETs against the sandbox, with and without recording, and curl.
        let sandbox = try SandboxProcess(executable: sandboxExecutable)
        defer { sandbox.stop() }
        let (paths, script) = BenchmarkInputs.sandboxGets(count: gets)
        let scriptFile = work + "/gets.nwsh"
        try write(script, to: scriptFile)
        let sandboxEnvironment = sandbox.environment(base)
        let cassetteFile = work + "/gets.cassette.json"
        let removeCassette = { _ = try? FileManager.default.removeItem(atPath: cassetteFile) }
        // Recording is judged against the same session without it, and the session against curl:
        // all three timed in alternation, so a slow minute of the machine meets each of them.
        var curlStatus: PeerStatus = .notRun("not run (--no-peers)")
        var curlCommand: Command?
        if !noPeers {
            do {
                guard let curl = Runner.which("curl") else { throw BenchError(description: "curl not found") }
                let token = try sandboxToken(curl: curl, sandbox: sandbox, scratch: work)
                let config = work + "/gets.curl"
                try write(BenchmarkInputs.curlConfig(base: sandbox.baseURL, paths: paths, token: token), to: config)
                curlCommand = Command(arguments: [curl, "--config", config], environment: base)
            } catch let error as BenchError {
                curlStatus = .missing(error.description)
            }
        } else if smoke {
            curlStatus = .notRun("not run (smoke mode)")
        }
        let timings = try interleaved(
            [
                Command(arguments: [nwsh, scriptFile], environment: sandboxEnvironment),
                Command(arguments: [nwsh, "--record", cassetteFile, scriptFile], environment: sandboxEnvironment, prepare: removeCassette),
            ] + (curlCommand.map { [$0] } ?? []))
        let (plain, recording) = (timings[0], timings[1])
        if curlCommand != nil { curlStatus = .measured(timings[2]) }
        let getsLabel = "\(Report.grouped(gets)) sequential GETs against the sandbox, one session"
        rows.append(
            Row(
                figure: getsLabel, nwsh: .measured(plain), peer: ("curl, same URLs, one process", curlStatus), target: "≤ 2× curl",
                paired: true
            ) { nwsh, peer in
                peer.map { nwsh <= 2 * $0 } ?? false
            })
        rows.append(
            Row(
                figure: getsLabel + ", recording", nwsh: .measured(recording), peer: ("nwsh without recording", .measured(plain)),
                target: "≤ 1.25×", paired: true
            ) { nwsh, peer in
                peer.map { nwsh <= 1.25 * $0 } ?? false
            })

        // Replay.
        let smallFile = try replayInput(vcrInteractions, in: work, name: "replay-small", peerFiles: !noPeers)
        let smallReplay = try time(
            Command(arguments: [nwsh, "--replay", smallFile + ".cassette.json", smallFile + ".nwsh"], environment: base), runs: runs)
        rows.append(
            Row(
                figure: "replaying \(Report.grouped(vcrInteractions)) recorded interactions", nwsh: .measured(smallReplay),
                peer: (
                    "vcrpy + requests",
                    peerStatus("vcrpy") {
                        try write(BenchmarkInputs.vcrPeerScript, to: work + "/vcr_peer.py")
                        return try time(
                            Command(
                                arguments: [peers.python, work + "/vcr_peer.py", smallFile + ".vcr.yaml", smallFile + ".requests.json"],
                                environment: base), runs: min(runs, 3))
                    }
                ), target: "— (reference)"))
        let replayFile = try replayInput(replay, in: work, name: "replay")
        let largeFile = try replayInput(replayLarge, in: work, name: "replay-large")
        // The large replay is judged against the small one: timed in alternation.
        let replays = try interleaved([
            Command(arguments: [nwsh, "--replay", replayFile + ".cassette.json", replayFile + ".nwsh"], environment: base),
            Command(arguments: [nwsh, "--replay", largeFile + ".cassette.json", largeFile + ".nwsh"], environment: base),
        ])
        let (replayTime, largeTime) = (replays[0], replays[1])
        rows.append(
            Row(
                figure: "replaying \(Report.grouped(replay)) recorded interactions (LRO poll chains included)", nwsh: .measured(replayTime),
                target: "≤ 1 s"
            ) { nwsh, _ in nwsh <= 1 })
        let growth = Double(replayLarge) / Double(replay)
        rows.append(
            Row(
                figure: "replaying \(Report.grouped(replayLarge)) recorded interactions", nwsh: .measured(largeTime),
                peer: ("nwsh replaying \(Report.grouped(replay))", .measured(replayTime)),
                target: "≤ \(Report.formatted(growth * 1.1, digits: 1))× (linear)", paired: true
            ) { nwsh, peer in
                peer.map { nwsh <= growth * 1.1 * $0 } ?? false
            })

        // explain (after the memory-measured runs: this process writes its input).
        let explainFile = "\(work)/explain-\(explainHops).json"
        try write(BenchmarkInputs.longConnectivityResult(hops: explainHops), to: explainFile)
        // A short command, timed as often as start-up.
        let explainTime = try time(Command(arguments: [nwsh, "-c", "explain @\(explainFile)"], environment: base), runs: startupRuns)
        rows.append(
            Row(
                figure: "`explain` of a generated \(Report.grouped(explainHops))-hop result (`nwsh -c`, start-up included)",
                nwsh: .measured(explainTime), target: "≤ 100 ms"
            ) { nwsh, _ in
                nwsh <= 0.1
            })

        // Memory.
        let cassetteSize = (try? FileManager.default.attributesOfItem(atPath: replayFile + ".cassette.json")[.size] as? Int) ?? 0
        let limit = 3 * cassetteSize + 50_000_000
        rows.append(
            Row(
                figure: "peak memory replaying the \(Report.grouped(replay))-interaction cassette (\(Report.bytes(cassetteSize)) file)",
                nwsh: .measured(replayTime),
                target: "≤ 3 × file + 50 MB = \(Report.bytes(limit))", unit: .bytes
            ) { nwsh, _ in nwsh <= Double(limit) })

        // The network lab (last: this process holds the generated network), loaded with malloc
        // tuned as nwsh and nwsh-sandbox tune it (Sources/CMalloc); the figures above time child
        // processes, which this does not touch.
        _ = nwsh_tune_malloc()
        let lab = LabInput(virtualNetworks: labNetworks)
        let labFile = "\(work)/lab-\(labNetworks).json"
        try write(lab.json, to: labFile)
        let labSize = (try? FileManager.default.attributesOfItem(atPath: labFile)[.size] as? Int) ?? 0
        log("Timing the lab: \(lab.description) (\(Report.bytes(labSize)))...")
        let figures = try await LabBench(input: lab, file: labFile, questions: labQuestions).measure(loads: runs, log: log)
        if let problem = figures.unexpected.first {
            throw BenchError(description: "the lab answered a question unexpectedly: \(problem) (\(figures.unexpected.count) in all)")
        }
        rows.append(
            Row(
                figure: "loading the lab: \(lab.description) (\(Report.bytes(labSize)) of JSON), to its first answer",
                nwsh: .measured(figures.load), target: "≤ 2 s"
            ) { nwsh, _ in nwsh <= 2 })
        rows.append(
            Row(
                figure: "a connectivity check's computation on that lab (median of \(Report.grouped(labQuestions)); no waiting)",
                nwsh: .measured(figures.check), target: "≤ 5 ms"
            ) { nwsh, _ in nwsh <= 0.005 })
        rows.append(
            Row(
                figure: "an ipFlowVerify on that lab (median of \(Report.grouped(labQuestions)))", nwsh: .measured(figures.ipFlowVerify),
                target: "≤ 1 ms"
            ) { nwsh, _ in nwsh <= 0.001 })

        let table = Report.table(rows)
        print(table, terminator: "")
        let timer = hyperfine.map { "hyperfine (\($0))" } ?? "nwsh-bench's own runs (hyperfine not installed)"
        let context = """
            Measured \(ISO8601DateFormatter().string(from: Date())) on \(machine()), \(ProcessInfo.processInfo.activeProcessorCount) cores, timed by \(timer); \
            medians of \(runs) runs (\(startupRuns) for start-up) after one warm-up run; commands judged against each other are timed in \
            alternation, \(pairedRuns) rounds, and their ratio is the median of the rounds' ratios. \
            Command: `scripts/bench\(smoke ? " --smoke" : "")`.

            """
        let outputFile = output ?? (smoke ? nil : "BENCHMARKS.md")
        if let outputFile {
            let existing = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
            try write(Report.splice(context + "\n" + table, into: existing), to: outputFile)
            log("Wrote the table to \(outputFile).")
        }
    }

    /// Writes a replay workload (cassette, script and, with `peerFiles`, the vcrpy cassette and
    /// request list) in a child process, and returns the files' common prefix. A child, because
    /// Linux hands a spawned process's peak-memory figure (`ru_maxrss`) the parent's high-water
    /// mark at exec: had this process built a 100,000-interaction cassette in memory, every nwsh
    /// measured after it would seem to peak at least that high.
    func replayInput(_ count: Int, in work: String, name: String, peerFiles: Bool = false) throws -> String {
        let prefix = "\(work)/\(name)-\(count)"
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let result = try Runner.output(
            of: [executable, "--generate-replay", String(count), "--generate-prefix", prefix]
                + (peerFiles ? ["--generate-peer-files"] : []), scratch: work)
        guard result.status == 0 else { throw BenchError(description: "generating the \(count)-interaction replay failed: \(result.err)") }
        return prefix
    }

    func writeReplayInput(_ count: Int, prefix: String, peerFiles: Bool) throws {
        let input = BenchmarkInputs.replay(interactions: count)
        try write(input.cassette.text, to: prefix + ".cassette.json")
        try write(input.script, to: prefix + ".nwsh")
        if peerFiles {
            try write(BenchmarkInputs.vcrCassette(input), to: prefix + ".vcr.yaml")
            try write(BenchmarkInputs.peerRequests(input), to: prefix + ".requests.json")
        }
    }

    func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError(description: "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// A bearer token from the sandbox's token endpoint, fetched with curl (the peer needs one).
    func sandboxToken(curl: String, sandbox: SandboxProcess, scratch: String) throws -> String {
        let result = try Runner.output(
            of: [
                curl, "-s", "-d",
                "grant_type=client_credentials&client_id=\(SandboxProcess.clientID)&client_secret=\(SandboxProcess.clientSecret)&scope=https://management.azure.com/.default",
                "\(sandbox.baseURL)/\(SandboxProcess.tenant)/oauth2/v2.0/token",
            ], scratch: scratch)
        guard result.status == 0, let token = (try? JSONParser.parse(result.out))?["access_token"]?.stringValue else {
            throw BenchError(description: "could not get a token from the sandbox with curl: \(result.out)\(result.err)")
        }
        return token
    }

    func machine() -> String {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "Linux \(release) \(machine)"
    }
}
