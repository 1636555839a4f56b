import HTTPCore

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
        /// The Azure cloud recorded in, by its Azure CLI name (`AzureUSGovernment`); nil for the
        /// public cloud, `AzureCloud`. A replay that names no cloud takes this one.
        public var cloud: String?

        public init(
            source: String, endpoint: String, recordedWith: String, recordedAt: String, redacted: Bool = true, description: String? = nil
        ) {
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
        /// A request that got no HTTP response (a refused connection, a timeout): replay fails it
        /// the same way.
        case failure(Failure)
        /// How the statement before it ended.
        case ended(CommandStatus, at: Double)
    }

    /// How a recorded statement ended: what `--rerun` reproduces.
    public enum CommandStatus: String, Sendable, Equatable, CaseIterable {
        case succeeded
        /// It failed (an ARM error, a refused connection, a shell error); the session went on.
        case failed
        /// Ctrl-C stopped it, or the recording ended while it ran (a journal recovered after a
        /// crash): a rerun stops it after the requests it made when recorded.
        case interrupted
        /// A `check` found its destination not reachable.
        case unreachable
    }

    /// One recorded request that got no HTTP response.
    public struct Failure: Sendable, Equatable {
        public var request: HTTPRequest
        public var error: TransportError
        /// Seconds from the start of recording to the request.
        public var at: Double
        /// How long it took to fail, in milliseconds.
        public var durationMilliseconds: Double

        public init(request: HTTPRequest, error: TransportError, at: Double, durationMilliseconds: Double) {
            self.request = request
            self.error = error
            self.at = at
            self.durationMilliseconds = durationMilliseconds
        }
    }

    /// A recorded statement, with what `--rerun` needs to run it as it ran.
    public struct CommandRun: Sendable, Equatable {
        public var text: String
        /// The requests it made (answered or failed), sign-in's token requests aside.
        public var requests: Int
        /// How it ended; nil when the cassette does not say (recorded before nwsh recorded endings).
        public var status: CommandStatus?
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

    /// The recorded statements, each with the requests it made and how it ended.
    public var commandRuns: [CommandRun] {
        var runs: [CommandRun] = []
        for event in events {
            switch event {
            case .command(let text, _): runs.append(CommandRun(text: text, requests: 0, status: nil))
            case .interaction(let interaction):
                // Sign-in is not replayed (a replay needs no token), and a lookup was asked between
                // statements (Tab completion): neither is one of the statement's requests.
                if !runs.isEmpty, !interaction.isTokenExchange, interaction.lookup == nil { runs[runs.count - 1].requests += 1 }
            case .failure(let failure):
                if !runs.isEmpty, !failure.request.url.containsExactly("/oauth2/") { runs[runs.count - 1].requests += 1 }
            case .ended(let status, _): if !runs.isEmpty { runs[runs.count - 1].status = status }
            }
        }
        return runs
    }
}

extension Cassette.Event {
    /// Seconds from the start of recording.
    public var at: Double {
        switch self {
        case .command(_, let at), .ended(_, let at): at
        case .interaction(let interaction): interaction.at
        case .failure(let failure): failure.at
        }
    }

    /// Whether this is a statement.
    public var isCommand: Bool { if case .command = self { true } else { false } }

    /// Whether this says how a statement ended.
    public var isEnding: Bool { if case .ended = self { true } else { false } }

    /// Every piece of text in the event.
    var texts: [String] {
        switch self {
        case .command(let text, _): [text]
        case .interaction(let interaction): interaction.texts
        case .failure(let failure): failure.texts
        case .ended: []
        }
    }

    /// The event with `transform` applied to all its text.
    func mappingText(_ transform: (String) -> String) -> Cassette.Event {
        switch self {
        case .command(let text, let at): .command(text: transform(text), at: at)
        case .interaction(let interaction): .interaction(interaction.mappingText(transform))
        case .failure(let failure): .failure(failure.mappingText(transform))
        case .ended: self
        }
    }
}

extension Cassette.Failure {
    /// The URL, header values, body and error's text.
    var texts: [String] {
        [request.url, String(decoding: request.body ?? [], as: UTF8.self)] + request.headers.fields.map(\.value) + error.texts
    }

