import ARM
import Foundation
import HTTPCore
import Testing

@testable import Cassettes

/// Secrets removed by where they sit are removed wherever else they appear, and replay matches a
/// request after redacting it the way recording did.
@Suite struct SecretsTests {
    static var fixtures: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path }

    private func temporaryFile(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    private let metadata = Cassette.Metadata(source: "sandbox", endpoint: "nwsh sandbox", recordedWith: "test", recordedAt: "t")

    private func put(
        _ body: String,
        url: String =
            "https://management.azure.com/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites/app1?api-version=2023-12-01"
    ) -> HTTPRequest {
        HTTPRequest(method: "PUT", url: url, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    @Test func theLedgerLearnsValuesOfFourCharactersOrMoreButNeverAPlaceholder() {
        let ledger = SecretLedger()
        #expect(ledger.learn(["hunter2", "abc", "REDACTED", "REDACTED-JWT", "AccountKey=REDACTED"]))
        #expect(!ledger.learn(["hunter2"]))
        #expect(ledger.values(from: 0) == ["hunter2"])
        #expect(ledger.learn(["hunter2-long"]))
        // The longer value is replaced whole, not left as "REDACTED-long".
        #expect(ledger.scrub("$a = 'hunter2-long'; $b = 'hunter2'; abc") == "$a = 'REDACTED'; $b = 'REDACTED'; abc")
    }

    @Test(arguments: ["password", "adminPassword", "clientSecret", "sharedKey", "primaryKey"])
    func membersThatHoldSecretsAreRedactedAndLearned(name: String) {
        let ledger = SecretLedger()
        let redacted = Redactor(ledger: ledger).redact(
            Interaction(
                request: put(#"{"properties": {"\#(name)": "s3cr3t-value", "note": "plain"}}"#),
                response: HTTPResponse(status: 200, body: Array(#"{"echo": "set to s3cr3t-value"}"#.utf8)), at: 0, durationMilliseconds: 1))
        #expect(String(decoding: redacted.request.body ?? [], as: UTF8.self) == #"{"properties":{"\#(name)":"REDACTED","note":"plain"}}"#)
        // Echoed under a name redaction does not know, in the same exchange.
        #expect(redacted.response.bodyText == #"{"echo":"set to REDACTED"}"#)
        #expect(ledger.values(from: 0) == ["s3cr3t-value"])
    }

    @Test func aSecretHeaderTypedInACommandIsLearnedButTheBearerTokenIsNot() {
        let request = HTTPRequest(
            method: "GET", url: "https://h/x", headers: ["x-functions-key": "fn-key-123", "Authorization": "Bearer token-value"])
        #expect(Redactor().secrets(in: request) == ["fn-key-123"])
    }

    @Test func aPasswordTypedInAnEarlierCommandLeavesTheJournalAndTheCassette() throws {
        let file = try temporaryFile("typed.cassette.json")
        let ledger = SecretLedger()
        let recorder = try CassetteRecorder(file: file, metadata: metadata, secrets: ledger)
        recorder.record(command: "$pw = 'hunter2-typed'")
        recorder.record(ending: .succeeded)
        recorder.flush()
        // Nothing has taught the recorder yet: as typed, for now.
        #expect(try String(contentsOfFile: file + ".journal", encoding: .utf8).contains("hunter2-typed"))
        recorder.record(command: #"put /x "{'properties': {'adminPassword': '$pw'}}""#)
        recorder.record(
            Interaction(
                request: put(#"{"properties":{"adminPassword":"hunter2-typed"}}"#), response: HTTPResponse(status: 201), at: 1,
                durationMilliseconds: 1))
        recorder.flush()
        let journal = try String(contentsOfFile: file + ".journal", encoding: .utf8)
        #expect(!journal.contains("hunter2-typed"))
        #expect(journal.contains(#""text":"$pw = 'REDACTED'""#))
        // The journal still recovers after the rewrite, and later events still reach it.
        recorder.record(command: "$pw")
        recorder.flush()
        #expect(try String(contentsOfFile: file + ".journal", encoding: .utf8).contains(#""text":"$pw""#))
        #expect(try recorder.finish() == 1)
        let cassette = try Cassette.load(path: file)
        #expect(cassette.commands == ["$pw = 'REDACTED'", #"put /x "{'properties': {'adminPassword': '$pw'}}""#, "$pw"])
        #expect(!(try String(contentsOfFile: file, encoding: .utf8)).contains("hunter2-typed"))
    }

    @Test func aValueTheTransportLearnedIsRemovedWhenTheCassetteIsWritten() throws {
        let file = try temporaryFile("late.cassette.json")
        let ledger = SecretLedger()
        let recorder = try CassetteRecorder(file: file, metadata: metadata, secrets: ledger)
        recorder.record(command: "$key = 'fn-key-typed'")
        recorder.flush()
        ledger.learn(["fn-key-typed"])
        try recorder.finish()
        #expect(try Cassette.load(path: file).commands == ["$key = 'REDACTED'"])
    }

    @Test func aRequestThatSendsASecretMatchesItsRedactedRecording() async throws {
        let recorded = Redactor().redact(
            Interaction(
                request: put(#"{"location": "westus", "properties": {"password": "hunter2"}}"#),
                response: HTTPResponse(status: 201, body: Array(#"{"name": "app1"}"#.utf8)), at: 0, durationMilliseconds: 1))
        let replay = ReplayTransport(cassette: Cassette(metadata: metadata, events: [.interaction(recorded)]), file: "c.json")
        let response = try await replay.send(put(#"{"properties": {"password": "hunter2"}, "location": "westus"}"#))
        #expect(response.bodyText == #"{"name": "app1"}"#)
    }

    @Test func aMismatchNeverShowsTheSecretItCarries() async throws {
        let replay = ReplayTransport(
            cassette: Cassette(
                metadata: metadata,
                events: [
                    .interaction(
                        Interaction(
                            request: put(#"{"properties":{"password":"REDACTED","size":1}}"#), response: HTTPResponse(status: 201), at: 0,
                            durationMilliseconds: 1))
                ]), file: "c.json")
        await #expect(
            throws: CassetteError.noMatch(
                method: "PUT",
                url:
                    "https://management.azure.com/subscriptions/s/resourceGroups/g/providers/Microsoft.Web/sites/app1?api-version=2023-12-01",
                file: "c.json", closest: "interaction 1, body differs at properties.size: 1 vs 2")
        ) {
            try await replay.send(put(#"{"properties":{"password":"hunter2","size":2}}"#))
        }
    }

    @Test(arguments: [
        ("/sites/app1/slots/staging;v2", "/sites/app1/slots/staging%3Bv2"),
        ("/sites/app1/slots/staging%3bv2", "/sites/app1/slots/staging%3Bv2"),
        ("/sites/a(1)", "/sites/a%281%29"),
        ("/vaults/v/secrets/a%2fb", "/vaults/v/secrets/a%2Fb"),
    ])
    func equivalentEncodingsOfAPathMatch(recorded: String, sent: String) async throws {
        let replay = ReplayTransport(
            cassette: Cassette(
                metadata: metadata,
                events: [
                    .interaction(
                        Interaction(
                            request: HTTPRequest(method: "GET", url: "https://h" + recorded + "?api-version=1"),
                            response: HTTPResponse(status: 200, body: Array("ok".utf8)), at: 0, durationMilliseconds: 1))
                ]), file: "c.json")
        #expect(try await replay.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:1" + sent + "?api-version=1")).bodyText == "ok")
    }

    @Test func anEncodedSlashIsNotAPathSeparator() {
        #expect(URLParts.normalized(path: "/a%2Fb%25c%3b") == "/a%2Fb%25c;")
        #expect(URLParts.normalized(path: "/a%2") == "/a%2")
        #expect(
            ReplayTransport.key(HTTPRequest(method: "GET", url: "https://h/a%2Fb"))
                != ReplayTransport.key(HTTPRequest(method: "GET", url: "https://h/a/b")))
    }

    /// The imported recording's own requests, secrets and all, as the Azure CLI sends them when its
    /// test replays: they must match what the import redacted.
    @Test func anImportedRecordingWithPasswordsAndConnectionStringsReplaysItsOwnRequests() async throws {
        let (cassette, _) = try CassetteImporter.load(path: Self.fixtures + "/cli-secrets.yaml", displayName: "cli-secrets.yaml")
        let text = cassette.text
        for secret in ["Pa55w0rd-Secret!", "c2VjcmV0LWFjY291bnQta2V5PT0="] { #expect(!text.contains(secret)) }
        #expect(cassette.interactions[0].response.bodyText.contains("created with REDACTED"))
        let replay = ReplayTransport(cassette: cassette, file: "cli-secrets.yaml")
        let base =
            "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cli_test_secrets/providers"
        let vm = try await replay.send(
            put(
                #"{"location": "westus", "properties": {"osProfile": {"computerName": "vm1", "adminUsername": "azureuser", "adminPassword": "Pa55w0rd-Secret!"}}}"#,
                url: base + "/Microsoft.Compute/virtualMachines/vm1?api-version=2024-07-01"))
        #expect(vm.status == 201)
        let settings = try await replay.send(
            put(
                #"{"properties": {"AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=clitest;AccountKey=c2VjcmV0LWFjY291bnQta2V5PT0=;EndpointSuffix=core.windows.net"}}"#,
                url: base + "/Microsoft.Web/sites/app1/config/appsettings?api-version=2023-12-01"))
        #expect(settings.status == 200)
        let slot = try await replay.send(
            HTTPRequest(method: "GET", url: base + "/Microsoft.Web/sites/app1/slots/staging;v2?api-version=2023-12-01"))
        #expect(slot.bodyText == #"{"name": "app1/staging;v2"}"#)
    }
}

/// What a rerun needs: how each statement ended, the requests that got no response, and where an
/// interrupted recording stopped.
@Suite struct SessionEndingsTests {
    private let metadata = Cassette.Metadata(source: "sandbox", endpoint: "nwsh sandbox", recordedWith: "test", recordedAt: "t")

    @Test func failuresAndEndingsSurviveARoundTrip() throws {
        let cassette = Cassette(
            metadata: metadata,
            events: [
                .command(text: "get /x", at: 0),
                .failure(
                    Cassette.Failure(
                        request: HTTPRequest(method: "GET", url: "https://management.azure.com/x", headers: ["Accept": "application/json"]),
                        error: .connectionRefused(host: "127.0.0.1", port: 1), at: 0.5, durationMilliseconds: 2)),
                .ended(.failed, at: 1),
                .command(text: "get /y", at: 2),
                .failure(
                    Cassette.Failure(
                        request: HTTPRequest(method: "GET", url: "https://management.azure.com/y"),
                        error: .responseTimeout(url: "https://management.azure.com/y", seconds: 120), at: 2.5, durationMilliseconds: 3)),
                .ended(.interrupted, at: 3),
            ])
        #expect(try Cassette(text: cassette.text, file: "c.json") == cassette)
        #expect(
            cassette.commandRuns == [
                Cassette.CommandRun(text: "get /x", requests: 1, status: .failed),
                Cassette.CommandRun(text: "get /y", requests: 1, status: .interrupted),
            ])
    }

    /// A Tab completion's lookup between statements is recorded, marked, and not counted as the
    /// statement's: `--rerun` of an interrupted statement lets through only its own requests.
    @Test func aCompletionLookupIsMarkedAndNotAStatementsRequest() throws {
        let lookup = Interaction(
            request: HTTPRequest(method: "GET", url: "https://management.azure.com/subscriptions?api-version=2022-12-01"),
            response: HTTPResponse(status: 200, body: Array(#"{"value": []}"#.utf8)), at: 1.5, durationMilliseconds: 4,
            lookup: "completion")
        let cassette = Cassette(
            metadata: metadata,
            events: [
                .command(text: "get /x", at: 0),
                .interaction(
                    Interaction(
                        request: HTTPRequest(method: "GET", url: "https://management.azure.com/x"), response: HTTPResponse(status: 200),
                        at: 0.5, durationMilliseconds: 2)),
                .ended(.interrupted, at: 1),
                .interaction(lookup),
            ])
        let text = cassette.text
        #expect(text.contains(#""lookup": "completion""#))
        let read = try Cassette(text: text, file: "c.json")
        #expect(read.interactions.map(\.lookup) == [nil, "completion"])
        #expect(read.commandRuns == [Cassette.CommandRun(text: "get /x", requests: 1, status: .interrupted)])
    }

    @Test func anUnknownEndingIsNamedWithTheOnesThatExist() throws {
        let text =
            #"{"format": "nwsh-cassette", "version": 1, "metadata": {"source": "s", "endpoint": "e", "recordedWith": "t", "recordedAt": "t"}, "events": [{"kind": "end", "at": 0, "status": "crashed"}]}"#
        #expect(
            throws: CassetteError.invalid(
                file: "c.json", location: "events[0].status",
                reason: #"expected one of "succeeded", "failed", "interrupted", "unreachable", found "crashed""#)
        ) {
            try Cassette(text: text, file: "c.json")
        }
    }

    @Test func aRecordedFailureIsReplayedAsTheSameError() async throws {
        let replay = ReplayTransport(
            cassette: Cassette(
                metadata: metadata,
                events: [
                    .failure(
                        Cassette.Failure(
                            request: HTTPRequest(method: "GET", url: "https://management.azure.com/x"),
                            error: .connectionRefused(host: "127.0.0.1", port: 1), at: 0, durationMilliseconds: 1))
                ]), file: "c.json")
        await #expect(throws: TransportError.connectionRefused(host: "127.0.0.1", port: 1)) {
            try await replay.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/x"))
        }
    }

    @Test func anAllowanceCancelsTheRequestAfterTheLastOneRecorded() async throws {
        let poll = Interaction(
            request: HTTPRequest(method: "GET", url: "https://h/op"), response: HTTPResponse(status: 202), at: 0, durationMilliseconds: 1)
        let replay = ReplayTransport(cassette: Cassette(metadata: metadata, events: [.interaction(poll)]), file: "c.json")
        replay.allowRequests(1)
        #expect(try await replay.send(poll.request).status == 202)
        await #expect(throws: CancellationError.self) { try await replay.send(poll.request) }
        replay.allowRequests(nil)
        #expect(try await replay.send(poll.request).status == 202)
    }

    @Test func aRecoveredJournalEndsItsLastStatementAsInterrupted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-end-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("killed.cassette.json").path
        let recorder = try CassetteRecorder(file: file, metadata: metadata)
        recorder.record(command: "get /a")
        recorder.record(
            Interaction(
                request: HTTPRequest(method: "GET", url: "https://h/a"), response: HTTPResponse(status: 200), at: 0, durationMilliseconds: 1
            ))
        recorder.record(ending: .succeeded)
        recorder.record(command: "post /check")
        recorder.record(
            Interaction(
                request: HTTPRequest(method: "POST", url: "https://h/check"), response: HTTPResponse(status: 202), at: 1,
                durationMilliseconds: 1))
        recorder.flush()
        #expect(try CassetteRecorder.recover(file: file) == 2)
        #expect(
            try Cassette.load(path: file).commandRuns == [
                Cassette.CommandRun(text: "get /a", requests: 1, status: .succeeded),
                Cassette.CommandRun(text: "post /check", requests: 1, status: .interrupted),
            ])
    }
}

/// Files read in place: a regular file mapped into memory, anything else read.
@Suite struct LocalFileTests {
    private func file(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-file-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw CocoaError(.fileWriteUnknown) }
        return path
    }

    @Test(arguments: [[UInt8](), Array("{\"events\": []}\n".utf8), (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }])
    func aRegularFileIsReadInPlaceWithAllItsBytes(bytes: [UInt8]) throws {
        let path = try file(bytes)
        #expect(LocalFile.storage(atPath: path)?.array == bytes)
        #expect(LocalFile.bytes(atPath: path) == bytes)
    }

    @Test func aFolderOrAMissingFileCannotBeRead() throws {
        #expect(LocalFile.storage(atPath: FileManager.default.temporaryDirectory.path) == nil)
        #expect(LocalFile.storage(atPath: "/nonexistent-nwsh/c.json") == nil)
    }

    @Test func aPipeIsReadToItsEnd() throws {
        let pipe = Pipe()
        let text = Array(String(repeating: "0123456789", count: 10_000).utf8)
        DispatchQueue.global().async {
            pipe.fileHandleForWriting.write(Data(text))
            try? pipe.fileHandleForWriting.close()
        }
        #expect(LocalFile.storage(atPath: "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)")?.array == text)
    }

    @Test func aMappedCassetteLoadsAsItsBytesDo() throws {
        let cassette = Cassette(
            metadata: .init(source: "s", endpoint: "e", recordedWith: "t", recordedAt: "t"),
            events: [
                .command(text: "get /x", at: 0),
                .interaction(
                    Interaction(
                        request: HTTPRequest(method: "GET", url: "https://h/x"),
                        response: HTTPResponse(status: 200, body: Array("{\"a\":1}".utf8)), at: 0, durationMilliseconds: 1)),
            ])
        let path = try file(Array(cassette.text.utf8))
        #expect(try Cassette.load(path: path) == cassette)
        #expect(try Cassette(bytes: Array(cassette.text.utf8), file: path) == cassette)
    }
}

/// A secret a request carries leaves the journal before the request is answered.
@Suite struct EarlyScrubTests {
    /// Reads the journal while the request is "on the network".
    final class JournalPeek: HTTPTransport, @unchecked Sendable {
        let journal: String
        var seen = ""
        weak var recorder: CassetteRecorder?
        init(journal: String) { self.journal = journal }
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            recorder?.flush()
            seen = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
            return HTTPResponse(status: 202)
        }
    }

    @Test func theCommandThatTypedASecretIsCleanedBeforeTheAnswerComes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-early-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("early.cassette.json").path
        let ledger = SecretLedger()
        let recorder = try CassetteRecorder(
            file: file, metadata: .init(source: "s", endpoint: "e", recordedWith: "t", recordedAt: "t"), secrets: ledger)
        let peek = JournalPeek(journal: file + ".journal")
        peek.recorder = recorder
        let transport = RecordingTransport(wrapping: peek, slot: RecorderSlot(recorder), secrets: ledger)
        recorder.record(
            command: #"put /x "{'properties': {'adminPassword': 'hunter2-early'}}""#.replacingOccurrences(
                of: "put", with: "$pw = 'hunter2-early'; put"))
        _ = try await transport.send(
            HTTPRequest(
                method: "PUT", url: "https://h/x", headers: ["Content-Type": "application/json"],
                body: Array(#"{"properties":{"adminPassword":"hunter2-early"}}"#.utf8)))
        #expect(peek.seen.contains("$pw = 'REDACTED'"))
        #expect(!peek.seen.contains("hunter2-early"))
        try recorder.finish()
    }

    @Test func aJournalThatCouldNotBeRewrittenIsRemoved() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-early-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("gone.cassette.json").path
        let ledger = SecretLedger()
        let failures = Failures()
        let recorder = try CassetteRecorder(
            file: file, metadata: .init(source: "s", endpoint: "e", recordedWith: "t", recordedAt: "t"), secrets: ledger
        ) { failures.add($0) }
        recorder.record(command: "$key = 'fn-key-typed-1'")
        recorder.flush()
        // The new journal cannot be created (a folder stands where it goes, which stops root
        // too): the old one, which holds the value, goes as well.
        try FileManager.default.createDirectory(atPath: file + ".journal.tmp-\(getpid())", withIntermediateDirectories: false)
        ledger.learn(["fn-key-typed-1"])
        recorder.scrubLearnedSecrets()
        recorder.flush()
        #expect(!FileManager.default.fileExists(atPath: file + ".journal"))
        #expect(failures.count == 1)
        try recorder.finish()
        #expect(try Cassette.load(path: file).commands == ["$key = 'REDACTED'"])
    }

    final class Failures: @unchecked Sendable {
        private var errors: [CassetteError] = []
        private let lock = NSLock()
        func add(_ error: CassetteError) {
            lock.lock()
            errors.append(error)
            lock.unlock()
        }
        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return errors.count
        }
    }
}

@Suite struct UnreadableCassetteTests {
    @Test func aFolderIsNamedAsSuch() {
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: CassetteError.unreadable(file: "f", reason: "it is a folder")) { try Cassette.load(path: folder, displayName: "f") }
        #expect(throws: CassetteError.unreadable(file: "g", reason: "no such file")) {
            try Cassette.load(path: "/nonexistent-nwsh/c.json", displayName: "g")
        }
    }
}
