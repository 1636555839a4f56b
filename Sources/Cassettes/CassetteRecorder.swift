import ARM
import Foundation
import ShellLanguage
import Synchronization

/// Writes a cassette while a session runs.
///
/// Every event is redacted, then appended to a journal (`FILE.journal`, one JSON object a line)
/// with a `write(2)` before the response is shown, so `kill -9` loses nothing already shown.
/// ``finish()`` writes the cassette atomically (a temporary file renamed over `FILE`) and removes the
/// journal; a journal left by a crash is turned into a cassette by ``recover(file:)``.
public final class CassetteRecorder: Sendable {
    /// The cassette file.
    public let file: String
    private let journal: String
    private let redactor = Redactor()
    private let started = ContinuousClock.now
    private struct State {
        var cassette: Cassette
        /// Each event as encoded for the journal, kept so the final file need not encode it again.
        var encoded: [JSONValue] = []
        var handle: FileHandle?
    }
    private let state: Mutex<State>
    /// Called once when writing the journal fails, so the session can say so at once.
    private let onFailure: @Sendable (CassetteError) -> Void
    /// The endpoint's base URL as recorded (`http://127.0.0.1:PORT` for the sandbox), replaced by the
    /// public ARM URL in what is written, so the sandbox's changing port never reaches a cassette.
    private let endpointBase: String?
    /// Replaces subscription and tenant IDs (and listed names) too, when set (`--anonymize`).
    private let anonymizer: Anonymizer?

    /// Starts recording to `file`; `events` are kept in front (for recording more episodes into an
    /// existing cassette). Throws when the journal cannot be created.
    public init(
        file: String, metadata: Cassette.Metadata, events: [Cassette.Event] = [], endpointBase: String? = nil,
        anonymizer: Anonymizer? = nil, onFailure: @escaping @Sendable (CassetteError) -> Void = { _ in }
    ) throws(CassetteError) {
        self.file = file
        self.anonymizer = anonymizer
        var metadata = metadata
        metadata.anonymized = anonymizer != nil
        self.endpointBase = endpointBase.flatMap { $0 == Self.publicBase ? nil : $0 }
        self.journal = file + ".journal"
        self.onFailure = onFailure
        let directory = (file as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw .unwritable(file: file, reason: "the folder \(directory) does not exist")
        }
        guard FileManager.default.createFile(atPath: journal, contents: nil), let handle = FileHandle(forWritingAtPath: journal) else {
            throw .unwritable(file: file, reason: "cannot create \(journal) (is the folder writable?)")
        }
        var cassette = Cassette(metadata: metadata, events: [])
        var encoded: [JSONValue] = []
        var lines = Cassette.metadataLine(metadata) + "\n"
        for event in events {
            cassette.events.append(event)
            encoded.append(Cassette.encode(event))
            lines += JSONFormatter.compact.format(encoded[encoded.count - 1]) + "\n"
        }
        do {
            try handle.write(contentsOf: Data(lines.utf8))
        } catch {
            throw .unwritable(file: file, reason: error.localizedDescription)
        }
        state = Mutex(State(cassette: cassette, encoded: encoded, handle: handle))
    }

    /// Seconds since recording started.
    public var elapsed: Double { (ContinuousClock.now - started).inSeconds }

    /// How many interactions are recorded so far.
    public var interactionCount: Int { state.withLock { $0.cassette.interactions.count } }

    /// Records a statement the user ran (secrets in it redacted too).
    public func record(command: String) {
        let redacted = redactor.redact(text: command)
        append(.command(text: anonymizer?.anonymize(text: redacted) ?? redacted, at: elapsed))
    }

    /// The cassette as recorded so far.
    public var snapshot: Cassette { state.withLock { $0.cassette } }

    /// Records an exchange, redacted.
    public func record(_ interaction: Interaction) {
        var redacted = redactor.redact(interaction)
        redacted.request.url = Self.sortingQuery(redacted.request.url)
        if let endpointBase { redacted = Self.replacing(endpointBase, with: Self.publicBase, in: redacted) }
        if let anonymizer { redacted = anonymizer.anonymize(redacted) }
        append(.interaction(redacted))
    }

    static let publicBase = "https://management.azure.com"

    /// The interaction with every occurrence of one base URL replaced: in the request URL, in
    /// header values (Location) and in response strings (nextLink).
    static func replacing(_ base: String, with replacement: String, in interaction: Interaction) -> Interaction {
        // The sandbox also stands in for Entra ID: its token endpoints read as Entra ID's.
        let url = interaction.request.url.replacingOccurrences(
            of: base, with: interaction.request.url.contains("/oauth2/") ? "https://login.microsoftonline.com" : replacement)
        var copy = interaction.mappingText { $0.contains(base) ? $0.replacingOccurrences(of: base, with: replacement) : $0 }
        copy.request.url = url
        return copy
    }