    /// The failure with `transform` applied to its request's text and the error's.
    func mappingText(_ transform: (String) -> String) -> Cassette.Failure {
        var copy = self
        copy.request = request.mappingText(transform)
        copy.error = error.mappingText(transform)
        return copy
    }
}

extension TransportError {
    /// The error's URLs, hosts and details.
    var texts: [String] {
        switch self {
        case .connectionRefused(let host, _), .hostNotFound(let host), .connectTimeout(let host, _): [host]
        case .responseTimeout(let url, _), .connectionClosed(let url), .invalidURL(let url), .bodyTooLarge(let url, _): [url]
        case .tls(let host, let detail): [host, detail]
        case .other(let url, let detail): [url, detail]
        }
    }

    /// The error with `transform` applied to its text.
    func mappingText(_ transform: (String) -> String) -> TransportError {
        switch self {
        case .connectionRefused(let host, let port): .connectionRefused(host: transform(host), port: port)
        case .hostNotFound(let host): .hostNotFound(host: transform(host))
        case .connectTimeout(let host, let seconds): .connectTimeout(host: transform(host), seconds: seconds)
        case .responseTimeout(let url, let seconds): .responseTimeout(url: transform(url), seconds: seconds)
        case .connectionClosed(let url): .connectionClosed(url: transform(url))
        case .invalidURL(let url): .invalidURL(url: transform(url))
        case .bodyTooLarge(let url, let limit): .bodyTooLarge(url: transform(url), limit: limit)
        case .tls(let host, let detail): .tls(host: transform(host), detail: transform(detail))
        case .other(let url, let detail): .other(url: transform(url), detail: transform(detail))
        }
    }
}

extension HTTPRequest {
    /// The request with `transform` applied to the URL, every header value and the body.
    func mappingText(_ transform: (String) -> String) -> HTTPRequest {
        var copy = self
        copy.url = transform(url)
        copy.headers = headers.mappingValues(transform)
        if let body { copy.body = Interaction.mapping(body, transform) }
        return copy
    }
}

extension HTTPHeaders {
    /// The headers with `transform` applied to every value.
    func mappingValues(_ transform: (String) -> String) -> HTTPHeaders {
        HTTPHeaders(fields.map { .init(name: $0.name, value: transform($0.value)) })
    }
}

extension Interaction {
    /// Whether this is a request to Entra ID's token endpoints (`/{tenant}/oauth2/...`).
    var isTokenExchange: Bool { request.url.containsExactly("/oauth2/") }

    /// Every piece of text in the exchange: the URL, header values, and both bodies read as UTF-8.
    var texts: [String] {
        [request.url, String(decoding: request.body ?? [], as: UTF8.self), String(decoding: response.body, as: UTF8.self)]
            + request.headers.fields.map(\.value) + response.headers.fields.map(\.value)
    }

    /// The exchange with `transform` applied to the URL, every header value and both bodies.
    func mappingText(_ transform: (String) -> String) -> Interaction {
        var copy = self
        copy.request = request.mappingText(transform)
        copy.response.headers = copy.response.headers.mappingValues(transform)
        copy.response.body = Self.mapping(copy.response.body, transform)
        return copy
    }

    /// A body with `transform` applied to its text; left byte for byte when nothing changes, so
    /// binary bodies are never re-encoded.
    static func mapping(_ body: [UInt8], _ transform: (String) -> String) -> [UInt8] {
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
    /// Why nwsh asked outside any statement: `completion` for a Tab completion's lookup. Nil for
    /// a statement's own requests; `--rerun` counts only those as a statement's.
    public var lookup: String?

    public init(request: HTTPRequest, response: HTTPResponse, at: Double, durationMilliseconds: Double, lookup: String? = nil) {
        self.request = request
        self.response = response
        self.at = at
        self.durationMilliseconds = durationMilliseconds
        self.lookup = lookup
    }
}

/// What a request is asked for, when it is not a statement's own: set for the task that sends it
/// (`RecordingPurpose.$lookup.withValue("completion") { ... }`), and written on the interaction
/// it records (``Interaction/lookup``).
public enum RecordingPurpose {
    @TaskLocal public static var lookup: String?
}
