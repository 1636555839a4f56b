import ShellLanguage

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
