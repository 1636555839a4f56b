import Foundation
import HTTPCore
import JSON

extension Cassette {
    /// The cassette as the JSON document written to disk.
    public var json: JSONValue { Self.document(metadata: metadata, events: events.map(Self.encode)) }

    /// The document for metadata and already-encoded events.
    static func document(metadata: Metadata, events: [JSONValue]) -> JSONValue {
        var metadataObject = JSONObject([
            "source": .string(metadata.source), "endpoint": .string(metadata.endpoint),
            "recordedWith": .string(metadata.recordedWith), "recordedAt": .string(metadata.recordedAt),
            "redacted": .bool(metadata.redacted),
        ])
        if let description = metadata.description { metadataObject["description"] = .string(description) }
        if metadata.anonymized { metadataObject["anonymized"] = .bool(true) }
        if let cloud = metadata.cloud { metadataObject["cloud"] = .string(cloud) }
        return .object(
            JSONObject([
                "format": .string(Self.formatName),
                "version": .number(JSONNumber(Self.formatVersion)),
                "metadata": .object(metadataObject),
                "events": .array(events),
            ]))
    }

    /// The cassette as text: indented JSON with a final newline.
    public var text: String { String(decoding: Self.bytes(json), as: UTF8.self) }

    /// A document as the bytes of a cassette file: indented, with a final newline.
    static func bytes(_ document: JSONValue) -> [UInt8] { JSONFormatter(indent: 2).bytes(document) + [UInt8(ascii: "\n")] }

    /// The metadata as a journal's first line.
    static func metadataLine(_ metadata: Metadata) -> String {
        var copy = Cassette(metadata: metadata).json.objectValue ?? JSONObject()
        copy["events"] = nil
        return JSONFormatter.compact.format(.object(copy))
    }

    static func encode(_ event: Event) -> JSONValue {
        switch event {
        case .command(let text, let at):
            return .object(JSONObject(["kind": .string("command"), "at": .number(seconds(at)), "text": .string(text)]))
        case .interaction(let interaction):
            return encode(interaction, requestJSON: nil, responseJSON: nil)
        case .failure(let failure):
            return .object(
                JSONObject([
                    "kind": .string("failure"), "at": .number(seconds(failure.at)),
                    "durationMs": .number(seconds(failure.durationMilliseconds)),
                    "request": encode(failure.request, json: nil), "error": encode(failure.error),
                ]))
        case .ended(let status, let at):
            return .object(JSONObject(["kind": .string("end"), "at": .number(seconds(at)), "status": .string(status.rawValue)]))
        }
    }

    /// A transport error as `{"type": CASE, ...its values}`.
    static func encode(_ error: TransportError) -> JSONValue {
        func object(_ type: String, _ members: [(String, JSONValue)]) -> JSONValue {
            .object(
                JSONObject(
                    [JSONObject.Member(key: "type", value: .string(type))] + members.map { JSONObject.Member(key: $0.0, value: $0.1) }))
        }
        switch error {
        case .connectionRefused(let host, let port):
            return object("connectionRefused", [("host", .string(host)), ("port", .number(JSONNumber(port)))])
        case .hostNotFound(let host): return object("hostNotFound", [("host", .string(host))])
        case .connectTimeout(let host, let limit):
            return object("connectTimeout", [("host", .string(host)), ("seconds", .number(seconds(limit)))])
        case .responseTimeout(let url, let limit):
            return object("responseTimeout", [("url", .string(url)), ("seconds", .number(seconds(limit)))])
        case .connectionClosed(let url): return object("connectionClosed", [("url", .string(url))])
        case .tls(let host, let detail): return object("tls", [("host", .string(host)), ("detail", .string(detail))])
        case .invalidURL(let url): return object("invalidURL", [("url", .string(url))])
        case .bodyTooLarge(let url, let limit):
            return object("bodyTooLarge", [("url", .string(url)), ("limit", .number(JSONNumber(limit)))])
        case .other(let url, let detail): return object("other", [("url", .string(url)), ("detail", .string(detail))])
        }
    }

    /// A request as a cassette writes it; `json` is its body already parsed, when the caller has it.
    private static func encode(_ request: HTTPRequest, json: JSONValue?) -> JSONValue {
        var object = JSONObject(["method": .string(request.method), "url": .string(request.url), "headers": encode(request.headers)])
        if let body = request.body, let encoded = encode(body: body, json: json) { object["body"] = encoded }
        return .object(object)
    }

