import Foundation
import HTTPCore
import JSON
import Synchronization

/// Answers requests from a cassette, never from the network.
///
/// Requests are matched on the method, the path (case-insensitively, as ARM paths are, and with
/// equivalent percent-encodings equal: `;` and `%3B`) and the query items in any order; the host is
/// ignored, so a cassette recorded on the sandbox's port replays on any port. A request is
/// redacted the way recording redacted it before it is matched, so a script that sends a password
/// matches its own recording, where the password is `REDACTED`. Requests with a body match only a
/// recorded request whose body is the same JSON value (or the same bytes, for other bodies): the
/// body's canonical form is part of the index key, so a thousand connectivity checks posted to one
/// watcher URL cost one lookup each. Identical requests — the polls of a long-running operation —
/// get their recorded responses in recorded order; a GET asked for more often than it was recorded
/// gets its last response again. A request that got no response when recorded (a refused
/// connection) fails the same way. Lookup is indexed by the match key, so replay time does not grow
/// with the cassette's length.
public final class ReplayTransport: HTTPTransport {
    public let file: String
    /// What answered each recorded request.
    private enum Answer {
        case response(HTTPResponse)
        case failure(TransportError)
    }
    private let requests: [HTTPRequest]
    private let answers: [Answer]
    /// Which recorded requests were lookups between statements (Tab completion's).
    private let lookups: [Bool]
    private let index: [String: [Int]]
    /// Which recorded requests have answered a request.
    private let used: Mutex<[Bool]>
    /// How many more requests may be answered before the next is cancelled; nil for no limit.
    private let allowance = Mutex<Int?>(nil)
    private let redactor: Redactor

    /// Where requests that match nothing go (`new_episodes`: the network, recorded); nil to fail them.
    private let fallback: HTTPTransport?

    /// Serves `cassette`; `secrets` is the session's ledger, which matching learns from as
    /// recording did.
    public init(cassette: Cassette, file: String, fallback: HTTPTransport? = nil, secrets: SecretLedger = SecretLedger()) {
        self.fallback = fallback
        self.file = file
        self.redactor = Redactor(ledger: secrets)
        var requests: [HTTPRequest] = []
        var answers: [Answer] = []
        var lookups: [Bool] = []
        for event in cassette.events {
            switch event {
            case .interaction(let interaction):
                requests.append(interaction.request)
                answers.append(.response(interaction.response))
                lookups.append(interaction.lookup != nil)
            case .failure(let failure):
                requests.append(failure.request)
                answers.append(.failure(failure.error))
                lookups.append(false)
            case .command, .ended:
                continue
            }
        }
        var index: [String: [Int]] = [:]
        for (position, request) in requests.enumerated() {
            index[Self.key(request) + "\n" + Self.canonicalBody(request.body), default: []].append(position)
        }
        self.requests = requests
        self.answers = answers
        self.lookups = lookups
        self.index = index
        self.used = Mutex([Bool](repeating: false, count: requests.count))
    }

    /// Answers only `count` more requests, then cancels the next as Ctrl-C cancelled it when it was
    /// recorded (`--rerun` of an interrupted statement); nil lifts the limit.
    public func allowRequests(_ count: Int?) {
        allowance.withLock { $0 = count }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let allowed = allowance.withLock { allowance -> Bool in
            guard let left = allowance else { return true }
            guard left > 0 else { return false }
            allowance = left - 1
            return true
        }
        guard allowed else { throw CancellationError() }
        let (matchable, json) = redactor.redactForMatching(request)
        let body = json.map(Self.canonical) ?? Self.canonicalBody(matchable.body)
        let matching = index[Self.key(matchable) + "\n" + body] ?? []
        // A statement's request is answered by a statement's recorded request first, a lookup's
        // (Tab completion's, marked when recorded) by a lookup's: a lookup recorded between two
        // statements must not answer the second with what was there before the first.
        let isLookup = RecordingPurpose.lookup != nil
        let chosen: Int? = used.withLock { used in
            // Two scans, no copy: replay answers every request through here.
            if let next = matching.first(where: { !used[$0] && lookups[$0] == isLookup }) ?? matching.first(where: { !used[$0] }) {
                used[next] = true
                return next
            }
            guard request.method.uppercased() == "GET" else { return nil }
            return matching.last { lookups[$0] == isLookup } ?? matching.last
        }
        guard let chosen else {
            if let fallback { return try await fallback.send(request) }
            throw CassetteError.noMatch(
                method: request.method, url: matchable.url, file: (file as NSString).lastPathComponent, closest: closest(to: matchable))
        }
        switch answers[chosen] {
        case .response(let response): return response
        case .failure(let error): throw error
        }
    }

    /// The match key: method, lower-cased path, and query items sorted (names lower-cased).
    static func key(_ request: HTTPRequest) -> String {
        let (path, query) = URLParts.split(request.url)
        return request.method.uppercased() + " " + URLParts.normalized(path: path).lowercased() + "?"
            + query.map { "\($0.name.lowercased())=\($0.value)" }.sorted().joined(separator: "&")
    }

