import HTTPCore
import JSON

/// Why no token could be had.
public enum AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every source was tried; each entry says why it did not give a token.
    case noCredentials(tried: [String])
    /// The identity provider refused the request.
    case rejected(source: String, code: String, description: String)
    /// The identity provider answered something that is not a token.
    case malformedResponse(source: String, detail: String)
    /// The device-code sign-in was not completed in time.
    case deviceCodeExpired
    /// `az` ran but failed.
    case azureCLIFailed(detail: String)
    /// The Azure CLI is set to another cloud than the session's (`configured` as the CLI names it).
    case azureCLIOtherCloud(configured: String, session: AzureCloud)

    public var description: String {
        switch self {
        case .noCredentials(let tried):
            var message = "Could not get an access token for Azure Resource Manager. Tried:\n"
            message += tried.map { "  - \($0)" }.joined(separator: "\n")
            message +=
                "\nSet NWSH_ACCESS_TOKEN, or AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or sign in with 'az login', or run 'login' in an interactive nwsh. To try nwsh without Azure, start it with --sandbox."
            return message
        case .rejected(let source, let code, let description):
            let firstLine = description.split(separator: "\n").first.map(String.init) ?? description
            return "Sign-in with \(source) was refused: \(TerminalText.sanitized(code)): \(TerminalText.sanitized(firstLine))"
        case .malformedResponse(let source, let detail):
            return "Sign-in with \(source) returned an unexpected answer: \(TerminalText.sanitized(detail))"
        case .deviceCodeExpired:
            return "The device-code sign-in expired before it was completed; run 'login' again."
        case .azureCLIOtherCloud(let configured, let session):
            let known = AzureCloud.named(configured).map { "--cloud \($0.name)" }
            return
                "The Azure CLI is set to the cloud \(TerminalText.sanitized(configured)), and this session is for \(session.displayName) (\(session.name)), so its sign-in cannot be borrowed. Run 'az cloud set --name \(session.name)' and 'az login'\(known.map { ", or start nwsh with \($0)" } ?? ""); or sign in another way (NWSH_ACCESS_TOKEN, or a service principal in AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET)."
        case .azureCLIFailed(let detail):
            return
                "'az account get-access-token' failed: \(TerminalText.sanitized(detail)). Run 'az login' first, or use another way to sign in."
        }
    }
}
