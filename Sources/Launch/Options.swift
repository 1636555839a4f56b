import Cassettes
import HTTPCore
import Shell
import ShellLanguage

/// nwsh's command line, read by hand. ArgumentParser finds a command's options by reflection,
/// and in a statically linked binary its first parse (Mirror, dynamic casts, the runtime's
/// conformance scans) cost about 4 ms of a 15 ms start-up (BENCHMARKS.md); this costs nothing
/// measurable. Options are `--name VALUE` or `--name=VALUE`; `--` ends them.
///
/// What a run then does with them is worked out by ``LaunchPlan``.
public struct Options: Equatable, Sendable {
    public var file: String?
    public var commands: String?
    public var endpoint: String?
    /// `--cloud`: the Azure cloud the session is for.
    public var cloud: AzureCloud?
    public var sandbox = false
    public var sandboxRetryAfter = 1
    /// With `--sandbox`: the file the lab's network is loaded from (``LabFile``).
    public var lab: String?
    public var record: String?
    public var replay: String?
    public var recordMode: RecordMode?
    public var anonymize = false
    public var anonymizeName: [String] = []
    public var rerun = false
    public var color: ColorChoice = .auto
    public var verbose = false
    /// `-h`/`--help`: print ``helpText`` and leave.
    public var help = false
    /// `--version`: print ``versionText`` and leave.
    public var version = false
    /// `--manual`: print the man page (``Manual``) and leave.
    public var manual = false
    /// `--completion-script SHELL`: print that shell's completion script and leave.
    public var completionScript: CompletionScript.Shell?

    /// Whether the run only prints something about nwsh itself and leaves, so other options are
    /// not checked: `--help`, `--version`, `--manual`, `--completion-script`.
    public var onlyPrints: Bool { help || version || manual || completionScript != nil }

    /// What a run that only prints prints (``onlyPrints``); nil for a run that does more.
    public var printedText: String? {
        if help { return Self.helpText }
        if version { return Self.versionText }
        if manual { return Manual.page }
        return completionScript.map(CompletionScript.script(for:))
    }

    /// What `nwsh --version` prints: the version cassettes, HAR files and bundles carry
    /// (``NWSHVersion``), so the two cannot differ.
    public static var versionText: String { NWSHVersion.recordedWith + "\n" }

    public init() {}

