import Foundation
import HTTPCore
import JSON
import Synchronization

/// Writes a cassette while a session runs.
///
/// Every event is redacted, then appended to a journal (`FILE.journal`, one JSON object a line)
/// with a `write(2)`, so `kill -9` loses nothing already shown. Redacting, encoding and writing run
/// on a serial queue of their own, overlapping with the session's work: whoever shows output
/// calls ``flush()`` first, which waits until everything recorded so far is in the journal.
/// ``finish()`` writes the cassette atomically (a temporary file renamed over `FILE`) and removes the
/// journal; a journal left by a crash is turned into a cassette by ``recover(file:)``.
public final class CassetteRecorder: Sendable {
    /// The cassette file.
    public let file: String
    private let journal: String
    private let redactor: Redactor
    /// The secret values learned in this session (by this recorder's redaction, or by the
    /// transport from requests): replaced in everything recorded, earlier events included.
    private let secrets: SecretLedger
    private let started = ContinuousClock.now
    private struct State {
        var cassette: Cassette
        /// Each event as encoded for the journal, kept so the final file need not encode it again.
        var encoded: [JSONValue] = []
        var journal: JournalFile?
        /// How many of the ledger's values the events so far have been cleaned of.
        var scrubbed = 0
    }
    private let state: Mutex<State>
    /// Where events are redacted, encoded and written, in the order they were recorded.
    private let queue = DispatchQueue(label: "nwsh.cassette-recorder")
    private static let onQueue = DispatchSpecificKey<Bool>()
    /// Called once when writing the journal fails, so the session can say so at once.
    private let onFailure: @Sendable (CassetteError) -> Void
    /// The endpoint's base URL as recorded (`http://127.0.0.1:PORT` for the sandbox), replaced by the
    /// cloud's public ARM URL in what is written, so the sandbox's changing port never reaches a
    /// cassette.
    private let endpointBase: String?
    /// The Resource Manager and the authority host of the cloud the cassette is recorded in
    /// (``Cassette/Metadata/cloud``): what the endpoint's URLs read as.
    private let publicBase: String
    private let authorityHost: String
    /// Replaces subscription and tenant IDs (and listed names) too, when set (`--anonymize`).
    private let anonymizer: Anonymizer?

    /// Starts recording to `file`; `events` are kept in front (for recording more episodes into an
    /// existing cassette). Throws when the journal cannot be created.
    public init(
        file: String, metadata: Cassette.Metadata, events: [Cassette.Event] = [], endpointBase: String? = nil,
        anonymizer: Anonymizer? = nil, secrets: SecretLedger = SecretLedger(),
        onFailure: @escaping @Sendable (CassetteError) -> Void = { _ in }
    ) throws(CassetteError) {
        self.file = file
        self.secrets = secrets
        self.redactor = Redactor(ledger: secrets)
        self.anonymizer = anonymizer
        var metadata = metadata
        metadata.anonymized = anonymizer != nil
        let cloud = metadata.cloud.flatMap(AzureCloud.named) ?? .azureCloud
        self.publicBase = cloud.resourceManager
        self.authorityHost = cloud.authorityHost
        self.endpointBase = endpointBase.flatMap { $0 == cloud.resourceManager ? nil : $0 }
        self.journal = file + ".journal"
        self.onFailure = onFailure
        let directory = (file as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw .unwritable(file: file, reason: "the folder \(directory) does not exist")
        }
        let journalFile: JournalFile
        do {
            journalFile = try JournalFile(creating: journal)
        } catch {
            throw .unwritable(file: file, reason: "cannot create \(journal): \(error.reason)")
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
            try journalFile.append(Array(lines.utf8))
        } catch {
            journalFile.close()
            throw .unwritable(file: file, reason: error.reason)
        }
        state = Mutex(State(cassette: cassette, encoded: encoded, journal: journalFile))
        queue.setSpecific(key: Self.onQueue, value: true)
    }

