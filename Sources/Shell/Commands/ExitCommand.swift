import ShellLanguage

/// `exit [status]` (also `quit`): ends the session, or the script, with a status.
struct ExitCommand: ShellCommand {
    let spec = CommandSpec(name: "exit", aliases: ["quit"], usage: "exit [status]", summary: "leave nwsh (Ctrl-D also works)", detail: "")

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        guard let word = arguments.first else { return CommandResult(value: nil, outcome: .exit(0)) }
        if arguments.count > 1 { throw spec.unexpected(arguments[1], evaluator: evaluator) }
        let text = try evaluator.string(word)
        guard let code = Int32(text), (0...255).contains(code) else { throw ShellError.invalidExitCode(text) }
        return CommandResult(value: nil, outcome: .exit(code))
    }
}
