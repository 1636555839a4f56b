import ARM
import ARMPaths
import Cassettes
import Diagnostics
import Foundation
import HTTPCore
import JSON
import ShellLanguage

/// How a statement or script ended.
public enum Outcome: Sendable, Equatable {
    case success
    /// A command failed (shell error, ARM error, HTTP status 400 or more).
    case failure
    /// `exit` was run, with this status.
    case exit(Int32)
    /// `check` found the destination not reachable. A script goes on (so `explain` can follow)
    /// and ends with status 3.
    case unreachable
}

/// Where the session's requests go, for messages.
public enum SessionTarget: Sendable, Equatable {
    /// Azure (or whatever `--endpoint` names).
    case azure
    /// The built-in sandbox.
    case sandbox
    /// A cassette, replayed.
    case replay(file: String)
}

/// A shell session: its state (variables, the last result and check), the services its commands
/// use, and the one funnel that runs a statement. The commands themselves are ``ShellCommand``
/// types, found in ``CommandRegistry``. One statement runs at a time.
public actor Session {
    // MARK: State

    public internal(set) var variables: Variables
    /// The last value a request returned: what `explain` with no argument explains.
    var lastResult: JSONValue?
    /// The session's connectivity checks (by `check`, or a POST to `.../connectivityCheck`) and
    /// their results, the last ``checkMemory`` of them: `explain` of the last one also suggests
    /// watcher questions, and `diff` with no arguments compares the last two of the same flow.
    private(set) var checks: [(context: CheckContext, result: JSONValue)] = []
    /// How many checks the session remembers.
    static let checkMemory = 50

    /// Where `cd` has gone in ARM's tree: relative paths are read from here. `/` at first, in
    /// every session, so a script depends on it only when it uses `cd`.
    public internal(set) var location = ARMPath.root
    /// Where `cd` was before (`cd -`).
    var previousLocation: ARMPath?
    /// The subscription `~` stands for, once looked up.
    var homeLocation: ARMPath?
    /// What lies under the places looked up this session (``children(at:quietly:)``: by Tab, by
    /// `ls`, by a search for a missing segment), by the lower-cased place; emptied by a statement
    /// that writes (put, patch, delete, post), which can change what is there.
    var completionCache: [String: [PathCompletion.Child]] = [:]
    /// How many times the completion cache was emptied: a lookup that started before then does
    /// not fill it afterwards.
    var completionGeneration = 0

    /// The last connectivity check and its result.
    var lastCheck: (context: CheckContext, result: JSONValue)? { checks.last }

    /// Remembers a check and its result.
    func remember(check context: CheckContext, result: JSONValue) {
        checks.append((context, result))
        if checks.count > Self.checkMemory { checks.removeFirst(checks.count - Self.checkMemory) }
    }

    // MARK: Services

    /// The sign-in (`login`, `whoami`).
    let credentials: Credentials
    /// Sends the commands' ARM calls, with progress and errors as the shell shows them.
    let sender: RequestSender
    let output: OutputSink
    let style: OutputStyle
    let target: SessionTarget
    /// Where relative paths in commands are read from.
    let directory: WorkingDirectory
    let reporter: CallReporter
    /// Prefix for messages about a script's lines (`check.nwsh`); nil interactively.
    let sourceName: String?
    /// Recording controls; nil when replaying.
    let recording: RecordingContext?
    /// The session's cassette so far (being recorded, or replayed), for `export` and `bundle`.
    let currentCassette: (@Sendable () -> Cassette?)?
    /// The Azure cloud the session is for (its endpoint's).
    let cloud: AzureCloud

    public init(
        configuration: ARMConfiguration, transport: HTTPTransport, credentials: Credentials, sleeper: Sleeper = RealSleeper(),
        output: OutputSink, style: OutputStyle, target: SessionTarget = .azure,
        environment: [String: String] = [:], workingDirectory: String = FileManager.default.currentDirectoryPath, sourceName: String? = nil,
        recording: RecordingContext? = nil, currentCassette: (@Sendable () -> Cassette?)? = nil, secrets: SecretLedger = SecretLedger()
    ) {
        self.recording = recording
        self.currentCassette = currentCassette
        self.cloud = configuration.endpoint.cloud
        let output: OutputSink = recording.map { JournaledOutput(inner: output, slot: $0.slot) } ?? output
        let reporter = CallReporter(output: output, style: style, secrets: secrets)
        self.reporter = reporter
        let client = ARMClient(configuration: configuration, transport: transport, credentials: credentials, sleeper: sleeper) {
            reporter.handle($0)
        }
        self.credentials = credentials
        // The provider metadata cache is for Azure: the sandbox answers at once, on a new port each run.
        let cache = target == .azure ? ProviderCache.directory(environment: environment).map(ProviderCache.init) : nil
        let versions = APIVersionFiller(
            endpoint: configuration.endpoint.baseURL, cache: cache,
            recording: { [recording] in recording?.recorder.map(ObjectIdentifier.init) })
        self.sender = RequestSender(client: client, versions: versions, reporter: reporter, output: output, style: style)
        self.output = output
        self.style = style
        self.target = target
        self.variables = Variables(environment: environment)
        self.directory = WorkingDirectory(path: workingDirectory)
        self.sourceName = sourceName
    }

    /// Waits until everything recorded so far is in the cassette's journal. Output does this by
    /// itself; the interactive shell calls it before showing the next prompt, which says that a
    /// statement is done even when it printed nothing.
    public nonisolated func flushRecording() {
        recording?.recorder?.flush()
    }

    /// Runs one complete statement text (possibly several lines, for here-strings) whose first line
    /// is `firstLine` of its source. Stops at the first statement that does not succeed.
    public func run(_ text: String, firstLine: Int = 1) async -> Outcome {
        // How the statement ends is recorded after it, so `--rerun` can end it the same way; the
        // recorder it started with is the one told (`record start` and `record stop` change it).
        let recorder = recording?.recorder
        recorder?.record(command: text)
        let (outcome, status) = await runRecorded(text, firstLine: firstLine)
        if let recorder, recorder === recording?.recorder { recorder.record(ending: status) }
        return outcome
    }

    private func runRecorded(_ text: String, firstLine: Int) async -> (Outcome, Cassette.CommandStatus) {
        let statements: [Statement]
        do {
            statements = try Parser.parse(text, firstLine: firstLine)
        } catch {
            report(.language(error), line: firstLine)
            return (.failure, .failed)
        }
        var final = Outcome.success
        for statement in statements {
            let outcome: Outcome
            do {
                outcome = try await execute(statement)
            } catch let error as ShellError {
                report(error, line: firstLine)
                outcome = .failure
            } catch let error as LanguageError {
                report(.language(error), line: firstLine)
                outcome = .failure
            } catch let error as ARMError {
                report(.arm(error), line: firstLine)
                outcome = .failure
            } catch let error as CassetteError {
                report(.cassette(error), line: firstLine)
                outcome = .failure
            } catch is CancellationError {
                reporter.finish()
                output.err("Interrupted.\n")
                return (.failure, .interrupted)
            } catch {
                report(.unexpected(String(describing: error)), line: firstLine)
                outcome = .failure
            }
            if outcome == .unreachable {
                final = .unreachable
            } else if outcome != .success {
                return (outcome, outcome == .failure ? .failed : .succeeded)
            }
        }
        return (final, final == .unreachable ? .unreachable : .succeeded)
    }

    /// Writes an error; in a script, prefixed with the script name and line.
    func report(_ error: ShellError, line: Int?) {
        reporter.finish()
        let prefix = line.flatMap { line in sourceName.map { "\($0):\(line): " } } ?? ""
        output.err(style.red("error: ") + prefix + error.description + "\n")
    }

    private func execute(_ statement: Statement) async throws -> Outcome {
        let evaluator = Evaluator(variables: variables)
        switch statement {
        case .assignment(let name, _, let expression):
            guard !Variables.isReadOnly(name) else { throw ShellError.readOnlyVariable(name) }
            switch expression {
            case .word(let word):
                variables.set(name, to: try evaluator.value(word))
                return .success
            case .command(let invocation):
                let result = try await perform(invocation)
                if case .exit = result.outcome { return result.outcome }
                if let value = result.value { variables.set(name, to: value) }
                return result.outcome
            }
        case .show(let reference):
            show(try evaluator.value(of: reference))
            return .success
        case .value(let word):
            show(try evaluator.value(word))
            return .success
        case .command(let invocation):
            let result = try await perform(invocation)
            if let display = result.display {
                output.out(display)
            } else if let value = result.value, result.shown {
                show(value)
            }
            return result.outcome
        }
    }

    /// Runs a command: the one its name names in ``CommandRegistry``.
    private func perform(_ invocation: CommandInvocation) async throws -> CommandResult {
        if invocation.name == Parser.ignoredPrefix {
            throw ShellError.missingArgument(
                command: "armclient", what: "a verb",
                usage: "armclient get|post|put|patch|delete URL ... (armclient is accepted and ignored)")
        }
        guard let command = CommandRegistry.command(named: invocation.name) else {
            throw ShellError.unknownCommand(invocation.name, suggestion: Suggestion.closest(to: invocation.name, in: CommandRegistry.names))
        }
        return try await command.run(invocation.arguments, in: self)
    }

    /// Writes the cassette being recorded, if any, when the session ends; false when that failed
    /// (the error has been shown).
    public func endRecording() -> Bool {
        do {
            try recording?.finish(output: output)
            return true
        } catch {
            report(error, line: nil)
            return false
        }
    }

    /// Prints a value: strings as text, `$null` as nothing, everything else as JSON.
    func show(_ value: JSONValue) {
        switch value {
        case .null: return
        case .string(let text): output.out(TerminalText.sanitized(text) + "\n")
        default: output.out(style.jsonFormatter.format(value) + "\n")
        }
    }
}