    /// Waits until every event recorded so far is in the journal (or has failed and been reported).
    /// Output that shows a recorded response calls this first.
    public func flush() {
        // The failure handler may print, and printing flushes: never wait for the queue on itself.
        guard DispatchQueue.getSpecific(key: Self.onQueue) == nil else { return }
        queue.sync {}
    }

    /// Seconds since recording started.
    public var elapsed: Double { (ContinuousClock.now - started).inSeconds }

    /// How many interactions are recorded so far.
    public var interactionCount: Int {
        flush()
        return state.withLock { $0.cassette.interactions.count }
    }

    /// Records a statement the user ran (secrets in it redacted too).
    public func record(command: String) {
        let at = elapsed
        queue.async { [self] in
            let redacted = redactor.redactForWriting(text: command)
            append(.command(text: anonymizer?.anonymize(text: redacted) ?? redacted, at: at))
        }
    }

    /// Records how the statement recorded last ended.
    public func record(ending status: Cassette.CommandStatus) {
        let at = elapsed
        queue.async { [self] in append(.ended(status, at: at)) }
    }

    /// Records a request that got no response.
    public func record(_ failure: Cassette.Failure) {
        queue.async { [self] in
            var prepared = redactor.prepare(
                Interaction(
                    request: failure.request, response: HTTPResponse(status: 0), at: failure.at,
                    durationMilliseconds: failure.durationMilliseconds))
            prepared.interaction.request.url = Self.sortingQuery(prepared.interaction.request.url)
            var recorded = failure
            recorded.request = prepared.interaction.request
            recorded.error = failure.error.mappingText { [endpointBase, publicBase] text in
                let redacted = redactor.redactForWriting(text: text)
                return endpointBase.map { redacted.replacingAll($0, with: publicBase) } ?? redacted
            }
            let event = Cassette.Event.failure(recorded)
            append(anonymizer?.anonymize(event) ?? event)
        }
    }

    /// The cassette as recorded so far.
    public var snapshot: Cassette {
        flush()
        return state.withLock { state in
            // Values the transport learned since the last event are cleaned from it too.
            _ = scrubIfLearned(&state)
            return state.cassette
        }
    }

    /// Records an exchange, redacted.
    public func record(_ interaction: Interaction) {
        queue.async { [self] in write(interaction) }
    }

    private func write(_ interaction: Interaction) {
        var prepared = redactor.prepare(interaction) { [endpointBase, publicBase] text in
            endpointBase.map { text.replacingAll($0, with: publicBase) } ?? text
        }
        prepared.interaction.request.url = Self.sortingQuery(prepared.interaction.request.url)
        if let endpointBase, interaction.request.url.containsExactly("/oauth2/") {
            // The sandbox also stands in for Entra ID: its token endpoints read as the cloud's.
            prepared.interaction.request.url = interaction.request.url.replacingAll(endpointBase, with: authorityHost)
            prepared.interaction.request.url = Self.sortingQuery(redactor.redact(text: prepared.interaction.request.url))
        }
        if let anonymizer {
            // Anonymizing works on text and may change any body: encode from the result.
            append(.interaction(anonymizer.anonymize(prepared.interaction)))
        } else {
            append(.interaction(prepared.interaction), encoded: Cassette.encode(prepared))
        }
    }

