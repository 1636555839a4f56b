import Cassettes
import Shell
import ShellLanguage

/// nwsh's command line, read by hand. ArgumentParser finds a command's options by reflection,
/// and in a statically linked binary its first parse (Mirror, dynamic casts, the runtime's
/// conformance scans) cost about 4 ms of a 15 ms start-up (BENCHMARKS.md); this costs nothing
/// measurable. Options are `--name VALUE` or `--name=VALUE`; `--` ends them.
struct Options: Equatable {
    var file: String?
    var commands: String?
    var endpoint: String?
    var sandbox = false
    var sandboxRetryAfter = 1
    var record: String?
    var replay: String?
    var recordMode: RecordMode?
    var anonymize = false
    var anonymizeName: [String] = []
    var rerun = false
    var color: ColorChoice = .auto
    var verbose = false
    /// `-h`/`--help`: print ``helpText`` and leave.
    var help = false

    /// A command line nwsh cannot run; ``description`` says why. Exit status 64.
    struct UsageError: Error, Equatable, CustomStringConvertible {
        var message: String
        var description: String { "error: \(message)\nUsage: \(Options.usage); 'nwsh --help' lists the options." }
    }

    static let usage = "nwsh [FILE | -c COMMANDS] [--sandbox | --endpoint URL] [--record FILE | --replay FILE] [options]"

    /// Every option, with its value's name (nil for flags) and its help.
    static let table: [(names: [String], value: String?, help: String)] = [
        (["-c"], "COMMANDS", "Commands to run, instead of a script or the interactive shell."),
        (["--endpoint"], "URL", "The ARM endpoint (default: NWSH_ENDPOINT, else https://management.azure.com)."),
        (["--sandbox"], nil, "Start the built-in ARM sandbox on a free loopback port and use it; no Azure account needed."),
        (["--sandbox-retry-after"], "SECONDS", "Retry-After seconds the sandbox gives long-running operations (default 1)."),
        (["--record"], "FILE", "Record every command and HTTP exchange (redacted) to this cassette file."),
        (["--replay"], "FILE", "Answer requests from this cassette instead of the network."),
        (["--record-mode"], "MODE", "none (replay only), once (record if the file does not exist, else replay), new_episodes (replay what matches, record the rest), all (always record). Default: NWSH_RECORD_MODE, else all with --record and none with --replay."),
        (["--anonymize"], nil, "With --record: also replace subscription and tenant IDs with stable placeholders."),
        (["--anonymize-name"], "NAME", "With --record --anonymize: a name to replace too (repeatable), such as a resource group."),
        (["--rerun"], nil, "With --replay: run the command lines stored in the cassette."),
        (["--color"], "WHEN", "Colour: auto, always or never (NO_COLOR also turns it off)."),
        (["-v", "--verbose"], nil, "Show request and response headers and timings."),
        (["-h", "--help"], nil, "Show this help."),
    ]

    /// Reads the arguments after the program name.
    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
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
            guard let entry = table.first(where: { $0.names.contains(name) }) else {
                let known = table.flatMap(\.names)
                let suggestion = Suggestion.closest(to: name, in: known).map { " Did you mean '\($0)'?" } ?? ""
                throw UsageError(message: "unknown option '\(name)'.\(suggestion)")
            }
            guard let valueName = entry.value else {
                if attached != nil { throw UsageError(message: "\(name) takes no value.") }
                switch name {
                case "--sandbox": options.sandbox = true
                case "--anonymize": options.anonymize = true
                case "--rerun": options.rerun = true
                case "-v", "--verbose": options.verbose = true
                default: options.help = true
                }
                continue
            }
            guard let value = attached ?? rest.popFirst() else { throw UsageError(message: "\(name) needs a value (\(valueName)).") }
            switch name {
            case "-c": options.commands = value
            case "--endpoint": options.endpoint = value
            case "--sandbox-retry-after":
                guard let seconds = Int(value), seconds >= 0 else { throw UsageError(message: "--sandbox-retry-after must be a whole number of seconds, 0 or more, not '\(value)'.") }
                options.sandboxRetryAfter = seconds
            case "--record": options.record = value
            case "--replay": options.replay = value
            case "--record-mode":
                guard let mode = RecordMode(rawValue: value) else {
                    throw UsageError(message: "--record-mode must be \(alternatives(RecordMode.allCases.map(\.rawValue))), not '\(value)'.")
                }
                options.recordMode = mode
            case "--anonymize-name": options.anonymizeName.append(value)
            default:
                guard let color = ColorChoice(rawValue: value) else {
                    throw UsageError(message: "--color must be \(alternatives(ColorChoice.allCases.map(\.rawValue))), not '\(value)'.")
                }
                options.color = color
            }
        }
        if positional.count > 1 { throw UsageError(message: "unexpected argument '\(positional[1])': give one script FILE.") }
        options.file = positional.first
        if !options.help { try options.validate() }
        return options
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
        if sandbox, replay != nil, recordMode != .newEpisodes { try refuse("--replay answers from the cassette; --sandbox is only useful with --record-mode new_episodes.") }
        if record != nil, replay != nil { try refuse("Give either --record FILE or --replay FILE, not both (--record-mode new_episodes adds to a cassette).") }
        if rerun, replay == nil { try refuse("--rerun needs --replay FILE.") }
        if rerun, commands != nil || file != nil { try refuse("--rerun runs the cassette's own commands; give no script or -c.") }
        if anonymize || !anonymizeName.isEmpty, record == nil { try refuse("--anonymize needs --record FILE.") }
        if recordMode != nil, record == nil, replay == nil { try refuse("--record-mode needs --record FILE or --replay FILE.") }
    }

    /// The text of `nwsh --help`.
    static var helpText: String {
        var text = """
            nwsh: the Network Watcher shell. Troubleshoot Azure networking through the ARM REST API.

            Usage: \(usage)

            Runs interactively on a terminal; runs FILE, -c COMMANDS, or commands piped to standard input otherwise.
            A script stops at its first failed command.

            Options:

            """
        for entry in table {
            let left = entry.names.joined(separator: ", ") + (entry.value.map { " \($0)" } ?? "")
            text += "  " + left + String(repeating: " ", count: max(2, 31 - left.count)) + entry.help + "\n"
        }
        text += """

            Exit status: 0 success; 1 a command failed (an error, or an HTTP status of 400 or more);
            2 an unreadable script or an endpoint that is not a URL; 3 a check found its destination not
            reachable; 64 invalid flags; 'exit N' leaves with N.

            Environment: NWSH_ENDPOINT (ARM endpoint), NWSH_ACCESS_TOKEN or ARMCLIENT_TOKEN (a bearer token),
            AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET (service principal), AZURE_AUTHORITY_HOST,
            HTTPS_PROXY / NO_PROXY, NO_COLOR, NWSH_HISTORY (history file; empty for none).

            """
        return text
    }
}
