import ShellLanguage

/// `help [command]`: the list of commands, or one command's usage, details and options, all
/// from the commands' specs.
struct HelpCommand: ShellCommand {
    let spec = CommandSpec(name: "help", usage: "help [command]", summary: "list commands, or explain one", detail: "")

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        if arguments.count > 1 { throw spec.unexpected(arguments[1], evaluator: evaluator) }
        guard let topic = try arguments.first.map({ try evaluator.string($0) }) else {
            session.output.out(CommandRegistry.overview())
            return .none
        }
        guard let spec = CommandRegistry.spec(named: topic) else {
            throw ShellError.noHelp(topic, suggestion: Suggestion.closest(to: topic, in: CommandRegistry.names))
        }
        session.output.out(CommandRegistry.help(for: spec))
        return .none
    }
}

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
