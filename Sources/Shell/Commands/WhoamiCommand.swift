import ARM
import ShellLanguage

/// `whoami`: the signed-in identity, tenant and token expiry.
struct WhoamiCommand: ShellCommand {
    let spec = CommandSpec(
        name: "whoami", usage: "whoami", summary: "show the signed-in identity, tenant and token expiry",
        detail: "  Never shows the token itself.")

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        if let extra = arguments.first { throw spec.unexpected(extra, evaluator: Evaluator(variables: session.variables)) }
        guard let token = await session.credentials.current else {
            session.output.out("Not signed in; run 'login' (requests also sign in by themselves).\n")
            return .none
        }
        session.output.out(LoginCommand.describe(token, target: session.target, cloud: session.cloud, verb: "Signed in") + "\n")
        return .none
    }
}