    private func append(_ event: Cassette.Event, encoded: JSONValue? = nil) {
        // A value learned since the last event (a password sent in this request) may sit in
        // earlier events (the command that typed it): clean those first, then this one.
        let learned = secrets.count
        let fresh = learned > state.withLock({ $0.scrubbed })
        let event = fresh ? event.mappingText(secrets.scrub) : event
        let encoded = fresh ? Cassette.encode(event) : encoded ?? Cassette.encode(event)
        var line = JSONFormatter.compact.bytes(encoded)
        line.append(UInt8(ascii: "\n"))
        let failure = state.withLock { state -> CassetteError? in
            // A journal that cannot be written anew is closed and reported; the cassette, which
            // `finish()` writes from memory, still gets the event.
            let rewriteFailure = fresh ? scrubEarlierEvents(&state, upTo: learned) : nil
            state.cassette.events.append(event)
            state.encoded.append(encoded)
            if let rewriteFailure { return rewriteFailure }
            guard let file = state.journal else { return nil }
            do throws(JournalError) {
                try file.append(line)
                return nil
            } catch {
                file.close()
                state.journal = nil
                return CassetteError.unwritable(file: journal, reason: error.reason)
            }
        }
        if let failure { onFailure(failure) }
    }

    /// ``scrubEarlierEvents(_:upTo:)`` when the ledger has learned values since the last time.
    private func scrubIfLearned(_ state: inout State) -> CassetteError? {
        let learned = secrets.count
        return learned > state.scrubbed ? scrubEarlierEvents(&state, upTo: learned) : nil
    }

    /// Replaces the ledger's values learned since the last time in every event recorded so far,
    /// and when any changed, writes the journal anew (through a temporary file and a rename), so
    /// no file ever keeps a secret the session has since learned.
    private func scrubEarlierEvents(_ state: inout State, upTo learned: Int) -> CassetteError? {
        let values = secrets.values(from: state.scrubbed)
        state.scrubbed = learned
        var changed = false
        for index in state.cassette.events.indices
        where state.cassette.events[index].texts.contains(where: { SecretLedger.contains(any: values, in: $0) }) {
            state.cassette.events[index] = state.cassette.events[index].mappingText(secrets.scrub)
            state.encoded[index] = Cassette.encode(state.cassette.events[index])
            changed = true
        }
        guard changed else { return nil }
        guard let old = state.journal else {
            // The journal stopped being written (and was reported): it must not keep the value.
            try? FileManager.default.removeItem(atPath: journal)
            return nil
        }
        old.close()
        state.journal = nil
        let temporary = journal + ".tmp-\(getpid())"
        do throws(JournalError) {
            let rewritten = try JournalFile(creating: temporary)
            var bytes = Array((Cassette.metadataLine(state.cassette.metadata) + "\n").utf8)
            for encoded in state.encoded {
                bytes += JSONFormatter.compact.bytes(encoded)
                bytes.append(UInt8(ascii: "\n"))
            }
            try rewritten.append(bytes)
            guard rename(temporary, journal) == 0 else {
                rewritten.close()
                throw JournalError(reason: String(cString: strerror(errno)))
            }
            state.journal = rewritten
            return nil
        } catch {
            // Neither the new journal nor the old one, which holds the value, stays on disk.
            try? FileManager.default.removeItem(atPath: temporary)
            try? FileManager.default.removeItem(atPath: journal)
            return CassetteError.unwritable(file: journal, reason: error.reason)
        }
    }

    /// Cleans what is recorded so far of values the ledger has learned since, now (on the
    /// recorder's queue): called when a request about to be sent carries a new secret, so the
    /// command that typed it does not wait in the journal for the response.
    public func scrubLearnedSecrets() {
        queue.async { [self] in
            if let failure = state.withLock({ scrubIfLearned(&$0) }) { onFailure(failure) }
        }
    }

    /// Writes the cassette atomically and removes the journal; returns the number of interactions.
    @discardableResult
    public func finish() throws(CassetteError) -> Int {
        flush()
        var (cassette, encoded, journalFile) = state.withLock { state in
            defer { state.journal = nil }
            // Values learned after the last event (by the transport) are cleaned from the file too.
            _ = scrubIfLearned(&state)
            return (state.cassette, state.encoded, state.journal)
        }
        journalFile?.close()
        if let anonymizer {
            // An ID first seen in a response may appear in earlier commands
            // ($subscriptionId = "..."): replace with everything learned.
            cassette.events = anonymizer.anonymize(events: cassette.events)
            encoded = cassette.events.map(Cassette.encode)
        }
        try Self.write(bytes: Cassette.bytes(Cassette.document(metadata: cassette.metadata, events: encoded)), to: file)
        try? FileManager.default.removeItem(atPath: journal)
        return cassette.interactions.count
    }

