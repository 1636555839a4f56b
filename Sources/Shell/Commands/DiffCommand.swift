import Diagnostics
import JSON
import ShellLanguage

/// `diff $before $after`: what changed between two connectivity results.
struct DiffCommand: ShellCommand {
    let spec = CommandSpec(
        name: "diff", usage: "diff $before $after", summary: "compare two connectivity results (did the fix work?)",
        detail: """
              The verdict, probes and latency, hops no longer or newly on the path, and issues resolved or
              new. Results are $variables, @file.json or JSON text. Hops are matched by type, address and
              resource, not by their id (each check makes new ones).
            """)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        guard arguments.count >= 2 else { throw spec.missing(arguments.isEmpty ? "the two results to compare" : "the second result") }
        guard arguments.count == 2 else { throw spec.unexpected(arguments[2], evaluator: evaluator) }
        var results: [ConnectivityResult] = []
        for (position, word) in arguments.enumerated() {
            do {
                results.append(try CommandArguments.connectivityResult(word, evaluator: evaluator, in: session.directory).result)
            } catch let error as ResultError {
                throw ShellError.notAComparableResult(position == 0 ? "first" : "second", error)
            }
        }
        session.output.out(TerminalText.sanitized(ResultDiff(before: results[0], after: results[1]).text))
        return .none
    }
}