    /// A body in a form where equal bodies are equal strings: JSON (`j` and the value with object
    /// members sorted and numbers by value), other bytes (`b` and base64), or empty for no body.
    static func canonicalBody(_ body: [UInt8]?) -> String {
        guard let body, !body.isEmpty else { return "" }
        guard let json = try? JSONParser.parse(bytes: body) else { return "b" + Data(body).base64EncodedString() }
        return canonical(json)
    }

    /// A JSON body's canonical form.
    static func canonical(_ json: JSONValue) -> String {
        var text = "j"
        canonical(json, into: &text)
        return text
    }

    private static func canonical(_ value: JSONValue, into text: inout String) {
        switch value {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .number(let number): text += String(number.doubleValue)
        case .string(let string): text += JSONFormatter.quoted(string)
        case .array(let elements):
            text += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { text += "," }
                canonical(element, into: &text)
            }
            text += "]"
        case .object(let object):
            text += "{"
            for (position, member) in object.members.sorted(by: { $0.key < $1.key }).enumerated() {
                if position > 0 { text += "," }
                text += JSONFormatter.quoted(member.key) + ":"
                canonical(member.value, into: &text)
            }
            text += "}"
        }
    }

    /// Describes the recorded interaction most like `request` and how it differs.
    func closest(to request: HTTPRequest) -> String? {
        let (path, query) = URLParts.split(request.url)
        var best: (score: Int, position: Int, difference: String)?
        for (position, recorded) in requests.enumerated() {
            let (recordedPath, recordedQuery) = URLParts.split(recorded.url)
            let sameMethod = recorded.method.uppercased() == request.method.uppercased()
            let samePath = URLParts.normalized(path: recordedPath).lowercased() == URLParts.normalized(path: path).lowercased()
            let sameQuery = Self.key(HTTPRequest(method: "", url: recorded.url)) == Self.key(HTTPRequest(method: "", url: request.url))
            let score: Int
            let difference: String
            if sameMethod && samePath && sameQuery {
                score = 4
                difference = "body differs at " + Self.difference(recorded.body, request.body)
            } else if sameMethod && samePath {
                score = 3
                difference = "query differs: " + Self.queryDifference(recordedQuery, query)
            } else if samePath {
                score = 2
                difference = "method \(recorded.method) vs \(request.method)"
            } else if sameMethod {
                score = 1
                difference = "path \(recordedPath) vs \(path)"
            } else {
                continue
            }
            let prefix = commonPrefix(recordedPath.lowercased(), path.lowercased())
            let weighted = score * 100_000 + min(prefix, 99_999)
            if weighted > (best?.score ?? -1) { best = (weighted, position, difference) }
        }
        guard let best else { return nil }
        return "interaction \(best.position + 1), \(best.difference)"
    }

    private func commonPrefix(_ a: String, _ b: String) -> Int {
        zip(a, b).prefix { $0 == $1 }.count
    }

    static func queryDifference(_ recorded: [(name: String, value: String)], _ sent: [(name: String, value: String)]) -> String {
        let names = Set(recorded.map { $0.name.lowercased() } + sent.map { $0.name.lowercased() }).sorted()
        for name in names {
            let left = recorded.first { $0.name.lowercased() == name }?.value
            let right = sent.first { $0.name.lowercased() == name }?.value
            if left != right { return "\(name): \(left ?? "absent") vs \(right ?? "absent")" }
        }
        return "order only"
    }

    /// The first place two bodies differ, as `path: recorded vs sent`.
    static func difference(_ recorded: [UInt8]?, _ sent: [UInt8]?) -> String {
        let left = recorded.flatMap { try? JSONParser.parse(bytes: $0) }
        let right = sent.flatMap { try? JSONParser.parse(bytes: $0) }
        guard let left, let right else {
            return "the body: \(recorded.map { "\($0.count) bytes" } ?? "none") vs \(sent.map { "\($0.count) bytes" } ?? "none")"
        }
        return firstDifference(left, right, path: "") ?? "the body (same JSON value)"
    }

    static func firstDifference(_ left: JSONValue, _ right: JSONValue, path: String) -> String? {
        switch (left, right) {
        case (.object(let a), .object(let b)):
            for key in a.keys + b.keys.filter({ a[$0] == nil }) {
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let l = a[key] else { return "\(child): absent vs \(describe(b[key]))" }
                guard let r = b[key] else { return "\(child): \(describe(l)) vs absent" }
                if let found = firstDifference(l, r, path: child) { return found }
            }
            return nil
        case (.array(let a), .array(let b)):
            for (position, pair) in zip(a, b).enumerated() {
                if let found = firstDifference(pair.0, pair.1, path: "\(path)[\(position)]") { return found }
            }
            return a.count == b.count ? nil : "\(path.isEmpty ? "the body" : path): \(a.count) elements vs \(b.count)"
        default:
            return left == right ? nil : "\(path.isEmpty ? "the body" : path): \(describe(left)) vs \(describe(right))"
        }
    }

    private static func describe(_ value: JSONValue?) -> String {
        guard let value else { return "absent" }
        let text = JSONFormatter.compact.format(value)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
