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

/// `unset $name...`: removes variables.
struct UnsetCommand: ShellCommand {
    let spec = CommandSpec(name: "unset", usage: "unset $name...", summary: "remove variables", detail: "")

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        guard !arguments.isEmpty else { throw spec.missing("a variable") }
        for word in arguments {
            guard let reference = word.soleVariable, reference.path.isEmpty else {
                throw ShellError.notAVariable(command: spec.name, word: word.literalText ?? "…")
            }
            guard !Variables.isReadOnly(reference.name) else { throw ShellError.readOnlyVariable(reference.name) }
            guard session.variables.remove(reference.name) else { throw ShellError.undefinedVariableToUnset(reference.name) }
        }
        return .none
    }
}
