import Foundation
import HTTPCore
import JSON

/// The Entra ID endpoints nwsh's sign-in uses, as the sandbox answers them: the client-credentials
/// grant for the sandbox's service principal, and the device-code flow (`/TENANT/oauth2/v2.0/
/// devicecode`, then `.../token`, pending for a few polls before it approves by itself). Tokens
/// are unsigned JWTs with the claims ARM reads; the ARM side accepts each until it expires.
struct SandboxIdentity {
    let data: SandboxData
    /// Every token issued, and when it expires.
    private var tokens: [String: Date] = [:]
    /// Device codes waiting for approval, and how many more polls they stay pending.
    private var deviceCodes: [String: Int] = [:]

    init(data: SandboxData) {
        self.data = data
    }

    /// When a token expires; nil for one the sandbox did not issue.
    func expiry(of token: String) -> Date? {
        tokens[token]
    }

    /// Answers a request to an `/oauth2/` path. `sequence` is the sandbox's one counter of
    /// answers, shared with the ARM side, so that every session gives the same IDs in the same
    /// order (a recording made before this type was split out still matches).
    mutating func answer(_ request: SandboxRequest, options: SandboxOptions, sequence: inout Int) -> SandboxResponse {
        let form = SandboxARM.parseForm(request.body)
        let segments = request.path.split(separator: "/").map(String.init)
        guard request.method == "POST", segments.count >= 3 else {
            return SandboxARM.oauthError(400, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.")
        }
        let tenant = segments[0]
        if segments.last == "devicecode" {
            if let refused = refusal(ofScope: form["scope"], tenant: tenant, cloud: options.cloud) { return refused }
            sequence += 1
            let code = SandboxARM.uuid(seed: "device-\(sequence)")
            deviceCodes[code] = options.deviceCodePendingPolls
            let userCode = String(code.prefix(8)).uppercased()
            return SandboxARM.json(
                200,
                .object(
                    JSONObject([
                        "user_code": .string(userCode), "device_code": .string(code),
                        "verification_uri": .string("\(request.baseURL)/devicelogin"),
                        "expires_in": .number(JSONNumber(900)), "interval": .number(JSONNumber(1)),
                        "message": .string(
                            "To sign in to the nwsh sandbox, open \(request.baseURL)/devicelogin and enter the code \(userCode) (the sandbox approves it by itself)."
                        ),
                    ])))
        }
        guard segments.last == "token" else { return SandboxARM.oauthError(404, "invalid_request", "AADSTS90002: Unknown endpoint.") }
        switch form["grant_type"] {
        case "client_credentials":
            guard tenant == data.tenantID || tenant.lowercased() == "sandbox" else {
                return SandboxARM.oauthError(
                    400, "invalid_request", "AADSTS90002: Tenant '\(tenant)' not found. The sandbox tenant is \(data.tenantID).")
            }
            guard form["client_id"] == data.clientID else {
                return SandboxARM.oauthError(
                    400, "unauthorized_client",
                    "AADSTS700016: Application with identifier '\(form["client_id"] ?? "")' was not found in the directory.")
            }
            guard form["client_secret"] == data.clientSecret else {
                return SandboxARM.oauthError(
                    401, "invalid_client",
                    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."
                )
            }
            if let refused = refusal(ofScope: form["scope"], tenant: tenant, cloud: options.cloud) { return refused }
            return issueToken(
                claims: ["appid": .string(data.clientID), "app_displayname": .string(data.servicePrincipalName)], options: options,
                sequence: &sequence)
        case "urn:ietf:params:oauth:grant-type:device_code":
            guard let code = form["device_code"], let pending = deviceCodes[code] else {
                return SandboxARM.oauthError(400, "invalid_grant", "AADSTS70000: The provided device code is invalid or has expired.")
            }
            if pending > 0 {
                deviceCodes[code] = pending - 1
                return SandboxARM.oauthError(
                    400, "authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
            }
            deviceCodes[code] = nil
            return issueToken(
                claims: ["upn": .string(data.deviceCodeUser), "name": .string("Sandbox User")], options: options, sequence: &sequence)
        default:
            return SandboxARM.oauthError(
                400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type '\(form["grant_type"] ?? "")'.")
        }
    }

    /// Entra ID's answer to a token asked for a scope it does not know; nil when one of the scope's
    /// `/.default` resources is the Resource Manager of the cloud the sandbox stands in for, by
    /// either audience it accepts (`https://management.azure.com`,
    /// `https://management.core.windows.net`, with or without a slash before `/.default`). Each
    /// cloud's Entra ID knows only its own cloud's Resource Manager, so a token asked for another
    /// cloud's is refused the way Entra ID refuses an unknown resource (AADSTS500011).
    private func refusal(ofScope scope: String?, tenant: String, cloud: AzureCloud) -> SandboxResponse? {
        guard let scope, !scope.isEmpty else {
            return SandboxARM.oauthError(
                400, "invalid_request", "AADSTS900144: The request body must contain the following parameter: 'scope'.")
        }
        let resources = scope.split(separator: " ").filter { $0.hasSuffix("/.default") }.map { word in
            var resource = word.dropLast("/.default".count)
            while resource.hasSuffix("/") { resource = resource.dropLast() }
            return String(resource)
        }
        let accepted = [cloud.resourceManager, cloud.managementCoreAudience]
        if resources.contains(where: { accepted.contains($0.lowercased()) }) { return nil }
        let trimmed = resources.first ?? scope
        return SandboxARM.oauthError(
            400, "invalid_resource",
            "AADSTS500011: The resource principal named \(trimmed) was not found in the tenant named \(tenant). This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
        )
    }

    private mutating func issueToken(
        claims extra: KeyValuePairs<String, JSONValue>, options: SandboxOptions, sequence: inout Int
    ) -> SandboxResponse {
        sequence += 1
        let now = Date()
        let expiry = now.addingTimeInterval(options.tokenLifetime)
        var claims = JSONObject([
            "aud": .string(options.cloud.resourceManagerAudience), "iss": .string("https://sts.windows.net/\(data.tenantID)/"),
            "iat": .number(JSONNumber(Int(now.timeIntervalSince1970))), "exp": .number(JSONNumber(Int(expiry.timeIntervalSince1970))),
            "tid": .string(data.tenantID), "oid": .string(SandboxARM.uuid(seed: "oid-\(sequence)")),
        ])
        for (key, value) in extra { claims[key] = value }
        let header = SandboxARM.base64URL(Array(#"{"alg":"none","typ":"JWT","x-nwsh":"sandbox"}"#.utf8))
        let payload = SandboxARM.base64URL(Array(JSONFormatter.compact.format(.object(claims)).utf8))
        let signature = SandboxARM.base64URL(Array(SandboxARM.uuid(seed: "signature-\(sequence)-\(now.timeIntervalSince1970)").utf8))
        let token = "\(header).\(payload).\(signature)"
        tokens[token] = expiry
        return SandboxARM.json(
            200,
            .object(
                JSONObject([
                    "token_type": .string("Bearer"), "expires_in": .number(JSONNumber(Int(options.tokenLifetime))),
                    "ext_expires_in": .number(JSONNumber(Int(options.tokenLifetime))), "access_token": .string(token),
                ])))
    }
}
