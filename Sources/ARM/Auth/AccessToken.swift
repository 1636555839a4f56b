import Foundation
import JSON

/// A bearer token for ARM, with where it came from and when it expires.
public struct AccessToken: Sendable, Equatable {
    /// The token itself. Never printed, logged or recorded.
    public var value: String
    /// When it stops working.
    public var expiresOn: Date
    /// Which source issued it ("environment variable NWSH_ACCESS_TOKEN", "service principal", ...).
    public var source: String

    public init(value: String, expiresOn: Date, source: String) {
        self.value = value
        self.expiresOn = expiresOn
        self.source = source
    }

    /// The claims of a JWT access token (Entra ID tokens are JWTs); nil for opaque tokens.
    public var claims: JSONObject? { Self.decodeClaims(value) }

    /// The tenant (`tid` claim).
    public var tenant: String? { claims?["tid"]?.stringValue }

    /// Who the token is for: a user name, else an application id, else an object id.
    public var identity: String? {
        guard let claims else { return nil }
        for key in ["upn", "unique_name", "preferred_username", "email", "app_displayname", "appid", "azp", "oid", "sub"] {
            if let value = claims[key]?.stringValue, !value.isEmpty { return value }
        }
        return nil
    }

    /// Decodes the payload of a JWT without verifying it (ARM verifies it; nwsh only reads it).
    public static func decodeClaims(_ token: String) -> JSONObject? {
        let pieces = token.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 3 else { return nil }
        var base64 = pieces[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let json = try? JSONParser.parse(bytes: Array(data)) else { return nil }
        return json.objectValue
    }

    /// Expiry from the JWT `exp` claim, if present.
    public static func expiry(ofJWT token: String) -> Date? {
        guard let exp = decodeClaims(token)?["exp"]?.numberValue?.doubleValue else { return nil }
        return Date(timeIntervalSince1970: exp)
    }
}
