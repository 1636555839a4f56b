import Diagnostics
import JSON
import ShellLanguage

/// `explain [$var | @file.json] [--json]`: a connectivity check result in sentences. With no
/// argument, the last result a request returned (after `$r = post .../connectivityCheck ...`,
/// plain `explain` explains it).
struct ExplainCommand: ShellCommand {
    let spec = CommandSpec(
        name: "explain", usage: "explain [$var | @file.json] [--json]", summary: "say in words what a connectivity check found",
        detail: """
              The verdict, probes and latency; the path hop by hop (branches drawn as a tree, ✗ on hops
              with issues); one sentence per issue (where, direction, severity, what); and the nwsh
              commands to run next, with resource IDs filled in. With no argument: the last result a
              request returned. --json gives the same findings as JSON.
            """, optionSpecs: ExplainOption.specs)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        var asJSON = false
        let parsed = try ExplainOption.parse(arguments, command: spec.name)
        for (option, _, _) in parsed.options {
            switch option {
            case .json: asJSON = true
            }
        }
        if parsed.positional.count > 1 { throw spec.unexpected(parsed.positional[1], evaluator: evaluator) }
        let result: ConnectivityResult
        let value: JSONValue?
        do {
            if let source = parsed.positional.first {
                (result, value) = try CommandArguments.connectivityResult(source, evaluator: evaluator, in: session.directory)
            } else {
                guard let lastResult = session.lastResult else { throw ShellError.nothingToExplain }
                (result, value) = (try ConnectivityResult(json: lastResult), lastResult)
            }
        } catch let error as ResultError {
            throw ShellError.notAConnectivityResult(error)
        }
        // The last check's own result: next steps can ask about the same flow.
        let context = value.flatMap { value in session.lastCheck.flatMap { $0.result == value ? $0.context : nil } }
        let explanation = Explanation(result, context: context)
        if asJSON { return CommandResult(value: explanation.json) }
        // Rule names, addresses and IDs came from the network: never let them drive the terminal.
        session.output.out(TerminalText.sanitized(explanation.text))
        return .none
    }
}

/// The options of `explain`.
enum ExplainOption: CommandOption {
    case json

    var spec: OptionSpec {
        switch self {
        case .json: OptionSpec("--json", help: "the same findings as JSON")
        }
    }
}

extension Explanation {
    /// The explanation as JSON, for scripts: the same findings as the text.
    public var json: JSONValue {
        .object(
            JSONObject([
                "verdict": .string(verdict),
                "probes": probes.map(JSONValue.string) ?? .null,
                "path": .array(path.map(JSONValue.string)),
                "findings": .array(findings.map(JSONValue.string)),
                "nextSteps": .array(nextSteps.map { .object(JSONObject(["why": .string($0.why), "command": .string($0.command)])) }),
            ]))
    }
}
