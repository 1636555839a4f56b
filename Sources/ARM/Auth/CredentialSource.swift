import Foundation
import HTTPCore

/// Where a sign-in is looked for, named before anything is built, so that what a run will try,
/// and in which order, can be decided (and tested) apart from the sources themselves.
public enum CredentialSource: Sendable, Equatable {
    /// A bearer token in `NWSH_ACCESS_TOKEN` (or armclient's `ARMCLIENT_TOKEN`).
    case accessToken
    /// A service principal from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`,
    /// at this authority host (`AZURE_AUTHORITY_HOST`, else the cloud's).
    case servicePrincipal(authorityHost: String)
    /// `az account get-access-token`, when `az` is on PATH and set to this cloud.
    case azureCLI(AzureCloud)
    /// The device-code flow at an authority; it prompts only in an interactive session.
    case deviceCode(Authority, interactive: Bool)
    /// A client secret at an authority (the sandbox's own service principal), named in messages.
    case clientSecret(Authority, clientID: String, secret: String, name: String)
    /// A cassette being replayed: nothing to sign in to.
    case cassette(file: String)

    /// The sources tried against `cloud`, in order: a token given, a service principal, the Azure
    /// CLI's sign-in, then the device-code flow at `AZURE_AUTHORITY_HOST` (else the cloud's
    /// authority host) for `AZURE_TENANT_ID` (else `organizations`, any work or school account).
    public static func azure(environment: [String: String], interactive: Bool, cloud: AzureCloud = .azureCloud) -> [CredentialSource] {
        let host = environment["AZURE_AUTHORITY_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? cloud.authorityHost
        let authority = Authority(host: host, tenant: environment["AZURE_TENANT_ID"] ?? "organizations")
        return [.accessToken, .servicePrincipal(authorityHost: host), .azureCLI(cloud), .deviceCode(authority, interactive: interactive)]
    }

    /// Whether the first source of an Azure chain that can be tried is the Azure CLI's sign-in:
    /// no token is given and no service principal is complete. nwsh then follows the cloud the
    /// CLI is set to, when nothing else names one.
    public static func borrowsAzureCLI(environment: [String: String]) -> Bool {
        EnvironmentTokenSource(environment: environment).unavailableReason != nil
            && ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"].contains { environment[$0]?.isEmpty ?? true }
    }
}

extension Credentials {
    /// Credentials that try `chain` in order. Token requests go through `transport` (so a
    /// recording holds them, redacted); the device-code flow shows its prompt with `show` and
    /// waits with `sleeper`.
    public init(
        chain: [CredentialSource], environment: [String: String], transport: HTTPTransport, sleeper: Sleeper,
        scope: String = Credentials.armScope, show: @escaping @Sendable (String) -> Void
    ) {
        self.init(
            sources: chain.map { source -> TokenSource in
                switch source {
                case .accessToken: EnvironmentTokenSource(environment: environment)
                case .servicePrincipal(let host):
                    ClientSecretTokenSource.fromEnvironment(environment, authorityHost: host, transport: transport)
                case .azureCLI(let cloud): AzureCLITokenSource(environment: environment, cloud: cloud)
                case .deviceCode(let authority, let interactive):
                    DeviceCodeTokenSource(
                        authority: authority, transport: transport, sleeper: sleeper, interactive: interactive, show: show)
                case .clientSecret(let authority, let clientID, let secret, let name):
                    ClientSecretTokenSource(
                        authority: authority, clientID: clientID, clientSecret: secret, transport: transport, name: name)
                case .cassette(let file): ReplayTokenSource(file: file)
                }
            }, scope: scope)
    }
}
