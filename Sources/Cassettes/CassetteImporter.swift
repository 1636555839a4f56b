import Foundation
import HTTPCore
import JSON
import Yams

/// Turns recordings made by other tools into nwsh cassettes: HAR files (browser developer tools,
/// proxies) and vcrpy YAML cassettes (what Azure CLI and the Azure SDK for Python record in their
/// tests). What is imported is redacted like anything nwsh records.
public enum CassetteImporter {
    /// The formats understood.
    public enum Format: String, Sendable {
        case har = "HAR"
        case vcrpy = "vcrpy YAML"
    }

    /// Reads `path` (HAR when it is a JSON object with `log`, else vcrpy YAML) into a cassette.
    public static func load(path: String, displayName: String? = nil) throws(CassetteError) -> (Cassette, Format) {
        let name = displayName ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(file: name, reason: Cassette.unreadableReason(path))
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(file: name, reason: "it is not UTF-8 text") }
        return try read(text: text, file: name)
    }

    /// Reads a HAR file's or a vcrpy cassette's text (HAR when it is a JSON object with `log`,
    /// else vcrpy YAML); `file` names it in errors.
    public static func read(text: String, file name: String) throws(CassetteError) -> (Cassette, Format) {
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.hasPrefix("{") {
            let json: JSONValue
            do {
                json = try JSONParser.parse(text)
            } catch {
                throw .notJSON(file: name, reason: error.reason, line: error.location.line, column: error.location.column)
            }
            guard json["log"] != nil else { throw .invalid(file: name, location: "log", reason: "missing: this is not a HAR file") }
            return (try fromHAR(json, file: name), .har)
        }
        return (try fromVCR(yaml: text, file: name), .vcrpy)
    }

    static func metadata(source: String, firstURL: String?, recordedAt: String?) -> Cassette.Metadata {
        var endpoint = "unknown"
        if let firstURL, let range = firstURL.range(of: "://") {
            let rest = firstURL[range.upperBound...]
            endpoint = String(firstURL[..<range.upperBound]) + String(rest.prefix { $0 != "/" && $0 != "?" })
        }
        return Cassette.Metadata(
            source: source, endpoint: endpoint, recordedWith: NWSHVersion.recordedWith + " import",
            recordedAt: recordedAt ?? ISO8601DateFormatter().string(from: Date()))
    }

    /// Redacts what is imported as recording does, learning the secrets requests carry (a
    /// password in a body, then echoed elsewhere) but not those of responses, as replaying the
    /// original requests learns them: so they still match what was imported.
    private static var importRedactor: Redactor { Redactor(ledger: SecretLedger(), learnsFromResponses: false) }

    // MARK: HAR

    /// A HAR file already parsed (its `log`), as a cassette; `file` names it in errors.
    public static func fromHAR(_ json: JSONValue, file: String) throws(CassetteError) -> Cassette {
        let reader = Cassette.Reader(file: file)
        guard case .array(let entries)? = json["log"]?["entries"] else {
            throw .invalid(file: file, location: "log.entries", reason: "expected an array")
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        func date(_ text: String?) -> Date? { text.flatMap { formatter.date(from: $0) ?? plain.date(from: $0) } }
        let firstStart = date(entries.first?["startedDateTime"]?.stringValue)
        let redactor = importRedactor
        var events: [Cassette.Event] = []
        for (index, entry) in entries.enumerated() {
            let location = "log.entries[\(index)]"
            let request = HTTPRequest(
                method: try reader.string(entry["request"]?["method"], at: location + ".request.method"),
                url: try reader.string(entry["request"]?["url"], at: location + ".request.url"),
                headers: try harHeaders(entry["request"]?["headers"], at: location + ".request.headers", reader: reader),
                body: entry["request"]?["postData"]?["text"]?.stringValue.map { Array($0.utf8) })
            var body: [UInt8] = []
            if let text = entry["response"]?["content"]?["text"]?.stringValue {
                if entry["response"]?["content"]?["encoding"]?.stringValue == "base64" {
                    guard let data = Data(base64Encoded: text) else {
                        throw .invalid(file: file, location: location + ".response.content.text", reason: "not valid base64")
                    }
                    body = Array(data)
                } else {
                    body = Array(text.utf8)
                }
            }
            let response = HTTPResponse(
                status: try reader.int(entry["response"]?["status"], at: location + ".response.status"),
                headers: try harHeaders(entry["response"]?["headers"], at: location + ".response.headers", reader: reader),
                body: body)
            let started = date(entry["startedDateTime"]?.stringValue)
            var at = 0.0
            if let started, let firstStart { at = started.timeIntervalSince(firstStart) }
            events.append(
                .interaction(
                    redactor.redact(
                        Interaction(
                            request: request, response: response, at: max(0, at),
                            durationMilliseconds: entry["time"]?.numberValue?.doubleValue ?? 0))))
        }
        let recordedAt = firstStart.map { ISO8601DateFormatter().string(from: $0) }
        return Cassette(
            metadata: metadata(
                source: "imported from \((file as NSString).lastPathComponent) (HAR)",
                firstURL: entries.first?["request"]?["url"]?.stringValue, recordedAt: recordedAt), events: events)
    }

    private static func harHeaders(_ value: JSONValue?, at location: String, reader: Cassette.Reader) throws(CassetteError) -> HTTPHeaders {
        guard let value else { return HTTPHeaders() }
        guard case .array(let items) = value else {
            throw .invalid(file: reader.file, location: location, reason: "expected an array of {name, value}")
        }
        var headers = HTTPHeaders()
        for (index, item) in items.enumerated() {
            headers.add(
                try reader.string(item["name"], at: "\(location)[\(index)].name"),
                try reader.string(item["value"], at: "\(location)[\(index)].value"))
        }
        return headers
    }

    // MARK: vcrpy

    /// A vcrpy YAML cassette's text, as a cassette; `file` names it in errors.
    public static func fromVCR(yaml: String, file: String) throws(CassetteError) -> Cassette {
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                throw CassetteError.invalid(file: file, location: "the document", reason: "empty")
            }
            root = composed
        } catch let error as CassetteError {
            throw error
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw .invalid(file: file, location: "the document", reason: "\(error)")
        }
        guard let interactions = root["interactions"] else {
            throw .invalid(file: file, location: "interactions", reason: "missing: this is neither a HAR file nor a vcrpy cassette")
        }
        guard case .sequence = interactions else { throw invalid(file, interactions, "interactions", "expected a list") }
        let redactor = importRedactor
        var events: [Cassette.Event] = []
        var firstURL: String?
        for (index, item) in interactions.array().enumerated() {
            let location = "interactions[\(index)]"
            guard let request = item["request"], let response = item["response"] else {
                throw invalid(file, item, location, "expected request and response")
            }
            guard let method = request["method"]?.string else { throw invalid(file, request, location + ".request.method", "missing") }
            guard let uri = request["uri"]?.string else { throw invalid(file, request, location + ".request.uri", "missing") }
            firstURL = firstURL ?? uri
            let requestBody = try vcrBody(request["body"], file: file, location: location + ".request.body")
            let responseBody = try vcrBody(
                response["body"]?["string"] ?? response["body"], file: file, location: location + ".response.body")
            guard let status = Self.statusCode(response["status"]?["code"]) ?? Self.statusCode(response["status"]) else {
                throw invalid(file, response, location + ".response.status.code", "missing or not a number")
            }
            var responseHeaders = try vcrHeaders(response["headers"], file: file, location: location + ".response.headers")
            // Scrubbed bodies no longer match the recorded length: state the real one.
            if responseHeaders.contains("Content-Length") { responseHeaders.replace("Content-Length", String(responseBody?.count ?? 0)) }
            events.append(
                .interaction(
                    redactor.redact(
                        Interaction(
                            request: HTTPRequest(
                                method: method.uppercased(), url: uri,
                                headers: try vcrHeaders(request["headers"], file: file, location: location + ".request.headers"),
                                body: requestBody),
                            response: HTTPResponse(status: status, headers: responseHeaders, body: responseBody ?? []),
                            at: Double(index), durationMilliseconds: 0))))
        }
        return Cassette(
            metadata: metadata(
                source: "imported from \((file as NSString).lastPathComponent) (vcrpy)", firstURL: firstURL, recordedAt: nil),
            events: events)
    }

    private static func invalid(_ file: String, _ node: Node, _ location: String, _ reason: String) -> CassetteError {
        let place = node.mark.map { " (line \($0.line), column \($0.column))" } ?? ""
        return .invalid(file: file, location: location + place, reason: reason)
    }

    private static func yamlError(_ error: YamlError, file: String) -> CassetteError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return .notYAML(file: file, reason: problem, line: mark.line, column: mark.column)
        default:
            return .invalid(file: file, location: "the document", reason: error.description)
        }
    }

    /// Header values are lists in vcrpy (`Accept: ['*/*']`); repeated identical values are dropped.
    private static func vcrHeaders(_ node: Node?, file: String, location: String) throws(CassetteError) -> HTTPHeaders {
        guard let node, case .mapping(let mapping) = node else { return HTTPHeaders() }
        var headers = HTTPHeaders()
        for (key, value) in mapping {
            guard let name = key.string else { throw invalid(file, key, location, "a header name is not text") }
            var seen: [String] = []
            let values: [Node] = if case .sequence = value { value.array() } else { [value] }
            for item in values {
                guard let text = item.string else { continue }
                if !seen.contains(text) {
                    seen.append(text)
                    headers.add(name, text)
                }
            }
        }
        return headers
    }

    /// An HTTP status from a YAML scalar: decimal digits only, read here rather than by Yams's
    /// `Node.int`, which also reads YAML 1.1's base-60 integers (`22:00`) and traps on one too
    /// large for `Int` (fuzzing found that: Fuzz/Corpus/lab/sexagesimal-status-overflow.yaml).
    static func statusCode(_ node: Node?) -> Int? {
        guard let text = node?.scalar?.string, (1...3).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return nil }
        return Int(text)
    }

    /// A vcrpy body: null, text, `!!binary` base64, or a Python bytes literal such as `b'{"a": 1}'`.
    private static func vcrBody(_ node: Node?, file: String, location: String) throws(CassetteError) -> [UInt8]? {
        guard let node, node.null == nil else { return nil }
        if let data = node.binary, node.tag.rawValue.hasSuffix("binary") { return Array(data) }
        guard let text = node.string else {
            if case .mapping = node { return nil }
            throw invalid(file, node, location, "expected text or !!binary")
        }
        if let bytes = pythonBytesLiteral(text) { return bytes.isEmpty ? nil : bytes }
        return text.isEmpty ? nil : Array(text.utf8)
    }

    /// Decodes Python's `repr` of bytes (`b'...'` or `b"..."`); nil when the text is not one.
    public static func pythonBytesLiteral(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count >= 3, characters[0] == UInt8(ascii: "b"),
            let quote = characters.dropFirst().first, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\""),
            characters.last == quote
        else { return nil }
        var bytes: [UInt8] = []
        var index = 2
        let end = characters.count - 1
        while index < end {
            let byte = characters[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < end else {
                bytes.append(byte)
                index += 1
                continue
            }
            let escape = characters[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "0"): bytes.append(0x00)
            case UInt8(ascii: "x") where index + 1 < end:
                guard let value = UInt8(String(decoding: characters[index...(index + 1)], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
                index += 2
            default: bytes.append(escape)
            }
        }
        return bytes
    }
}
