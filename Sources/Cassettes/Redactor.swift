import ARM
import Foundation
import ShellLanguage

/// Removes secrets from what is recorded, before anything reaches disk.
///
/// - Credential headers (`Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, API keys).
/// - Secrets in token exchanges: `client_secret`, `client_assertion`, `refresh_token`, `device_code`,
///   `password`, `code` in form bodies; `access_token`, `refresh_token`, `id_token` in answers.
/// - Storage account keys (`listKeys` answers: `keys[].value`, `primaryKey`, `secondaryKey`, and
///   `AccountKey=` in connection strings).
/// - SAS signatures (`sig=` in any URL or text) and anything that looks like a JWT, anywhere.
public struct Redactor: Sendable {
    /// What replaces a secret.
    public static let placeholder = "REDACTED"

    static let secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-ms-authorization-auxiliary",
        "ocp-apim-subscription-key", "x-functions-key", "x-api-key",
    ]
    static let secretFormFields: Set<String> = ["client_secret", "client_assertion", "refresh_token", "device_code", "password", "code", "assertion"]
    static let secretJSONKeys: Set<String> = [
        "access_token", "refresh_token", "id_token", "client_secret", "password", "primarykey", "secondarykey",
        "primarymasterkey", "secondarymasterkey", "primaryconnectionstring", "secondaryconnectionstring", "accesstoken",
    ]

    public init() {}

    /// The exchange with every secret replaced.
    public func redact(_ interaction: Interaction) -> Interaction {
        var copy = interaction
        copy.request.url = redact(text: copy.request.url)
        copy.request.headers = redact(headers: copy.request.headers)
        copy.response.headers = redact(headers: copy.response.headers)
        if let body = copy.request.body {
            let isForm = copy.request.headers["Content-Type"]?.lowercased().contains("x-www-form-urlencoded") == true
            copy.request.body = isForm ? redact(form: body) : redact(body: body)
        }
        copy.response.body = redact(body: copy.response.body)
        return copy
    }

    func redact(headers: HTTPHeaders) -> HTTPHeaders {
        HTTPHeaders(headers.fields.map { field in
            Self.secretHeaders.contains(field.name.lowercased())
                ? .init(name: field.name, value: Self.placeholder)
                : .init(name: field.name, value: redact(text: field.value))
        })
    }

    func redact(form body: [UInt8]) -> [UInt8] {
        let text = String(decoding: body, as: UTF8.self)
        let pairs = text.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let name = parts.first, Self.secretFormFields.contains(name.lowercased()) else { return redact(text: String(pair)) }
            return "\(name)=\(Self.placeholder)"
        }
        return Array(pairs.joined(separator: "&").utf8)
    }

    func redact(body: [UInt8]) -> [UInt8] {
        guard !body.isEmpty else { return body }
        if let json = try? JSONParser.parse(bytes: body) {
            let redacted = redact(json: json, key: nil)
            return redacted == json ? body : Array(JSONFormatter.compact.format(redacted).utf8)
        }
        guard let text = String(bytes: body, encoding: .utf8) else { return body }
        let redacted = redact(text: text)
        return redacted == text ? body : Array(redacted.utf8)
    }

    /// JSON with secret members replaced; `key` is the member name the value sits under.
    public func redact(json: JSONValue, key: String?) -> JSONValue {
        switch json {
        case .string(let text):
            if let key, Self.secretJSONKeys.contains(key.lowercased()) { return .string(Self.placeholder) }
            return .string(redact(text: text))
        case .array(let elements):
            // listKeys: {"keys": [{"keyName": "key1", "value": "..."}]}
            let isKeyList = key?.lowercased() == "keys"
            return .array(elements.map { element in
                guard isKeyList, case .object(var object) = element, object["value"] != nil else { return redact(json: element, key: nil) }
                object["value"] = .string(Self.placeholder)
                return redact(json: .object(object), key: nil)
            })
        case .object(let object):
            return .object(JSONObject(object.members.map { .init(key: $0.key, value: redact(json: $0.value, key: $0.key)) }))
        default:
            return json
        }
    }

    /// Text with JWTs, SAS signatures and account keys replaced.
    public func redact(text: String) -> String {
        // A quick byte scan first: this runs on every string of every exchange recorded.
        guard Self.mayHoldSecret(text) else { return text }
        var result = text
        result = result.replacing(Self.jwt, with: "\(Self.placeholder)-JWT")
        result = result.replacing(Self.keyValueSecret) { match in "\(match.output.1)\(Self.placeholder)" }
        return result
    }

    /// Whether the text contains `eyJ`, or `sig=`, `AccountKey=` or `SharedAccessKey=` in any case.
    static func mayHoldSecret(_ text: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        var previous: (UInt8, UInt8) = (0, 0)
        while let byte = bytes.next() {
            if byte == UInt8(ascii: "J"), previous == (UInt8(ascii: "e"), UInt8(ascii: "y")) { return true }
            if byte == UInt8(ascii: "="), (previous.0 | 0x20, previous.1 | 0x20) == (UInt8(ascii: "i"), UInt8(ascii: "g")) || (previous.0 | 0x20, previous.1 | 0x20) == (UInt8(ascii: "e"), UInt8(ascii: "y")) {
                return true
            }
            previous = (previous.1, byte)
        }
        return false
    }

    nonisolated(unsafe) static let jwt = #/eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/#
    nonisolated(unsafe) static let keyValueSecret = #/(?i)((?:[?&;]|\b)(?:sig|AccountKey|SharedAccessKey)=)[^&;"'\s]+/#
}