    /// An interaction prepared for recording, encoded without parsing its bodies again.
    static func encode(_ prepared: Redactor.Prepared) -> JSONValue {
        encode(prepared.interaction, requestJSON: prepared.requestJSON, responseJSON: prepared.responseJSON)
    }

    /// An interaction as a cassette event; bodies already parsed as JSON are passed in.
    private static func encode(_ interaction: Interaction, requestJSON: JSONValue?, responseJSON: JSONValue?) -> JSONValue {
        let request = encode(interaction.request, json: requestJSON)
        var response = JSONObject([
            "status": .number(JSONNumber(interaction.response.status)),
            "headers": encode(interaction.response.headers),
        ])
        if let encoded = encode(body: interaction.response.body, json: responseJSON) { response["body"] = encoded }
        var encoded = JSONObject([
            "kind": .string("interaction"), "at": .number(seconds(interaction.at)),
            "durationMs": .number(seconds(interaction.durationMilliseconds)),
        ])
        if let lookup = interaction.lookup { encoded["lookup"] = .string(lookup) }
        encoded["request"] = request
        encoded["response"] = .object(response)
        return .object(encoded)
    }

    private static func seconds(_ value: Double) -> JSONNumber {
        JSONNumber(text: String(format: "%.3f", value))
    }

    /// Headers as an object sorted by name (case-insensitively); repeated fields become arrays.
    static func encode(_ headers: HTTPHeaders) -> JSONValue {
        // A stable sort by lowercased name keeps repeated fields in their order, next to each other.
        let sorted = headers.fields.enumerated()
            .map { (key: $0.element.name.lowercased(), order: $0.offset, field: $0.element) }
            .sorted { ($0.key, $0.order) < ($1.key, $1.order) }
        var members: [JSONObject.Member] = []
        members.reserveCapacity(sorted.count)
        var index = 0
        while index < sorted.count {
            var end = index + 1
            while end < sorted.count, sorted[end].key == sorted[index].key { end += 1 }
            let values = sorted[index..<end].map { JSONValue.string($0.field.value) }
            members.append(.init(key: sorted[index].field.name, value: values.count == 1 ? values[0] : .array(values)))
            index = end
        }
        return .object(JSONObject(members))
    }

    /// A body as `{"json": ...}` when it is JSON, `{"text": ...}` when it is UTF-8, else `{"base64": ...}`;
    /// `json` is the body already parsed, when the caller has it.
    static func encode(body: [UInt8], json: JSONValue? = nil) -> JSONValue? {
        guard !body.isEmpty else { return nil }
        if let value = json ?? (try? JSONParser.parse(bytes: body)) { return .object(JSONObject(["json": value])) }
        if let text = String(bytes: body, encoding: .utf8) { return .object(JSONObject(["text": .string(text)])) }
        return .object(JSONObject(["base64": .string(Data(body).base64EncodedString())]))
    }

    // MARK: Reading

    /// Reads the cassette file at `path`; `displayName` (default: the path) names it in errors.
    public static func load(path: String, displayName: String? = nil) throws(CassetteError) -> Cassette {
        let name = displayName ?? path
        // Parsed where it lies, mapped into memory: a cassette can be hundreds of megabytes, and
        // a copy (an array, Data, a String) would raise peak memory by the file's size and have
        // the kernel clear and fault in that much memory (BENCHMARKS.md).
        guard let storage = LocalFile.storage(atPath: path) else {
            throw .unreadable(file: name, reason: unreadableReason(path))
        }
        return try Cassette(file: name) { (element) throws(JSONParser.Failure) in
            try JSONParser.parse(storage: storage, streaming: "events", element: element)
        }
    }

