import JSON
import ShellLanguage

/// `vars`: the session's variables, one line each.
struct VarsCommand: ShellCommand {
    let spec = CommandSpec(
        name: "vars", usage: "vars", summary: "list the session's variables", detail: "  Names are case-insensitive, as in PowerShell.")

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        if let extra = arguments.first { throw spec.unexpected(extra, evaluator: Evaluator(variables: session.variables)) }
        let all = session.variables.all
        if all.isEmpty {
            session.output.out("No variables. Assign one with $name = \"value\".\n")
        }
        for (name, value) in all {
            var text = value.stringValue.map { JSONFormatter.quoted($0) } ?? JSONFormatter.compact.format(value)
            if text.count > 100 { text = String(text.prefix(97)) + "..." }
            session.output.out("$\(name) = \(text)\n")
        }
        return .none
    }
}