    /// A command line nwsh cannot run; ``description`` says why. Exit status 64.
    public struct UsageError: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { "error: \(message)\nUsage: \(Options.usage); 'nwsh --help' lists the options." }
    }

    static let usage = "nwsh [FILE | -c COMMANDS] [--sandbox | --endpoint URL] [--record FILE | --replay FILE] [options]"

    /// nwsh's options, each declared once: its names, its value's name (nil for a flag) and its
    /// help. Parsing switches over them, so every option is handled by name.
    enum Flag: CaseIterable {
        case commands, endpoint, cloud, sandbox, sandboxRetryAfter, lab, record, replay, recordMode, anonymize, anonymizeName, rerun, color,
            verbose,
            completionScript, manual, version, help

        var names: [String] {
            switch self {
            case .commands: ["-c"]
            case .endpoint: ["--endpoint"]
            case .cloud: ["--cloud"]
            case .sandbox: ["--sandbox"]
            case .sandboxRetryAfter: ["--sandbox-retry-after"]
            case .lab: ["--lab"]
            case .record: ["--record"]
            case .replay: ["--replay"]
            case .recordMode: ["--record-mode"]
            case .anonymize: ["--anonymize"]
            case .anonymizeName: ["--anonymize-name"]
            case .rerun: ["--rerun"]
            case .color: ["--color"]
            case .verbose: ["-v", "--verbose"]
            case .completionScript: ["--completion-script"]
            case .manual: ["--manual"]
            case .version: ["--version"]
            case .help: ["-h", "--help"]
            }
        }

        /// What a shell completes for the value.
        enum ValueCompletion: Equatable {
            /// Nothing: free text (a URL, commands, a number, a name), or a flag without a value.
            case none
            /// A file name.
            case file
            /// One of these words.
            case choices([String])
        }

        /// What a shell completes for the value (``CompletionScript``).
        var completion: ValueCompletion {
            switch self {
            case .lab, .record, .replay: .file
            case .recordMode: .choices(RecordMode.allCases.map(\.rawValue))
            case .color: .choices(ColorChoice.allCases.map(\.rawValue))
            case .cloud: .choices(AzureCloud.all.map(\.name))
            case .completionScript: .choices(CompletionScript.Shell.allCases.map(\.rawValue))
            case .commands, .endpoint, .sandbox, .sandboxRetryAfter, .anonymize, .anonymizeName, .rerun, .verbose, .manual, .version, .help:
                .none
            }
        }

        /// Whether the option may be given more than once.
        var repeatable: Bool { self == .anonymizeName }

        /// The value's name in help; nil for a flag, which takes none.
        var value: String? {
            switch self {
            case .commands: "COMMANDS"
            case .endpoint: "URL"
            case .cloud: "CLOUD"
            case .sandboxRetryAfter: "SECONDS"
            case .lab, .record, .replay: "FILE"
            case .recordMode: "MODE"
            case .anonymizeName: "NAME"
            case .color: "WHEN"
            case .completionScript: "SHELL"
            case .sandbox, .anonymize, .rerun, .verbose, .manual, .version, .help: nil
            }
        }

        var help: String {
            switch self {
            case .commands: "Commands to run, instead of a script or the interactive shell."
            case .endpoint: "The ARM endpoint (default: NWSH_ENDPOINT, else the cloud's: https://management.azure.com for AzureCloud)."
            case .cloud:
                "AzureCloud, AzureUSGovernment or AzureChinaCloud: the cloud whose ARM endpoint, sign-in and token audience to use. Default: a replayed cassette's, else NWSH_CLOUD, else the one whose ARM endpoint --endpoint is, else the Azure CLI's when nwsh borrows its sign-in, else AzureCloud."
            case .sandbox: "Start the built-in ARM sandbox on a free loopback port and use it; no Azure account needed."
            case .sandboxRetryAfter: "Retry-After seconds the sandbox gives long-running operations (default 1)."
            case .lab:
                "With --sandbox: load the lab's network from FILE (an nwsh cassette, a HAR file, a vcrpy YAML cassette, or JSON with ARM resources) instead of the Contoso one."
            case .record: "Record every command and HTTP exchange (redacted) to this cassette file."
            case .replay: "Answer requests from this cassette instead of the network."
            case .recordMode:
                "none (replay only), once (record if the file does not exist, else replay), new_episodes (replay what matches, record the rest), all (always record). Default: NWSH_RECORD_MODE, else all with --record and none with --replay."
            case .anonymize: "With --record: also replace subscription and tenant IDs with stable placeholders."
            case .anonymizeName: "With --record --anonymize: a name to replace too (repeatable), such as a resource group."
            case .rerun: "With --replay: run the command lines stored in the cassette."
            case .color: "Colour: auto, always or never (NO_COLOR also turns it off)."
            case .verbose: "Show request and response headers and timings."
            case .completionScript:
                "Print the completion of nwsh's options for SHELL (bash, zsh or fish) and leave; scripts/install installs them."
            case .manual: "Print the man page nwsh.1 (roff, made from this help) and leave."
            case .version: "Print nwsh's version (the one its cassettes, HAR files and bundles carry) and leave."
            case .help: "Show this help."
            }
        }
    }

    /// Reads the arguments after the program name.
    public static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var rest = arguments[...]
        var positional: [String] = []
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("-"), argument != "-" else {
                positional.append(argument)
                continue
            }
            if argument == "--" {
                positional += rest
                break
            }
            var name = argument
            var attached: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                attached = String(argument[argument.index(after: equals)...])
            }
            guard let flag = Flag.allCases.first(where: { $0.names.contains(name) }) else {
                let suggestion = Suggestion.closest(to: name, in: Flag.allCases.flatMap(\.names)).map { " Did you mean '\($0)'?" } ?? ""
                throw UsageError(message: "unknown option '\(name)'.\(suggestion)")
            }
            var value: String?
            if let valueName = flag.value {
                guard let given = attached ?? rest.popFirst() else { throw UsageError(message: "\(name) needs a value (\(valueName)).") }
                value = given
            } else if attached != nil {
                throw UsageError(message: "\(name) takes no value.")
            }
            // A flag's value is nil; an option's is there (checked above).
            let text = value ?? ""
            switch flag {
            case .sandbox: options.sandbox = true
            case .anonymize: options.anonymize = true
            case .rerun: options.rerun = true
            case .verbose: options.verbose = true
            case .help: options.help = true
            case .version: options.version = true
            case .manual: options.manual = true
            case .completionScript:
                guard let shell = CompletionScript.Shell(rawValue: text) else {
                    throw UsageError(
                        message:
                            "--completion-script must be \(alternatives(CompletionScript.Shell.allCases.map(\.rawValue))), not '\(text)'.")
                }
                options.completionScript = shell
            case .commands: options.commands = text
            case .endpoint: options.endpoint = text
            case .cloud:
                guard let cloud = AzureCloud.named(text) else {
                    throw UsageError(message: "--cloud must be \(cloudNames), not '\(text)'.\(cloudSuggestion(for: text))")
                }
                options.cloud = cloud
            case .sandboxRetryAfter:
                guard let seconds = Int(text), seconds >= 0 else {
                    throw UsageError(message: "--sandbox-retry-after must be a whole number of seconds, 0 or more, not '\(text)'.")
                }
                options.sandboxRetryAfter = seconds
            case .lab: options.lab = text
            case .record: options.record = text
            case .replay: options.replay = text
            case .recordMode:
                guard let mode = RecordMode(rawValue: text) else {
                    throw UsageError(message: "--record-mode must be \(alternatives(RecordMode.allCases.map(\.rawValue))), not '\(text)'.")
                }
                options.recordMode = mode
            case .anonymizeName: options.anonymizeName.append(text)
            case .color:
                guard let color = ColorChoice(rawValue: text) else {
                    throw UsageError(message: "--color must be \(alternatives(ColorChoice.allCases.map(\.rawValue))), not '\(text)'.")
                }
                options.color = color
            }
        }
        if positional.count > 1 { throw UsageError(message: "unexpected argument '\(positional[1])': give one script FILE.") }
        options.file = positional.first
        if !options.onlyPrints { try options.validate() }
        return options
    }

    /// "AzureCloud, AzureUSGovernment or AzureChinaCloud", for messages.
    static var cloudNames: String { alternatives(AzureCloud.all.map(\.name)) }

    /// " Did you mean 'AzureUSGovernment'?" for a cloud name that is part of one nwsh knows
    /// (`AzureGov`) or a typing slip away from one; empty otherwise.
    static func cloudSuggestion(for name: String) -> String {
        // "AzureGov", "usgov", "China": the part after "Azure" found in one cloud's name alone.
        var key = name.lowercased()
        if key.hasPrefix("azure") { key.removeFirst("azure".count) }
        let containing = key.count >= 2 ? AzureCloud.all.filter { $0.name.lowercased().dropFirst("azure".count).contains(key) } : []
        let suggestion = containing.count == 1 ? containing[0].name : Suggestion.closest(to: name, in: AzureCloud.all.map(\.name))
        return suggestion.map { " Did you mean '\($0)'?" } ?? ""
    }

    /// "a, b or c".
    static func alternatives(_ values: [String]) -> String {
        values.count < 2 ? values.joined() : values.dropLast().joined(separator: ", ") + " or " + values[values.count - 1]
    }

    /// Combinations that make no sense.
    func validate() throws(UsageError) {
        func refuse(_ message: String) throws(UsageError) { throw UsageError(message: message) }
        if commands != nil, file != nil { try refuse("Give either a script FILE or -c COMMANDS, not both.") }
        if sandbox, endpoint != nil { try refuse("--sandbox and --endpoint cannot be used together.") }
        if sandbox, replay != nil, recordMode != .newEpisodes {
            try refuse("--replay answers from the cassette; --sandbox is only useful with --record-mode new_episodes.")
        }
        if record != nil, replay != nil {
            try refuse("Give either --record FILE or --replay FILE, not both (--record-mode new_episodes adds to a cassette).")
        }
        if rerun, replay == nil { try refuse("--rerun needs --replay FILE.") }
        if lab != nil, !sandbox { try refuse("--lab loads a network into the sandbox; give --sandbox too.") }
        if rerun, commands != nil || file != nil { try refuse("--rerun runs the cassette's own commands; give no script or -c.") }
        if anonymize || !anonymizeName.isEmpty, record == nil { try refuse("--anonymize needs --record FILE.") }
        if recordMode != nil, record == nil, replay == nil { try refuse("--record-mode needs --record FILE or --replay FILE.") }
    }

    /// The text of `nwsh --help` (``HelpDocument``, which the man page is made from too).
    public static var helpText: String { HelpDocument.plainText }
}