    /// Why a file that could not be read was not: missing, or not readable.
    static func unreadableReason(_ path: String) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return "no such file" }
        return isFolder.boolValue ? "it is a folder" : "permission denied"
    }

    /// Reads a cassette file's text; `file` names it in errors.
    public init(text: String, file: String) throws(CassetteError) {
        try self.init(bytes: Array(text.utf8), file: file)
    }

    /// Reads a cassette file's bytes (UTF-8 JSON); `file` names it in errors. Events are converted
    /// as they are parsed, so the JSON tree of the whole file never exists at once.
    public init(bytes: [UInt8], file: String) throws(CassetteError) {
        try self.init(file: file) { (element) throws(JSONParser.Failure) in
            try JSONParser.parse(bytes: bytes, streaming: "events", element: element)
        }
    }

    /// Reads the document that `parse` parses, which hands it each event as it is parsed.
    private init(file: String, parse: ((JSONValue, Int) -> Void) throws(JSONParser.Failure) -> JSONValue) throws(CassetteError) {
        let reader = Reader(file: file)
        var events: [Event] = []
        var eventError: CassetteError?
        let document: JSONValue
        do {
            document = try parse { item, position in
                guard eventError == nil else { return }
                do throws(CassetteError) {
                    events.append(try reader.event(item, at: "events[\(position)]"))
                } catch {
                    eventError = error
                }
            }
        } catch {
            throw .notJSON(file: file, reason: error.reason, line: error.location.line, column: error.location.column)
        }
        // The header is checked first: a wrong version explains odd events.
        try self.init(json: document, file: file)
        if let eventError { throw eventError }
        self.events = events
    }

    /// Reads a cassette from its JSON document.
    public init(json: JSONValue, file: String) throws(CassetteError) {
        let reader = Reader(file: file)
        guard json["format"]?.stringValue == Self.formatName else {
            throw .invalid(file: file, location: "format", reason: "expected \"\(Self.formatName)\"")
        }
        let version = try reader.int(json["version"], at: "version")
        guard version == Self.formatVersion else { throw .unsupportedVersion(file: file, version: version) }
        metadata = try reader.metadata(json["metadata"])
        guard case .array(let list)? = json["events"] else { throw .invalid(file: file, location: "events", reason: "expected an array") }
        var events: [Event] = []
        events.reserveCapacity(list.count)
        for (index, item) in list.enumerated() {
            events.append(try reader.event(item, at: "events[\(index)]"))
        }
        self.events = events
    }

    /// Turns JSON into cassette values, naming the failing location.
    struct Reader {
        let file: String

        func fail(_ location: String, _ reason: String) -> CassetteError {
            .invalid(file: file, location: location, reason: reason)
        }

        func string(_ value: JSONValue?, at location: String) throws(CassetteError) -> String {
            guard let string = value?.stringValue else { throw fail(location, value == nil ? "missing" : "expected a string") }
            return string
        }

        func int(_ value: JSONValue?, at location: String) throws(CassetteError) -> Int {
            guard let number = value?.numberValue?.intValue else {
                throw fail(location, value == nil ? "missing" : "expected a whole number")
            }
            return number
        }

        func double(_ value: JSONValue?, at location: String) throws(CassetteError) -> Double {
            guard let number = value?.numberValue?.doubleValue else { throw fail(location, value == nil ? "missing" : "expected a number") }
            return number
        }

        func metadata(_ value: JSONValue?) throws(CassetteError) -> Metadata {
            guard case .object? = value else { throw fail("metadata", "expected an object") }
            var metadata = Metadata(
                source: try string(value?["source"], at: "metadata.source"),
                endpoint: try string(value?["endpoint"], at: "metadata.endpoint"),
                recordedWith: try string(value?["recordedWith"], at: "metadata.recordedWith"),
                recordedAt: try string(value?["recordedAt"], at: "metadata.recordedAt"),
                redacted: value?["redacted"] == .bool(true),
                description: value?["description"]?.stringValue)
            metadata.anonymized = value?["anonymized"] == .bool(true)
            if let cloud = value?["cloud"] {
                guard let name = cloud.stringValue else { throw fail("metadata.cloud", "expected a string") }
                metadata.cloud = name
            }
            return metadata
        }

        func event(_ value: JSONValue, at location: String) throws(CassetteError) -> Event {
            switch try string(value["kind"], at: location + ".kind") {
            case "command":
                return .command(text: try string(value["text"], at: location + ".text"), at: try double(value["at"], at: location + ".at"))
            case "interaction":
                let request = try self.request(value["request"], at: location + ".request")
                guard case .object? = value["response"] else { throw fail(location + ".response", "expected an object") }
                let response = HTTPResponse(
                    status: try int(value["response"]?["status"], at: location + ".response.status"),
                    headers: try headers(value["response"]?["headers"], at: location + ".response.headers"),
                    body: try body(value["response"]?["body"], at: location + ".response.body") ?? [])
                return .interaction(
                    Interaction(
                        request: request, response: response, at: try double(value["at"], at: location + ".at"),
                        durationMilliseconds: (try? double(value["durationMs"], at: location)) ?? 0, lookup: value["lookup"]?.stringValue))
            case "failure":
                return .failure(
                    Failure(
                        request: try request(value["request"], at: location + ".request"),
                        error: try transportError(value["error"], at: location + ".error"),
                        at: try double(value["at"], at: location + ".at"),
                        durationMilliseconds: (try? double(value["durationMs"], at: location)) ?? 0))
            case "end":
                let name = try string(value["status"], at: location + ".status")
                guard let status = CommandStatus(rawValue: name) else {
                    throw fail(
                        location + ".status",
                        "expected one of \(CommandStatus.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), found \"\(name)\"")
                }
                return .ended(status, at: try double(value["at"], at: location + ".at"))
            case let other:
                throw fail(location + ".kind", "expected \"command\", \"interaction\", \"failure\" or \"end\", found \"\(other)\"")
            }
        }

        func request(_ value: JSONValue?, at location: String) throws(CassetteError) -> HTTPRequest {
            guard case .object? = value else { throw fail(location, "expected an object") }
            return HTTPRequest(
                method: try string(value?["method"], at: location + ".method"),
                url: try string(value?["url"], at: location + ".url"),
                headers: try headers(value?["headers"], at: location + ".headers"),
                body: try body(value?["body"], at: location + ".body"))
        }

        func transportError(_ value: JSONValue?, at location: String) throws(CassetteError) -> TransportError {
            let type = try string(value?["type"], at: location + ".type")
            func text(_ name: String) throws(CassetteError) -> String { try string(value?[name], at: "\(location).\(name)") }
            switch type {
            case "connectionRefused":
                return .connectionRefused(host: try text("host"), port: try int(value?["port"], at: location + ".port"))
            case "hostNotFound": return .hostNotFound(host: try text("host"))
            case "connectTimeout":
                return .connectTimeout(host: try text("host"), seconds: try double(value?["seconds"], at: location + ".seconds"))
            case "responseTimeout":
                return .responseTimeout(url: try text("url"), seconds: try double(value?["seconds"], at: location + ".seconds"))
            case "connectionClosed": return .connectionClosed(url: try text("url"))
            case "tls": return .tls(host: try text("host"), detail: try text("detail"))
            case "invalidURL": return .invalidURL(url: try text("url"))
            case "bodyTooLarge": return .bodyTooLarge(url: try text("url"), limit: try int(value?["limit"], at: location + ".limit"))
            case "other": return .other(url: try text("url"), detail: try text("detail"))
            default:
                throw fail(
                    location + ".type",
                    "expected connectionRefused, hostNotFound, connectTimeout, responseTimeout, connectionClosed, tls, bodyTooLarge, invalidURL or other, found \"\(type)\""
                )
            }
        }

        func headers(_ value: JSONValue?, at location: String) throws(CassetteError) -> HTTPHeaders {
            guard let value else { return HTTPHeaders() }
            guard case .object(let object) = value else { throw fail(location, "expected an object") }
            var headers = HTTPHeaders()
            for member in object.members {
                switch member.value {
                case .string(let text): headers.add(member.key, text)
                case .array(let items):
                    for item in items {
                        guard let text = item.stringValue else { throw fail("\(location).\(member.key)", "expected strings") }
                        headers.add(member.key, text)
                    }
                default: throw fail("\(location).\(member.key)", "expected a string or an array of strings")
                }
            }
            return headers
        }

        func body(_ value: JSONValue?, at location: String) throws(CassetteError) -> [UInt8]? {
            guard let value else { return nil }
            if let json = value["json"] { return JSONFormatter.compact.bytes(json) }
            if let text = value["text"]?.stringValue { return Array(text.utf8) }
            if let base64 = value["base64"]?.stringValue {
                guard let data = Data(base64Encoded: base64) else { throw fail(location + ".base64", "not valid base64") }
                return Array(data)
            }
            throw fail(location, "expected an object with \"json\", \"text\" or \"base64\"")
        }
    }
}
