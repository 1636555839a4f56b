import Foundation
import HTTPCore
import JSON

/// One way of getting an access token.
public protocol TokenSource: Sendable {
    /// A short name for messages ("service principal").
    var name: String { get }
    /// Why this source cannot be used, or nil when it can be tried (e.g. its variables are set).
    var unavailableReason: String? { get }
    /// Gets a token for `scope`.
    func acquire(scope: String) async throws -> AccessToken
}

/// `NWSH_ACCESS_TOKEN` or `ARMCLIENT_TOKEN`: a token the user already has.
public struct EnvironmentTokenSource: TokenSource {
    private let environment: [String: String]
    private let now: @Sendable () -> Date

    public init(environment: [String: String], now: @escaping @Sendable () -> Date = Date.init) {
        self.environment = environment
        self.now = now
    }

    private var variable: (name: String, value: String)? {
        for name in ["NWSH_ACCESS_TOKEN", "ARMCLIENT_TOKEN"] {
            if let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
                return (name, value.hasPrefix("Bearer ") ? String(value.dropFirst(7)) : value)
            }
        }
        return nil
    }

    public var name: String { "environment variable \(variable?.name ?? "NWSH_ACCESS_TOKEN")" }

    public var unavailableReason: String? {
        variable == nil ? "NWSH_ACCESS_TOKEN / ARMCLIENT_TOKEN: not set" : nil
    }

    public func acquire(scope: String) async throws -> AccessToken {
        guard let variable else { throw AuthError.noCredentials(tried: [unavailableReason ?? ""]) }
        // An opaque token without an expiry is assumed to last an hour, like Entra ID tokens.
        let expiry = AccessToken.expiry(ofJWT: variable.value) ?? now().addingTimeInterval(3600)
        return AccessToken(value: variable.value, expiresOn: expiry, source: name)
    }
}

/// The OAuth endpoints of an Entra ID authority (or the sandbox standing in for one).
public struct Authority: Sendable, Equatable {
    /// The cloud's authority host (`https://login.microsoftonline.com` for the public cloud) unless
    /// `AZURE_AUTHORITY_HOST` says otherwise.
    public var host: String
    public var tenant: String

    public init(host: String, tenant: String) {
        var host = host
        while host.hasSuffix("/") { host.removeLast() }
        if !host.contains("://") { host = "https://" + host }
        self.host = host
        self.tenant = tenant
    }

    /// The public cloud's authority host.
    public static let publicCloudHost = AzureCloud.azureCloud.authorityHost

    public var tokenURL: String { "\(host)/\(tenant)/oauth2/v2.0/token" }
    public var deviceCodeURL: String { "\(host)/\(tenant)/oauth2/v2.0/devicecode" }
}

/// Shared handling of OAuth token-endpoint answers.
enum OAuthResponse {
    /// Form-encodes parameters for a token request.
    static func form(_ parameters: KeyValuePairs<String, String>) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let text = parameters.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
        return Array(text.utf8)
    }

    static func request(url: String, form body: [UInt8]) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: url,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: body)
    }

    /// The JSON object of an answer, or the error the identity provider gave.
    static func object(from response: HTTPResponse, source: String) throws -> JSONObject {
        guard let json = try? JSONParser.parse(bytes: response.body), let object = json.objectValue else {
            throw AuthError.malformedResponse(source: source, detail: "HTTP \(response.status) with a body that is not JSON")
        }
        if let error = object["error"]?.stringValue {
            throw AuthError.rejected(source: source, code: error, description: object["error_description"]?.stringValue ?? "")
        }
        return object
    }

    /// The token from a successful answer, or the error the identity provider gave.
    static func token(from response: HTTPResponse, source: String, now: Date) throws -> AccessToken {
        let object = try object(from: response, source: source)
        guard response.isSuccess, let value = object["access_token"]?.stringValue else {
            throw AuthError.malformedResponse(source: source, detail: "HTTP \(response.status) without access_token")
        }
        let lifetime = object["expires_in"].flatMap { $0.numberValue?.doubleValue ?? $0.stringValue.flatMap(Double.init) } ?? 3600
        return AccessToken(value: value, expiresOn: now.addingTimeInterval(lifetime), source: source)
    }
}

/// A service principal: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`, with the
/// OAuth client-credentials flow.
public struct ClientSecretTokenSource: TokenSource {
    public let authority: Authority
    private let clientID: String?
    private let clientSecret: String?
    private let transport: HTTPTransport
    private let now: @Sendable () -> Date
    public let name: String

    public init(
        authority: Authority, clientID: String?, clientSecret: String?, transport: HTTPTransport,
        name: String = "service principal (AZURE_CLIENT_ID)", now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.authority = authority
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.transport = transport
        self.name = name
        self.now = now
    }

    /// The source configured by `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`, at
    /// `authorityHost`.
    public static func fromEnvironment(
        _ environment: [String: String], authorityHost: String = Authority.publicCloudHost, transport: HTTPTransport
    ) -> ClientSecretTokenSource {
        ClientSecretTokenSource(
            authority: Authority(host: authorityHost, tenant: environment["AZURE_TENANT_ID"] ?? ""),
            clientID: environment["AZURE_CLIENT_ID"], clientSecret: environment["AZURE_CLIENT_SECRET"], transport: transport)
    }