    private func append(_ event: Cassette.Event) {
        let encoded = Cassette.encode(event)
        let line = JSONFormatter.compact.format(encoded) + "\n"
        let failure: CassetteError? = state.withLock { state in
            state.cassette.events.append(event)
            state.encoded.append(encoded)
            guard let handle = state.handle else { return nil }
            do {
                try handle.write(contentsOf: Data(line.utf8))
                return nil
            } catch {
                state.handle = nil
                return CassetteError.unwritable(file: journal, reason: error.localizedDescription)
            }
        }
        if let failure { onFailure(failure) }
    }

    /// Writes the cassette atomically and removes the journal; returns the number of interactions.
    @discardableResult
    public func finish() throws(CassetteError) -> Int {
        var (cassette, encoded, handle) = state.withLock { state in
            defer { state.handle = nil }
            return (state.cassette, state.encoded, state.handle)
        }
        try? handle?.close()
        if let anonymizer {
            // An ID first seen in a response may appear in earlier commands
            // ($subscriptionId = "..."): replace with everything learned.
            cassette.events = anonymizer.anonymize(events: cassette.events)
            encoded = cassette.events.map(Cassette.encode)
        }
        try Self.write(text: Cassette.text(Cassette.document(metadata: cassette.metadata, events: encoded)), to: file)
        try? FileManager.default.removeItem(atPath: journal)
        return cassette.interactions.count
    }

    /// Writes a cassette to `file` through a temporary file and a rename.
    public static func write(_ cassette: Cassette, to file: String) throws(CassetteError) {
        try write(text: cassette.text, to: file)
    }

    /// Writes cassette text to `file` through a temporary file and a rename.
    static func write(text: String, to file: String) throws(CassetteError) {
        let temporary = file + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw .unwritable(file: file, reason: "cannot create \(temporary) (is the folder writable, and the disk not full?)")
        }
        if rename(temporary, file) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw .unwritable(file: file, reason: reason)
        }
    }

    /// Turns a journal left by an interrupted recording (`file.journal`) into the cassette `file`;
    /// returns the number of interactions recovered, or nil when there is no journal.
    public static func recover(file: String) throws(CassetteError) -> Int? {
        let journal = file + ".journal"
        guard let data = FileManager.default.contents(atPath: journal) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let first = lines.first, let header = try? JSONParser.parse(String(first)) else {
            try? FileManager.default.removeItem(atPath: journal)
            return nil
        }
        let reader = Cassette.Reader(file: journal)
        let metadata = try reader.metadata(header["metadata"])
        var cassette = Cassette(metadata: metadata)
        for (index, line) in lines.dropFirst().enumerated() {
            // A line cut short by the crash ends the journal.
            guard let json = try? JSONParser.parse(String(line)), let event = try? reader.event(json, at: "line \(index + 2)") else { break }
            cassette.events.append(event)
        }
        if metadata.anonymized { cassette.events = Anonymizer().anonymize(events: cassette.events) }
        try write(cassette, to: file)
        try? FileManager.default.removeItem(atPath: journal)
        return cassette.interactions.count
    }

    /// The URL with its query items sorted by name, so recordings diff cleanly.
    static func sortingQuery(_ url: String) -> String {
        guard let mark = url.firstIndex(of: "?") else { return url }
        let items = url[url.index(after: mark)...].split(separator: "&").sorted { $0.lowercased() < $1.lowercased() }
        return String(url[..<mark]) + "?" + items.joined(separator: "&")
    }
}

/// A transport that records every exchange of the transport it wraps.
public struct RecordingTransport: HTTPTransport {
    private let inner: HTTPTransport
    private let slot: RecorderSlot

    /// Records into whatever recorder `slot` holds (none: passes requests through).
    public init(wrapping inner: HTTPTransport, slot: RecorderSlot) {
        self.inner = inner
        self.slot = slot
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let recorder = slot.recorder else { return try await inner.send(request) }
        let at = recorder.elapsed
        let started = ContinuousClock.now
        let response = try await inner.send(request)
        let milliseconds = (ContinuousClock.now - started).inSeconds * 1000
        recorder.record(Interaction(request: request, response: response, at: at, durationMilliseconds: milliseconds))
        return response
    }
}

/// The recorder in use, if any: `record start` and `record stop` change it while the session runs.
public final class RecorderSlot: Sendable {
    private let current = Mutex<CassetteRecorder?>(nil)

    public init(_ recorder: CassetteRecorder? = nil) {
        current.withLock { $0 = recorder }
    }

    public var recorder: CassetteRecorder? {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
