import Diagnostics
import JSON
import ShellLanguage

/// `explain [$var | @file.json] [--deep] [--json]`: a connectivity check result in sentences. With
/// no argument, the last result a request returned (after `$r = post .../connectivityCheck ...`,
/// plain `explain` explains it). `--deep` asks ARM the follow-ups that pin each issue's cause
/// down and says what they found (``DeepExplain``).
struct ExplainCommand: ShellCommand {
    let spec = CommandSpec(
        name: "explain", usage: "explain [$var | @file.json] [--deep] [--json]", summary: "say in words what a connectivity check found",
        detail: """
              The verdict, probes and latency; the path hop by hop (branches drawn as a tree, ✗ on hops
              with issues); one sentence per issue (where, direction, severity, what); and the nwsh
              commands to run next, with resource IDs filled in. With no argument: the last result a
              request returned. --deep also asks ARM what pins each issue down (the security group and
              rule that decide and which fields matched, the route and its table) and prints the root
              cause with a fix to paste, never run. --json gives the same findings as JSON.
            """, optionSpecs: ExplainOption.specs)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        var asJSON = false
        var deep = false
        let parsed = try ExplainOption.parse(arguments, command: spec.name)
        for (option, _, _) in parsed.options {
            switch option {
            case .json: asJSON = true
            case .deep: deep = true
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
        if asJSON {
            guard deep, case .object(var object) = explanation.json else { return CommandResult(value: explanation.json) }
            object["rootCause"] = DeepExplain.json(try await DeepExplain.findings(for: result, context: context, in: session))
            return CommandResult(value: .object(object))
        }
        // Rule names, addresses and IDs came from the network: never let them drive the terminal.
        // The explanation is shown before the follow-ups are asked.
        session.output.out(TerminalText.sanitized(explanation.text))
        if deep {
            let findings = try await DeepExplain.findings(for: result, context: context, in: session)
            session.output.out(TerminalText.sanitized(DeepExplain.text(findings)))
        }
        return .none
    }
}

/// The options of `explain`.
enum ExplainOption: CommandOption {
    case deep, json

    var spec: OptionSpec {
        switch self {
        case .deep: OptionSpec("--deep", help: "ask ARM what pins each issue down, and print the root cause and a fix")
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
                "nextSteps": .array(nextSteps.map(\.json)),
            ]))
    }
}

extension Explanation.NextStep {
    /// A command to paste and why, as `--json` gives it: `{"why": ..., "command": ...}`.
    var json: JSONValue { .object(JSONObject(["why": .string(why), "command": .string(command)])) }
}
