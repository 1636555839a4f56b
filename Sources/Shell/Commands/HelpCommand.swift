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
