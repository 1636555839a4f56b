import ARM
import ArgumentParser
import Cassettes
import Foundation
import LineEditing
import Sandbox
import Shell
import ShellLanguage
import Synchronization

/// The `nwsh` command line: parses flags, wires a transport, credentials and a line reader to a
/// ``Session``, and runs it interactively, on a script, on `-c` text or on piped input.
@main
struct NetworkWatcherShell: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nwsh",
        abstract: "The Network Watcher shell: troubleshoot Azure networking through the ARM REST API.",
        discussion: """
            Runs interactively on a terminal; runs FILE, -c COMMANDS, or commands piped to standard input otherwise.
            A script stops at its first failed command.

            Exit status: 0 success; 1 a command failed (an error, or an HTTP status of 400 or more);
            2 an unreadable script or an endpoint that is not a URL; 64 invalid flags; 'exit N' leaves with N.

            Environment: NWSH_ENDPOINT (ARM endpoint), NWSH_ACCESS_TOKEN or ARMCLIENT_TOKEN (a bearer token),
            AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET (service principal), AZURE_AUTHORITY_HOST,
            HTTPS_PROXY / NO_PROXY, NO_COLOR, NWSH_HISTORY (history file; empty for none).
            """)

    @Argument(help: "A script to run.")
    var file: String?

    @Option(name: .customShort("c"), help: "Commands to run, instead of a script or the interactive shell.")
    var commands: String?

    @Option(help: "The ARM endpoint (default: NWSH_ENDPOINT, else https://management.azure.com).")
    var endpoint: String?

    @Flag(help: "Start the built-in ARM sandbox on a free loopback port and use it; no Azure account needed.")
    var sandbox = false

    @Option(help: "Retry-After seconds the sandbox gives long-running operations.")
    var sandboxRetryAfter: Int = 1

    @Option(help: "Record every command and HTTP exchange (redacted) to this cassette file.")
    var record: String?

    @Option(help: "Answer requests from this cassette instead of the network.")
    var replay: String?

    @Option(help: "none (replay only), once (record if the file does not exist, else replay), new_episodes (replay what matches, record the rest), all (always record). Default: NWSH_RECORD_MODE, else all with --record and none with --replay.")
    var recordMode: RecordMode?

    @Flag(help: "With --record: also replace subscription and tenant IDs with stable placeholders.")
    var anonymize = false

    @Option(help: "With --record --anonymize: a name to replace too (repeatable), such as a resource group.")
    var anonymizeName: [String] = []

    @Flag(help: "With --replay: run the command lines stored in the cassette.")
    var rerun = false

    @Option(help: "Colour: auto, always or never (NO_COLOR also turns it off).")
    var color: ColorChoice = .auto

    @Flag(name: .shortAndLong, help: "Show request and response headers and timings.")
    var verbose = false

    func validate() throws {
        if commands != nil, file != nil { throw ValidationError("Give either a script FILE or -c COMMANDS, not both.") }
        if sandbox, endpoint != nil { throw ValidationError("--sandbox and --endpoint cannot be used together.") }
        if sandbox, replay != nil, recordMode != .newEpisodes { throw ValidationError("--replay answers from the cassette; --sandbox is only useful with --record-mode new_episodes.") }
        if sandboxRetryAfter < 0 { throw ValidationError("--sandbox-retry-after must be 0 or more.") }
        if record != nil, replay != nil { throw ValidationError("Give either --record FILE or --replay FILE, not both (--record-mode new_episodes adds to a cassette).") }
        if rerun, replay == nil { throw ValidationError("--rerun needs --replay FILE.") }
        if rerun, commands != nil || file != nil { throw ValidationError("--rerun runs the cassette's own commands; give no script or -c.") }
        if anonymize || !anonymizeName.isEmpty, record == nil { throw ValidationError("--anonymize needs --record FILE.") }
        if recordMode != nil, record == nil, replay == nil { throw ValidationError("--record-mode needs --record FILE or --replay FILE.") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let stdinIsTerminal = isatty(STDIN_FILENO) == 1
        let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
        let stderrIsTerminal = isatty(STDERR_FILENO) == 1
        let interactive = commands == nil && file == nil && stdinIsTerminal

        var scriptText: String?
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("error: cannot read the script \(file): \(FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file").\n".utf8))
                throw ExitCode(2)
            }
            scriptText = String(decoding: data, as: UTF8.self)
        }

        let output = StandardOutput()
        let style = OutputStyle(
            color: color.enabled(isTerminal: stdoutIsTerminal, environment: environment),
            errorColor: color.enabled(isTerminal: stderrIsTerminal, environment: environment),
            progress: stderrIsTerminal, verbose: verbose)

        // Cassettes: which file, and whether this run records, replays, or both.
        let cassetteFile = record ?? replay
        var mode = recordMode ?? environment["NWSH_RECORD_MODE"].flatMap(RecordMode.init(rawValue:)) ?? (record != nil ? .all : .none)
        var replayed: Cassette?
        if let cassetteFile {
            do throws(CassetteError) {
                if let recovered = try CassetteRecorder.recover(file: cassetteFile) {
                    output.err("Recovered \(recovered) interaction\(recovered == 1 ? "" : "s") from an interrupted recording into \(cassetteFile).\n")
                }
                let exists = FileManager.default.fileExists(atPath: cassetteFile)
                mode = mode.resolved(cassetteExists: exists)
                if mode.readsCassette(exists: exists) { replayed = try Cassette.load(path: cassetteFile) }
            } catch {
                output.err("error: \(error.description)\n")
                throw ExitCode(2)
            }
        }
        let replayOnly = mode == .none && replayed != nil

        let live = LiveTransport(environment: environment)
        let slot = RecorderSlot()
        let recordingTransport = RecordingTransport(wrapping: live, slot: slot)
        let sleeper: Sleeper = replayOnly ? ImmediateSleeper() : RealSleeper()
        var configurationEndpoint: Endpoint
        let credentials: Credentials
        var server: SandboxServer?
        do {
            if replayOnly, let cassetteFile {
                // Nothing is sent: the endpoint only names where URLs point (recorded URLs are host-free).
                configurationEndpoint = try Endpoint(endpoint ?? Endpoint.publicCloud)
                credentials = Credentials(sources: [ReplayTokenSource(file: cassetteFile)])
            } else if sandbox {
                let started = try await SandboxServer.start(options: SandboxOptions(retryAfter: sandboxRetryAfter))
                server = started
                configurationEndpoint = try Endpoint(started.baseURL)
                let data = started.arm.data
                credentials = Credentials(sources: [
                    ClientSecretTokenSource(
                        authority: Authority(host: started.baseURL, tenant: data.tenantID), clientID: data.clientID,
                        clientSecret: data.clientSecret, transport: recordingTransport, name: "the sandbox's service principal"),
                ])
                if interactive {
                    output.err("nwsh sandbox at \(started.baseURL): an emulated subscription (\(data.subscriptionID)); no Azure account needed. Type 'help'.\n")
                }
            } else {
                configurationEndpoint = try Endpoint(endpoint ?? environment["NWSH_ENDPOINT"] ?? Endpoint.publicCloud)
                credentials = Credentials(sources: [
                    EnvironmentTokenSource(environment: environment),
                    ClientSecretTokenSource.fromEnvironment(environment, transport: recordingTransport),
                    AzureCLITokenSource(environment: environment),
                    DeviceCodeTokenSource(
                        authority: Authority(host: environment["AZURE_AUTHORITY_HOST"] ?? Authority.publicCloudHost, tenant: environment["AZURE_TENANT_ID"] ?? "organizations"),
                        transport: recordingTransport, sleeper: sleeper, interactive: interactive, show: { output.err($0 + "\n") }),
                ])
            }
        } catch let error as ARMError {
            output.err("error: \(error.description)\n")
            throw ExitCode(2)
        } catch {
            output.err("error: could not start the sandbox: \(error)\n")
            throw ExitCode(2)
        }

        let transport: HTTPTransport
        var recording: RecordingContext?
        if replayOnly, let replayed, let cassetteFile {
            transport = ReplayTransport(cassette: replayed, file: cassetteFile)
        } else {
            recording = RecordingContext(
                slot: slot, source: sandbox ? "sandbox" : configurationEndpoint.baseURL, endpointBase: configurationEndpoint.baseURL,
                onFailure: { output.err("error: \($0.description)\n") })
            if let cassetteFile, let recording {
                do {
                    slot.recorder = try recording.makeRecorder(
                        file: cassetteFile, events: mode == .newEpisodes ? replayed?.events ?? [] : [],
                        anonymizer: anonymize || !anonymizeName.isEmpty ? Anonymizer(names: anonymizeName) : nil)
                } catch {
                    // Said at once; the session itself still runs.
                    output.err("error: \(error.description)\n")
                }
            }
            if mode == .newEpisodes, let replayed, let cassetteFile {
                transport = ReplayTransport(cassette: replayed, file: cassetteFile, fallback: recordingTransport)
            } else {
                transport = recordingTransport
            }
        }

        let session = Session(
            configuration: ARMConfiguration(endpoint: configurationEndpoint), transport: transport, credentials: credentials,
            sleeper: sleeper, output: output, style: style,
            target: replayOnly ? .replay(file: cassetteFile ?? "") : sandbox ? .sandbox : .azure, environment: environment,
            sourceName: file ?? (commands != nil ? "-c" : rerun ? replay : interactive ? nil : "stdin"), recording: recording,
            currentCassette: { [replayOnly, replayed] in replayOnly ? replayed : slot.recorder?.snapshot })

        var status: Int32
        if rerun, let replayed {
            status = await Self.runScript(lines: replayed.commands.joined(separator: "\n").components(separatedBy: "\n"), session: session, output: output)
        } else if let text = commands ?? scriptText {
            // Split on the byte: "\r\n" is one Character, and Windows line endings must split too.
            let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(Substring($0)) }
            status = await Self.runScript(lines: lines, session: session, output: output)
        } else if interactive {
            status = await Self.runInteractive(session: session, environment: environment)
        } else {
            status = await Self.runPiped(session: session, output: output)
        }
        if await !session.endRecording(), status == 0 { status = 1 }
        await server?.stop()
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs lines as a script: stops at the first failure.
    static func runScript(lines: [String], session: Session, output: OutputSink) async -> Int32 {
        var assembler = StatementAssembler()
        var index = 0
        return await runStatements(session: session, output: output, assembler: &assembler) {
            defer { index += 1 }
            return index < lines.count ? lines[index] : nil
        }
    }

    /// Runs commands piped to standard input, read plainly.
    static func runPiped(session: Session, output: OutputSink) async -> Int32 {
        var assembler = StatementAssembler()
        let reader = PlainLineReader()
        return await runStatements(session: session, output: output, assembler: &assembler) {
            if case .line(let line) = reader.readLine(prompt: "") { return line }
            return nil
        }
    }

    private static func runStatements(session: Session, output: OutputSink, assembler: inout StatementAssembler, next: () -> String?) async -> Int32 {
        var unreachable = false
        while let line = next() {
            guard let (text, firstLine) = assembler.add(line) else { continue }
            switch await session.run(text, firstLine: firstLine) {
            case .success: continue
            case .unreachable: unreachable = true
            case .failure: return 1
            case .exit(let code): return code
            }
        }
        if let error = assembler.unfinishedError() {
            output.err("error: \(error.description)\n")
            return 1
        }
        return unreachable ? 3 : 0
    }

    /// The interactive shell: libedit, history, completion, Ctrl-C.
    static func runInteractive(session: Session, environment: [String: String]) async -> Int32 {
        Interrupts.install()
        let variableNames = Mutex<[String]>([])
        let reader = EditLineReader(historyPath: EditLineReader.defaultHistoryPath(environment: environment)) { before, word in
            Completion.candidates(lineBeforeWord: before, word: word, variables: variableNames.withLock { $0 })
        }
        let input = InputThread(reader: reader)
        var assembler = StatementAssembler()
        while true {
            let prompt = assembler.isContinuing ? ">> " : "nwsh> "
            session.flushRecording()
            switch await input.readLine(prompt: prompt) {
            case .endOfInput:
                return 0
            case .interrupted:
                assembler.reset()
                continue
            case .line(let line):
                // History is a file too: tokens, SAS signatures and keys never reach it.
                reader.addToHistory(Redactor().redact(text: line))
                guard let (text, firstLine) = assembler.add(line) else { continue }
                let running = Task { await session.run(text, firstLine: firstLine) }
                let watcher = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(50))
                        if Interrupts.take() { running.cancel() }
                    }
                }
                let outcome = await running.value
                watcher.cancel()
                let names = await session.variableNames
                variableNames.withLock { $0 = names }
                if case .exit(let code) = outcome { return code }
            }
        }
    }
}

/// Runs the blocking line editor on its own thread, so it never blocks Swift's cooperative pool.
final class InputThread: @unchecked Sendable {
    private let reader: LineReader
    private let queue = DispatchQueue(label: "nwsh.input")

    init(reader: LineReader) {
        self.reader = reader
    }

    func readLine(prompt: String) async -> ReadResult {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.reader.readLine(prompt: prompt)) }
        }
    }
}

extension ColorChoice: ExpressibleByArgument {}
extension RecordMode: ExpressibleByArgument {}
