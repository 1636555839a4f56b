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
        prepare(interaction).interaction
    }

    /// An exchange as it is written to a cassette: redacted, with its JSON bodies parsed (once),
    /// so encoding it need not parse them again.
    struct Prepared {
        var interaction: Interaction
        /// The request body as JSON, when it is JSON.
        var requestJSON: JSONValue?
        /// The response body as JSON, when it is JSON.
        var responseJSON: JSONValue?
    }

    /// The exchange with every secret replaced, and `rewrite` applied to every piece of text after
    /// redaction (the URL, header values, form values and every string in JSON bodies).
    func prepare(_ interaction: Interaction, rewrite: (String) -> String = { $0 }) -> Prepared {
        func text(_ value: String) -> String { rewrite(redact(text: value)) }
        var copy = interaction
        copy.request.url = text(copy.request.url)
        copy.request.headers = redact(headers: copy.request.headers, text)
        copy.response.headers = redact(headers: copy.response.headers, text)
        var requestJSON: JSONValue?
        if let body = copy.request.body {
            if copy.request.headers["Content-Type"]?.lowercased().contains("x-www-form-urlencoded") == true {
                copy.request.body = redact(form: body, text)
            } else {
                (copy.request.body, requestJSON) = redact(body: body, text)
            }
        }
        let responseJSON: JSONValue?
        (copy.response.body, responseJSON) = redact(body: copy.response.body, text)
        return Prepared(interaction: copy, requestJSON: requestJSON, responseJSON: responseJSON)
    }

    private func redact(headers: HTTPHeaders, _ text: (String) -> String) -> HTTPHeaders {
        HTTPHeaders(headers.fields.map { field in
            Self.secretHeaders.contains(field.name.lowercased())
                ? .init(name: field.name, value: Self.placeholder)
                : .init(name: field.name, value: text(field.value))
        })
    }

    private func redact(form body: [UInt8], _ text: (String) -> String) -> [UInt8] {
        let pairs = String(decoding: body, as: UTF8.self).split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let name = parts.first, Self.secretFormFields.contains(name.lowercased()) else { return text(String(pair)) }
            return "\(name)=\(Self.placeholder)"
        }
        return Array(pairs.joined(separator: "&").utf8)
    }

    /// A body with secrets replaced, and its JSON value when it is JSON. Bodies that do not change
    /// are kept byte for byte.
    private func redact(body: [UInt8], _ text: (String) -> String) -> (body: [UInt8], json: JSONValue?) {
        guard !body.isEmpty else { return (body, nil) }
        if let json = try? JSONParser.parse(bytes: body) {
            var changed = false
            let redacted = redact(json: json, key: nil, text, changed: &changed)
            return (changed ? Array(JSONFormatter.compact.format(redacted).utf8) : body, redacted)
        }
        guard let original = String(validating: body, as: UTF8.self) else { return (body, nil) }
        let redacted = text(original)
        return (redacted == original ? body : Array(redacted.utf8), nil)
    }

    /// JSON with secret members replaced; `key` is the member name the value sits under.
    public func redact(json: JSONValue, key: String?) -> JSONValue {
        var changed = false
        return redact(json: json, key: key, { redact(text: $0) }, changed: &changed)
    }

    /// JSON with secret members replaced and `text` applied to every other string; `changed` is set
    /// when anything differs.
    private func redact(json: JSONValue, key: String?, _ text: (String) -> String, changed: inout Bool) -> JSONValue {
        switch json {
        case .string(let string):
            if let key, Self.secretJSONKeys.contains(key.lowercased()) {
                changed = true
                return .string(Self.placeholder)
            }
            let rewritten = text(string)
            if rewritten != string { changed = true }
            return .string(rewritten)
        case .array(let elements):
            // listKeys: {"keys": [{"keyName": "key1", "value": "..."}]}
            let isKeyList = key?.lowercased() == "keys"
            return .array(elements.map { element in
                guard isKeyList, case .object(var object) = element, object["value"] != nil else {
                    return redact(json: element, key: nil, text, changed: &changed)
                }
                object["value"] = .string(Self.placeholder)
                changed = true
                return redact(json: .object(object), key: nil, text, changed: &changed)
            })
        case .object(let object):
            return .object(JSONObject(object.members.map { .init(key: $0.key, value: redact(json: $0.value, key: $0.key, text, changed: &changed)) }))
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
