import ARM
import Cassettes
import CMalloc
import Foundation
import HTTPCore
import LineEditing
import Sandbox
import Shell
import ShellLanguage
import Synchronization

/// The `nwsh` command line: reads the options, wires a transport, credentials and a line reader
/// to a ``Session``, and runs it interactively, on a script, on `-c` text or on piped input.
@main
struct NetworkWatcherShell {
    let options: Options

    static func main() async {
        // Page faults are most of the kernel's share of a large command here: memory one stage
        // frees is reused by the next, and the heap asks for huge pages (`explain` of a
        // 10,000-hop result: 4,490 minor faults became 3,390, then about 1,700; BENCHMARKS.md).
        // First, on the main thread: the heap it tunes is the main thread's.
        _ = nwsh_tune_malloc()
        let options: Options
        do {
            options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            exit(64)
        }
        if options.help {
            FileHandle.standardOutput.write(Data(Options.helpText.utf8))
            exit(0)
        }
        do {
            try await NetworkWatcherShell(options: options).run()
        } catch {
            exit(error.status)
        }
        exit(0)
    }

    var file: String? { options.file }
    var commands: String? { options.commands }
    var endpoint: String? { options.endpoint }
    var sandbox: Bool { options.sandbox }
    var sandboxRetryAfter: Int { options.sandboxRetryAfter }
    var record: String? { options.record }
    var replay: String? { options.replay }
    var recordMode: RecordMode? { options.recordMode }
    var anonymize: Bool { options.anonymize }
    var anonymizeName: [String] { options.anonymizeName }
    var rerun: Bool { options.rerun }
    var color: ColorChoice { options.color }
    var verbose: Bool { options.verbose }

    /// Runs the session; a status other than 0 is thrown.
    func run() async throws(ExitStatus) {
        let environment = ProcessInfo.processInfo.environment
        let stdinIsTerminal = isatty(STDIN_FILENO) == 1
        let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
        let stderrIsTerminal = isatty(STDERR_FILENO) == 1
        let interactive = commands == nil && file == nil && stdinIsTerminal

        var scriptText: String?
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("error: cannot read the script \(file): \(FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file").\n".utf8))
                throw ExitStatus(2)
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
                throw ExitStatus(2)
            }
        }
        let replayOnly = mode == .none && replayed != nil

        let live = LiveTransport(environment: environment)
        let slot = RecorderSlot()
        // Secret values redaction removes, learned so they leave command text, history and -v too.
        let secrets = SecretLedger()
        let recordingTransport = RecordingTransport(wrapping: live, slot: slot, secrets: secrets)
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
            throw ExitStatus(2)
        } catch {
            output.err("error: could not start the sandbox: \(error)\n")
            throw ExitStatus(2)
        }

        let transport: HTTPTransport
        var recording: RecordingContext?
        var replayTransport: ReplayTransport?
        if replayOnly, let replayed, let cassetteFile {
            let replay = ReplayTransport(cassette: replayed, file: cassetteFile, secrets: secrets)
            replayTransport = replay
            transport = replay
        } else {
            recording = RecordingContext(
                slot: slot, source: sandbox ? "sandbox" : configurationEndpoint.baseURL, endpointBase: configurationEndpoint.baseURL,
                secrets: secrets, onFailure: { output.err("error: \($0.description)\n") })
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
                transport = ReplayTransport(cassette: replayed, file: cassetteFile, fallback: recordingTransport, secrets: secrets)
            } else {
                transport = recordingTransport
            }
        }

        let session = Session(
            configuration: ARMConfiguration(endpoint: configurationEndpoint), transport: transport, credentials: credentials,
            sleeper: sleeper, output: output, style: style,
            target: replayOnly ? .replay(file: cassetteFile ?? "") : sandbox ? .sandbox : .azure, environment: environment,
            sourceName: file ?? (commands != nil ? "-c" : rerun ? replay : interactive ? nil : "stdin"), recording: recording,
            currentCassette: { [replayOnly, replayed] in replayOnly ? replayed : slot.recorder?.snapshot }, secrets: secrets)

        var status: Int32
        let runner = ScriptRunner(session: session, output: output)
        if rerun, let replayed {
            status = await runner.rerun(replayed.commandRuns, transport: replayTransport).exitStatus
        } else if let text = commands ?? scriptText {
            status = await runner.run(lines: ScriptRunner.lines(of: text)).exitStatus
        } else if interactive {
            status = await Self.runInteractive(session: session, environment: environment, secrets: secrets)
        } else {
            let reader = PlainLineReader()
            status = await runner.run {
                if case .line(let line) = reader.readLine(prompt: "") { return line }
                return nil
            }.exitStatus
        }
        if await !session.endRecording(), status == 0 { status = 1 }
        await server?.stop()
        if status != 0 { throw ExitStatus(status) }
    }

    /// The interactive shell: libedit, history, completion, Ctrl-C.
    static func runInteractive(session: Session, environment: [String: String], secrets: SecretLedger) async -> Int32 {
        Interrupts.install()
        // The variables as of the last statement, for completion on the input thread.
        let variables = Mutex(Variables())
        let reader = EditLineReader(historyPath: EditLineReader.defaultHistoryPath(environment: environment)) { before, word in
            Completion.candidates(lineBeforeWord: before, word: word, variables: variables.withLock { $0 })
        }
        let input = InputThread(reader: reader)
        var assembler = StatementAssembler()
        // How many learned secrets the history has been cleaned of.
        var historyClean = 0
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
                // History is a file too: tokens, SAS signatures, keys and learned secrets never reach it.
                let redactor = Redactor(ledger: secrets)
                reader.addToHistory(redactor.redactForWriting(text: line))
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
                // A secret this statement sent may have been typed in an earlier line.
                session.flushRecording()
                if secrets.count > historyClean {
                    historyClean = secrets.count
                    reader.rewriteHistory { redactor.redactForWriting(text: $0) }
                }
                let snapshot = await session.variables
                variables.withLock { $0 = snapshot }
                if case .exit(let code) = outcome { return code }
            }
        }
    }
}

/// How nwsh ends, when not with 0.
struct ExitStatus: Error {
    var status: Int32
    init(_ status: Int32) { self.status = status }
}