    public var unavailableReason: String? {
        var missing: [String] = []
        if authority.tenant.isEmpty { missing.append("AZURE_TENANT_ID") }
        if clientID?.isEmpty ?? true { missing.append("AZURE_CLIENT_ID") }
        if clientSecret?.isEmpty ?? true { missing.append("AZURE_CLIENT_SECRET") }
        return missing.isEmpty ? nil : "service principal: \(missing.joined(separator: ", ")) not set"
    }

    public func acquire(scope: String) async throws -> AccessToken {
        let body = OAuthResponse.form([
            "grant_type": "client_credentials", "client_id": clientID ?? "", "client_secret": clientSecret ?? "", "scope": scope,
        ])
        let response = try await transport.send(OAuthResponse.request(url: authority.tokenURL, form: body))
        return try OAuthResponse.token(from: response, source: name, now: now())
    }
}

/// The OAuth device-code flow: prints a code to enter at a sign-in page, then waits for it.
/// Used only in an interactive session, since a script has nobody to sign in.
public struct DeviceCodeTokenSource: TokenSource {
    /// The Azure CLI's public client id, which Entra ID allows for the device-code flow to ARM.
    public static let azureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

    public let authority: Authority
    private let clientID: String
    private let transport: HTTPTransport
    private let sleeper: Sleeper
    private let interactive: Bool
    private let show: @Sendable (String) -> Void
    private let now: @Sendable () -> Date
    public var name: String { "device-code sign-in" }

    public init(
        authority: Authority, clientID: String = azureCLIClientID, transport: HTTPTransport, sleeper: Sleeper,
        interactive: Bool, show: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.authority = authority
        self.clientID = clientID
        self.transport = transport
        self.sleeper = sleeper
        self.interactive = interactive
        self.show = show
        self.now = now
    }

    public var unavailableReason: String? {
        interactive ? nil : "device-code sign-in: only in an interactive session"
    }

    public func acquire(scope: String) async throws -> AccessToken {
        let start = try await transport.send(
            OAuthResponse.request(
                url: authority.deviceCodeURL, form: OAuthResponse.form(["client_id": clientID, "scope": scope])))
        let object = try OAuthResponse.object(from: start, source: name)
        guard let deviceCode = object["device_code"]?.stringValue else {
            throw AuthError.malformedResponse(source: name, detail: "no device_code")
        }
        let message =
            object["message"]?.stringValue
            ?? "To sign in, open \(object["verification_uri"]?.stringValue ?? "the sign-in page") and enter the code \(object["user_code"]?.stringValue ?? "")."
        show(TerminalText.sanitized(message))
        var interval = object["interval"]?.numberValue?.doubleValue ?? 5
        let lifetime = object["expires_in"]?.numberValue?.doubleValue ?? 900
        var waited = 0.0
        while waited < lifetime {
            try await sleeper.sleep(seconds: interval)
            waited += interval
            let response = try await transport.send(
                OAuthResponse.request(
                    url: authority.tokenURL,
                    form: OAuthResponse.form([
                        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": clientID, "device_code": deviceCode,
                    ])))
            do {
                return try OAuthResponse.token(from: response, source: name, now: now())
            } catch AuthError.rejected(_, let code, _) where code == "authorization_pending" {
                continue
            } catch AuthError.rejected(_, let code, _) where code == "slow_down" {
                interval += 5
            }
        }
        throw AuthError.deviceCodeExpired
    }
}

/// `az account get-access-token`, when the Azure CLI is on PATH and signed in to the session's
/// cloud.
public struct AzureCLITokenSource: TokenSource {
    private let environment: [String: String]
    /// The session's cloud, which the CLI must be set to.
    public let cloud: AzureCloud
    public var name: String { "Azure CLI (az account get-access-token)" }

    public init(environment: [String: String], cloud: AzureCloud = .azureCloud) {
        self.environment = environment
        self.cloud = cloud
    }

    /// The `az` executable on PATH, if any.
    var executable: String? {
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/az"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public var unavailableReason: String? { executable == nil ? "Azure CLI: 'az' is not on PATH" : nil }

    public func acquire(scope: String) async throws -> AccessToken {
        guard let executable else { throw AuthError.azureCLIFailed(detail: "'az' is not on PATH") }
        // The CLI signs in to the cloud it is set to: a token from another cloud's Entra ID would
        // only be refused by this cloud's ARM, with a less helpful message.
        let configured = AzureCLIConfiguration.cloudName(environment: environment) ?? AzureCloud.azureCloud.name
        guard AzureCloud.named(configured) == cloud else { throw AuthError.azureCLIOtherCloud(configured: configured, session: cloud) }
        let resource = scope.hasSuffix("/.default") ? String(scope.dropLast(".default".count)) : scope
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["account", "get-access-token", "--resource", resource, "--output", "json"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw AuthError.azureCLIFailed(detail: "it could not be started (\(error.localizedDescription))")
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let detail = String(decoding: errorData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw AuthError.azureCLIFailed(detail: detail.isEmpty ? "exit status \(process.terminationStatus)" : detail)
        }
        guard let json = try? JSONParser.parse(bytes: Array(outputData)), let token = json["accessToken"]?.stringValue else {
            throw AuthError.azureCLIFailed(detail: "its output has no accessToken")
        }
        let expiry =
            json["expires_on"]?.numberValue.map { Date(timeIntervalSince1970: $0.doubleValue) }
            ?? AccessToken.expiry(ofJWT: token) ?? Date().addingTimeInterval(3000)
        return AccessToken(value: token, expiresOn: expiry, source: name)
    }
}
