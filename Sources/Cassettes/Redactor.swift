import Foundation
import HTTPCore
import JSON

/// Removes secrets from what is recorded, before anything reaches disk.
///
/// - Credential headers (`Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, API keys).
/// - Secrets in token exchanges: `client_secret`, `client_assertion`, `refresh_token`, `device_code`,
///   `password`, `code` in form bodies; `access_token`, `refresh_token`, `id_token` in answers.
/// - Storage account keys (`listKeys` answers: `keys[].value`, `primaryKey`, `secondaryKey`, and
///   `AccountKey=` in connection strings).
/// - SAS signatures (`sig=` in any URL or text) and anything that looks like a JWT, anywhere.
/// - Passwords and shared keys in any JSON body (`password`, `adminPassword`, `clientSecret`,
///   `sharedKey`, ...).
///
/// With a ``SecretLedger``, each value removed by where it sits is learned and removed as text
/// wherever else it appears (``redactForWriting(text:)`` for command text, history and `-v`).
public struct Redactor: Sendable {
    /// What replaces a secret.
    public static let placeholder = "REDACTED"

    /// Headers whose values are credentials, lower-cased.
    public static let secretHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-ms-authorization-auxiliary",
        "ocp-apim-subscription-key", "x-functions-key", "x-api-key",
    ]
    static let secretFormFields: Set<String> = [
        "client_secret", "client_assertion", "refresh_token", "device_code", "password", "code", "assertion",
    ]
    static let secretJSONKeys: Set<String> = [
        "access_token", "refresh_token", "id_token", "client_secret", "password", "primarykey", "secondarykey",
        "primarymasterkey", "secondarymasterkey", "primaryconnectionstring", "secondaryconnectionstring", "accesstoken",
        "sharedkey", "authorizationkey",
    ]

    /// Whether a JSON member with this name holds a secret when its value is a string: the names
    /// above, and any name containing `password` (`adminPassword`) or ending in `secret`
    /// (`clientSecret`).
    static func isSecret(jsonKey key: String) -> Bool {
        // Every member name of every body recorded comes here: compared as bytes, ignoring ASCII
        // case, with no lower-cased copy and no Foundation string search (BENCHMARKS.md).
        // A name with non-ASCII characters goes the long way: lower-casing maps some of them to
        // ASCII letters (the Kelvin sign to `k`), and such a name must match as it always did.
        var key = key
        let ascii: Bool? = key.withUTF8 { name in
            // One pass over the bytes: a non-ASCII name is left to the lower-casing below.
            guard !name.contains(where: { $0 >= 0x80 }) else { return nil }
            guard !name.isEmpty else { return false }
            if name.count >= 6, asciiEqualIgnoringCase(UnsafeBufferPointer(rebasing: name[(name.count - 6)...]), Self.secretSuffix) {
                return true
            }
            if name.count >= 8 {
                for start in 0...(name.count - 8)
                where asciiEqualIgnoringCase(UnsafeBufferPointer(rebasing: name[start..<(start + 8)]), Self.passwordBytes) {
                    return true
                }
            }
            return Self.secretJSONKeyBytes.contains { $0.count == name.count && asciiEqualIgnoringCase(name, $0) }
        }
        if let ascii { return ascii }
        let lowered = key.lowercased()
        return secretJSONKeys.contains(lowered) || lowered.contains("password") || lowered.hasSuffix("secret")
    }

    private static let secretSuffix = Array("secret".utf8)
    private static let passwordBytes = Array("password".utf8)
    private static let secretJSONKeyBytes = secretJSONKeys.map { Array($0.utf8) }

    /// Whether `bytes` equals `lowered` (already lower-case) when ASCII letters are lower-cased.
    private static func asciiEqualIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowered: [UInt8]) -> Bool {
        guard bytes.count == lowered.count else { return false }
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 32 }
            if byte != lowered[index] { return false }
        }
        return true
    }

    /// Values removed by where they sit are learned here, and replaced wherever else they appear.
    public let ledger: SecretLedger?
    /// Whether values removed from responses are learned too, not only those of requests.
    private let learnsFromResponses: Bool

    /// A redactor; with a `ledger`, the values it removes are learned, and every value learned is
    /// removed from all the text it redacts. `learnsFromResponses` false learns only what requests
    /// carry: what a replay, which sees only requests, can learn the same way.
    public init(ledger: SecretLedger? = nil, learnsFromResponses: Bool = true) {
        self.ledger = ledger
        self.learnsFromResponses = learnsFromResponses
    }

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
    ///
    /// With a ledger, the values removed are learned first, so a password sent in a request and
    /// echoed under another name in the same exchange is removed there too.
    func prepare(_ interaction: Interaction, rewrite: (String) -> String = { $0 }) -> Prepared {
        learningFirst { text, removed in
            var copy = interaction
            var fromResponse: [String] = []
            let requestJSON = redact(request: &copy.request, { rewrite(text($0)) }, removed: &removed)
            copy.request.headers = redact(headers: copy.request.headers, { rewrite(text($0)) }, removed: &removed)
            copy.response.headers = redact(headers: copy.response.headers, { rewrite(text($0)) }, removed: &fromResponse)
            let responseJSON: JSONValue?
            (copy.response.body, responseJSON) = redact(body: copy.response.body, { rewrite(text($0)) }, removed: &fromResponse)
            if learnsFromResponses { removed += fromResponse }
            return Prepared(interaction: copy, requestJSON: requestJSON, responseJSON: responseJSON)
        }
    }

    /// Runs `redaction` (given the text redaction, and the list to add the values it removes to)
    /// and, when the ledger learns something from what it removed, runs it again, so a value is
    /// also removed where it appears before the place it was learned from.
    private func learningFirst<Result>(_ redaction: (_ text: (String) -> String, _ removed: inout [String]) -> Result) -> Result {
        var removed: [String] = []
        let result = redaction(textRedaction(), &removed)
        guard let ledger, ledger.learn(removed) else { return result }
        var again: [String] = []
        return redaction(textRedaction(), &again)
    }

    /// ``redactForWriting(text:)`` with the ledger looked at once, not for every string of a body.
    private func textRedaction() -> (String) -> String {
        guard let ledger, !ledger.isEmpty else { return { redact(text: $0) } }
        return { ledger.scrub(redact(text: $0)) }
    }

    /// Redacts a request's URL and body (form fields or JSON) in place; returns the body's JSON
    /// value when it is JSON. Headers are the caller's (matching ignores them).
    private func redact(request: inout HTTPRequest, _ text: (String) -> String, removed: inout [String]) -> JSONValue? {
        request.url = text(request.url)
        guard let body = request.body else { return nil }
        if request.headers["Content-Type"]?.lowercased().contains("x-www-form-urlencoded") == true {
            request.body = redact(form: body, text, removed: &removed)
            return nil
        }
        let json: JSONValue?
        (request.body, json) = redact(body: body, text, removed: &removed)
        return json
    }

    /// A request as replay matches it: its URL and body redacted the way recording redacted them
    /// (the values removed are learned, as when recording), and the body's JSON value when it is
    /// JSON. Headers play no part in matching and are left alone.
    public func redactForMatching(_ request: HTTPRequest) -> (request: HTTPRequest, json: JSONValue?) {
        learningFirst { text, removed in
            var copy = request
            let json = redact(request: &copy, text, removed: &removed)
            return (copy, json)
        }
    }

    /// Text as it may be written anywhere (command text, history, `-v` output): patterns redacted,
    /// and every value the ledger has learned replaced (nothing to replace, and no cost, when it
    /// has learned none).
    public func redactForWriting(text: String) -> String {
        textRedaction()(text)
    }

    /// The values redaction would remove from a request, by where they sit: for learning them
    /// when nothing is recorded (the history file must not keep a password typed in a command).
    public func secrets(in request: HTTPRequest) -> [String] {
        var removed: [String] = []
        if let body = request.body, !body.isEmpty {
            var copy = request
            _ = redact(request: &copy, { $0 }, removed: &removed)
        }
        for field in request.headers.fields
        where Self.secretHeaders.contains(field.name.lowercased()) && field.name.lowercased() != "authorization" {
            removed.append(field.value)
        }
        return removed
    }

    private func redact(headers: HTTPHeaders, _ text: (String) -> String, removed: inout [String]) -> HTTPHeaders {
        HTTPHeaders(
            headers.fields.map { field in
                let name = field.name.lowercased()
                guard Self.secretHeaders.contains(name) else { return .init(name: field.name, value: text(field.value)) }
                // The bearer token nwsh itself adds is never typed anywhere: not learned, so the
                // common case (no other secret) costs nothing elsewhere.
                if name != "authorization" { removed.append(field.value) }
                return .init(name: field.name, value: Self.placeholder)
            })
    }

    private func redact(form body: [UInt8], _ text: (String) -> String, removed: inout [String]) -> [UInt8] {
        let pairs = String(decoding: body, as: UTF8.self).split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let name = parts.first, Self.secretFormFields.contains(name.lowercased()) else { return text(String(pair)) }
            if parts.count == 2 {
                let value = String(parts[1])
                removed.append(value)
                if let decoded = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding, decoded != value {
                    removed.append(decoded)
                }
            }
            return "\(name)=\(Self.placeholder)"
        }
        return Array(pairs.joined(separator: "&").utf8)
    }

    /// A body with secrets replaced, and its JSON value when it is JSON. Bodies that do not change
    /// are kept byte for byte.
    private func redact(body: [UInt8], _ text: (String) -> String, removed: inout [String]) -> (body: [UInt8], json: JSONValue?) {
        guard !body.isEmpty else { return (body, nil) }
        if let json = try? JSONParser.parse(bytes: body) {
            var changed = false
            let redacted = redact(json: json, key: nil, text, changed: &changed, removed: &removed)
            return (changed ? Array(JSONFormatter.compact.format(redacted).utf8) : body, redacted)
        }
        guard let original = String(validating: body, as: UTF8.self) else { return (body, nil) }
        let redacted = text(original)
        return (redacted == original ? body : Array(redacted.utf8), nil)
    }

    /// JSON with secret members replaced; `key` is the member name the value sits under.
    public func redact(json: JSONValue, key: String?) -> JSONValue {
        var changed = false
        var removed: [String] = []
        return redact(json: json, key: key, { redact(text: $0) }, changed: &changed, removed: &removed)
    }

    /// JSON with secret members replaced and `text` applied to every other string; `changed` is set
    /// when anything differs, and the values replaced are added to `removed`.
    private func redact(
        json: JSONValue, key: String?, _ text: (String) -> String, changed: inout Bool, removed: inout [String]
    ) -> JSONValue {
        switch json {
        case .string(let string):
            if let key, Self.isSecret(jsonKey: key) {
                changed = true
                removed.append(string)
                return .string(Self.placeholder)
            }
            let rewritten = text(string)
            if rewritten != string { changed = true }
            return .string(rewritten)
        case .array(let elements):
            // listKeys: {"keys": [{"keyName": "key1", "value": "..."}]}
            let isKeyList = key?.lowercased() == "keys"
            return .array(
                elements.map { element in
                    guard isKeyList, case .object(var object) = element, let value = object["value"] else {
                        return redact(json: element, key: nil, text, changed: &changed, removed: &removed)
                    }
                    if case .string(let secret) = value { removed.append(secret) }
                    object["value"] = .string(Self.placeholder)
                    changed = true
                    return redact(json: .object(object), key: nil, text, changed: &changed, removed: &removed)
                })
        case .object(let object):
            return .object(
                JSONObject(
                    object.members.map {
                        .init(key: $0.key, value: redact(json: $0.value, key: $0.key, text, changed: &changed, removed: &removed))
                    }))
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
        // Every string recorded comes here: only a `J` or an `=` makes the two bytes before it
        // worth a look.
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= 3 else { return false }
            for index in 2..<bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "J") {
                    if bytes[index - 2] == UInt8(ascii: "e"), bytes[index - 1] == UInt8(ascii: "y") { return true }
                } else if byte == UInt8(ascii: "=") {
                    let (first, second) = (bytes[index - 2] | 0x20, bytes[index - 1] | 0x20)
                    if first == UInt8(ascii: "i"), second == UInt8(ascii: "g") { return true }
                    if first == UInt8(ascii: "e"), second == UInt8(ascii: "y") { return true }
                }
            }
            return false
        }
    }

    nonisolated(unsafe) static let jwt = #/eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/#
    nonisolated(unsafe) static let keyValueSecret = #/(?i)((?:[?&;]|\b)(?:sig|AccountKey|SharedAccessKey)=)[^&;"'\s]+/#
}
