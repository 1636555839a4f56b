import ARM
import Foundation
import JSON
import ShellLanguage

extension Session {
    /// Runs a command.
    func perform(_ invocation: CommandInvocation) async throws -> CommandResult {
        switch invocation.name {
        case "get", "post", "put", "patch", "delete":
            return try await verb(invocation)
        case "login": return try await login()
        case "whoami": return await whoami()
        case "vars": return vars()
        case "unset": return try unset(invocation)
        case "help": return try help(invocation)
        case "exit", "quit": return try exit(invocation)
        case "record": return try record(invocation)
        case "export": return try export(invocation)
        case "bundle": return try bundle(invocation)
        case "import": return try importCassette(invocation)
        case "explain": return try explain(invocation)
        case "check": return try await check(invocation)
        case "diff": return try diff(invocation)
        case Parser.ignoredPrefix:
            throw ShellError.missingArgument(command: "armclient", what: "a verb", usage: "armclient get|post|put|patch|delete URL ... (armclient is accepted and ignored)")
        default:
            throw ShellError.unknownCommand(invocation.name, suggestion: Suggestion.closest(to: invocation.name, in: CommandCatalog.names))
        }
    }

    private func login() async throws -> CommandResult {
        let token: AccessToken
        do {
            token = try await client.credentials.login()
        } catch let error as AuthError {
            throw ShellError.arm(.authentication(error))
        }
        output.err(Self.describe(token, target: target, verb: "Signed in") + "\n")
        return .none
    }

    private func whoami() async -> CommandResult {
        guard let token = await client.credentials.current else {
            output.out("Not signed in; run 'login' (requests also sign in by themselves).\n")
            return .none
        }
        output.out(Self.describe(token, target: target, verb: "Signed in") + "\n")
        return .none
    }

    static func describe(_ token: AccessToken, target: SessionTarget, verb: String, now: Date = Date()) -> String {
        if case .replay(let file) = target {
            return "Replaying \((file as NSString).lastPathComponent): no sign-in needed."
        }
        var text = target == .sandbox ? "\(verb) to the nwsh sandbox" : "\(verb)"
        text += " with \(token.source)"
        if let identity = token.identity { text += " as \(TerminalText.sanitized(identity))" }
        if let tenant = token.tenant { text += " (tenant \(TerminalText.sanitized(tenant)))" }
        let minutes = Int(token.expiresOn.timeIntervalSince(now) / 60)
        let formatter = ISO8601DateFormatter()
        text += "; token valid until \(formatter.string(from: token.expiresOn)) (\(minutes) min)."
        return text
    }

    private func vars() -> CommandResult {
        let all = variables.all
        if all.isEmpty {
            output.out("No variables. Assign one with $name = \"value\".\n")
        }
        for (name, value) in all {
            var text = value.stringValue.map { JSONFormatter.quoted($0) } ?? JSONFormatter.compact.format(value)
            if text.count > 100 { text = String(text.prefix(97)) + "..." }
            output.out("$\(name) = \(text)\n")
        }
        return .none
    }

    private func unset(_ invocation: CommandInvocation) throws -> CommandResult {
        guard !invocation.arguments.isEmpty else {
            throw ShellError.missingArgument(command: "unset", what: "a variable", usage: "unset $name...")
        }
        for word in invocation.arguments {
            guard let reference = word.soleVariable, reference.path.isEmpty else {
                throw ShellError.notAVariable(command: "unset", word: word.literalText ?? "…")
            }
            guard !Variables.isReadOnly(reference.name) else { throw ShellError.readOnlyVariable(reference.name) }
            guard variables.remove(reference.name) else { throw ShellError.undefinedVariableToUnset(reference.name) }
        }
        return .none
    }

    private func help(_ invocation: CommandInvocation) throws -> CommandResult {
        let evaluator = Evaluator(variables: variables)
        guard let topic = try invocation.arguments.first.map({ try evaluator.string($0) }) else {
            output.out(CommandCatalog.overview())
            return .none
        }
        guard let spec = CommandCatalog.spec(named: topic) else {
            throw ShellError.noHelp(topic, suggestion: Suggestion.closest(to: topic, in: CommandCatalog.names))
        }
        output.out(CommandCatalog.help(for: spec))
        return .none
    }

    private func exit(_ invocation: CommandInvocation) throws -> CommandResult {
        let evaluator = Evaluator(variables: variables)
        guard let word = invocation.arguments.first else { return CommandResult(value: nil, outcome: .exit(0)) }
        let text = try evaluator.string(word)
        guard let code = Int32(text), (0...255).contains(code) else { throw ShellError.invalidExitCode(text) }
        return CommandResult(value: nil, outcome: .exit(code))
    }
}
