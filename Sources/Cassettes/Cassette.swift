import ARM
import ShellLanguage

/// A recorded session: what was typed and every HTTP exchange, in order, with timing.
///
/// The file format is documented in `docs/cassette-format.md`; ``Cassette/json`` and
/// ``Cassette/init(json:file:)`` convert to and from it.
public struct Cassette: Sendable, Equatable {
    /// The format version this build writes and reads.
    public static let formatVersion = 1
    /// The value of the `format` member.
    public static let formatName = "nwsh-cassette"

    /// Where and how the cassette was made.
    public struct Metadata: Sendable, Equatable {
        /// `sandbox` for nwsh's built-in sandbox, else the ARM endpoint recorded from.
        public var source: String
        /// The ARM endpoint the requests went to (`http://127.0.0.1:PORT` for the sandbox).
        public var endpoint: String
        /// The nwsh version that recorded it.
        public var recordedWith: String
        /// When recording started (ISO 8601).
        public var recordedAt: String
        /// Whether secrets were redacted (always true for cassettes nwsh writes).
        public var redacted: Bool
        /// Free text: what the cassette shows.
        public var description: String?
        /// Whether subscription and tenant IDs were replaced by placeholders (`--anonymize`).
        public var anonymized: Bool = false

        public init(source: String, endpoint: String, recordedWith: String, recordedAt: String, redacted: Bool = true, description: String? = nil) {
            self.source = source
            self.endpoint = endpoint
            self.recordedWith = recordedWith
            self.recordedAt = recordedAt
            self.redacted = redacted
            self.description = description
        }
    }

    /// One thing that happened.
    public enum Event: Sendable, Equatable {
        /// A statement the user ran, with its first line number in its source.
        case command(text: String, at: Double)
        /// An HTTP exchange.
        case interaction(Interaction)
    }

    public var metadata: Metadata
    public var events: [Event]

    public init(metadata: Metadata, events: [Event] = []) {
        self.metadata = metadata
        self.events = events
    }

    /// The interactions, in order.
    public var interactions: [Interaction] {
        events.compactMap { if case .interaction(let interaction) = $0 { interaction } else { nil } }
    }

    /// The command lines, in order.
    public var commands: [String] {
        events.compactMap { if case .command(let text, _) = $0 { text } else { nil } }
    }
}

extension Interaction {
    /// Every piece of text in the exchange: the URL, header values, and both bodies read as UTF-8.
    var texts: [String] {
        [request.url, String(decoding: request.body ?? [], as: UTF8.self), String(decoding: response.body, as: UTF8.self)]
            + request.headers.fields.map(\.value) + response.headers.fields.map(\.value)
    }

    /// The exchange with `transform` applied to the URL, every header value and both bodies.
    func mappingText(_ transform: (String) -> String) -> Interaction {
        var copy = self
        copy.request.url = transform(copy.request.url)
        copy.request.headers = HTTPHeaders(copy.request.headers.fields.map { .init(name: $0.name, value: transform($0.value)) })
        copy.response.headers = HTTPHeaders(copy.response.headers.fields.map { .init(name: $0.name, value: transform($0.value)) })
        if let body = copy.request.body { copy.request.body = Self.mapping(body, transform) }
        copy.response.body = Self.mapping(copy.response.body, transform)
        return copy
    }

    /// A body with `transform` applied to its text; left byte for byte when nothing changes, so
    /// binary bodies are never re-encoded.
    private static func mapping(_ body: [UInt8], _ transform: (String) -> String) -> [UInt8] {
        let text = String(decoding: body, as: UTF8.self)
        let changed = transform(text)
        return changed == text ? body : Array(changed.utf8)
    }
}

/// One recorded HTTP exchange.
public struct Interaction: Sendable, Equatable {
    public var request: HTTPRequest
    public var response: HTTPResponse
    /// Seconds from the start of recording to the request.
    public var at: Double
    /// How long the exchange took, in milliseconds.
    public var durationMilliseconds: Double

    public init(request: HTTPRequest, response: HTTPResponse, at: Double, durationMilliseconds: Double) {
        self.request = request
        self.response = response
        self.at = at
        self.durationMilliseconds = durationMilliseconds
    }
}