    /// Writes a cassette to `file` through a temporary file and a rename.
    public static func write(_ cassette: Cassette, to file: String) throws(CassetteError) {
        try write(bytes: Cassette.bytes(cassette.json), to: file)
    }

    /// Writes a cassette file's bytes to `file` through a temporary file and a rename.
    static func write(bytes: [UInt8], to file: String) throws(CassetteError) {
        let temporary = file + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
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
            guard let json = try? JSONParser.parse(String(line)), let event = try? reader.event(json, at: "line \(index + 2)") else {
                break
            }
            cassette.events.append(event)
        }
        if metadata.anonymized { cassette.events = Anonymizer().anonymize(events: cassette.events) }
        // The statement that was running when the recording stopped never ended: a rerun stops
        // it where the recording stops.
        if let running = cassette.events.lastIndex(where: \.isCommand), !cassette.events[running...].contains(where: \.isEnding) {
            cassette.events.append(.ended(.interrupted, at: cassette.events.last?.at ?? 0))
        }
        try write(cassette, to: file)
        try? FileManager.default.removeItem(atPath: journal)
        return cassette.interactions.count
    }

    /// The URL with its query items sorted by name, so recordings diff cleanly.
    static func sortingQuery(_ url: String) -> String {
        // UTF-8 code units: this runs for every exchange recorded, and most have one query item.
        let bytes = url.utf8
        guard let mark = bytes.firstIndex(of: UInt8(ascii: "?")) else { return url }
        let query = bytes[bytes.index(after: mark)...]
        guard query.contains(UInt8(ascii: "&")) else { return url }
        let items = query.split(separator: UInt8(ascii: "&")).map { String(Substring($0)) }.sorted { $0.lowercased() < $1.lowercased() }
        return String(Substring(bytes[..<mark])) + "?" + items.joined(separator: "&")
    }
}

/// A transport that records every exchange of the transport it wraps, and the requests that got
/// no response.
public struct RecordingTransport: HTTPTransport {
    private let inner: HTTPTransport
    private let slot: RecorderSlot
    private let secrets: SecretLedger?

    /// Records into whatever recorder `slot` holds (none: passes requests through). With `secrets`,
    /// the secret values a request carries are learned even when nothing is recorded, so the
    /// history file and `-v` output lose them too.
    public init(wrapping inner: HTTPTransport, slot: RecorderSlot, secrets: SecretLedger? = nil) {
        self.inner = inner
        self.slot = slot
        self.secrets = secrets
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        // Learned before it is sent: a long-running operation can take minutes to answer, and the
        // command that typed the value must not wait in the journal for it.
        let learned = secrets?.learn(Redactor().secrets(in: request)) ?? false
        guard let recorder = slot.recorder else { return try await inner.send(request) }
        if learned { recorder.scrubLearnedSecrets() }
        let at = recorder.elapsed
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await inner.send(request)
        } catch let error as TransportError {
            // Ctrl-C cancels the request, which the client reports as a closed connection: the
            // statement's end says it was interrupted; no failure is recorded for it.
            // A lookup's failure (Tab completion) is not a statement's: it is not recorded.
            if !Task.isCancelled, RecordingPurpose.lookup == nil {
                let milliseconds = (ContinuousClock.now - started).inSeconds * 1000
                recorder.record(Cassette.Failure(request: request, error: error, at: at, durationMilliseconds: milliseconds))
            }
            throw error
        }
        let milliseconds = (ContinuousClock.now - started).inSeconds * 1000
        recorder.record(
            Interaction(request: request, response: response, at: at, durationMilliseconds: milliseconds, lookup: RecordingPurpose.lookup))
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
