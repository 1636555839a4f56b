import ARM
import Foundation
import HTTPCore
import JSON
import ShellLanguage

/// `login`: get an access token now (requests also sign in by themselves).
struct LoginCommand: ShellCommand {
    let spec = CommandSpec(
        name: "login", usage: "login", summary: "get an access token",
        detail: """
              Tries, in order: NWSH_ACCESS_TOKEN (or ARMCLIENT_TOKEN); a service principal
              (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, at AZURE_AUTHORITY_HOST, else the
              cloud's authority); 'az account get-access-token' when az is on PATH (set to another
              cloud than the session's, it stops the sign-in with a message); then, in an
              interactive session, the device-code flow. Tokens are asked
              for the cloud's Resource Manager (nwsh --cloud). With --sandbox the sandbox issues the
              token. Requests log in by themselves when needed, and tokens are renewed before they
              expire.
            """)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        if let extra = arguments.first { throw spec.unexpected(extra, evaluator: Evaluator(variables: session.variables)) }
        let token: AccessToken
        do {
            token = try await session.credentials.login()
        } catch let error as AuthError {
            throw ShellError.arm(.authentication(error))
        }
        session.output.err(Self.describe(token, target: session.target, cloud: session.cloud, verb: "Signed in") + "\n")
        return .none
    }

    /// One line about a token: where it came from, whose it is and until when it is valid; never
    /// the token itself.
    static func describe(_ token: AccessToken, target: SessionTarget, cloud: AzureCloud, verb: String, now: Date = Date()) -> String {
        if case .replay(let file) = target {
            return "Replaying \((file as NSString).lastPathComponent): no sign-in needed."
        }
        // The public cloud goes without saying; another is named, so a session in the wrong one shows.
        let inCloud = cloud.isPublic ? "" : target == .sandbox ? " (standing in for \(cloud.displayName))" : " to \(cloud.displayName)"
        var text = (target == .sandbox ? "\(verb) to the nwsh sandbox" : "\(verb)") + inCloud
        text += " with \(token.source)"
        if let identity = token.identity { text += " as \(TerminalText.sanitized(identity))" }
        if let tenant = token.tenant { text += " (tenant \(TerminalText.sanitized(tenant)))" }
        let minutes = Int(token.expiresOn.timeIntervalSince(now) / 60)
        let formatter = ISO8601DateFormatter()
        text += "; token valid until \(formatter.string(from: token.expiresOn)) (\(minutes) min)."
        return text
    }
}
