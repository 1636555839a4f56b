import ARM
import Cassettes
import Foundation
import HTTPCore
import Sandbox
import Testing

@Suite struct RecorderTests {
    private func temporaryFile(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    private let metadata = Cassette.Metadata(source: "sandbox", endpoint: "nwsh sandbox", recordedWith: "test", recordedAt: "t")

    @Test func recordingOverRealHTTPWritesARedactedHostFreeCassette() async throws {
        let server = try await SandboxServer.start(options: SandboxOptions(retryAfter: 0))
        let file = try temporaryFile("session.cassette.json")
        let recorder = try CassetteRecorder(file: file, metadata: metadata, endpointBase: server.baseURL)
        let transport = RecordingTransport(wrapping: LiveTransport(environment: [:]), slot: RecorderSlot(recorder))
        recorder.record(command: "get /subscriptions")
        _ = try await transport.send(
            HTTPRequest(
                method: "GET",
                url: "\(server.baseURL)/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups?z=1&api-version=2021-04-01",
                headers: ["Authorization": "Bearer secret-token"]))
        #expect(FileManager.default.fileExists(atPath: file + ".journal"))
        #expect(try recorder.finish() == 1)
        #expect(!FileManager.default.fileExists(atPath: file + ".journal"))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!text.contains("secret-token"))
        #expect(!text.contains(server.baseURL))
        let cassette = try Cassette(text: text, file: file)
        #expect(
            cassette.interactions.first?.request.url
                == "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups?api-version=2021-04-01&z=1"
        )
        #expect(cassette.interactions.first?.response.status == 401)
        await server.stop()
    }

    @Test func aJournalLeftByACrashIsRecoveredUpToItsLastCompleteLine() throws {
        let file = try temporaryFile("crashed.cassette.json")
        let recorder = try CassetteRecorder(file: file, metadata: metadata)
        recorder.record(command: "first")
        recorder.record(
            Interaction(
                request: HTTPRequest(method: "GET", url: "https://h/a"), response: HTTPResponse(status: 200), at: 0, durationMilliseconds: 1
            ))
        // What the session shows is flushed to the journal first.
        recorder.flush()
        // Simulate a crash in the middle of writing the next line.
        let handle = try #require(FileHandle(forWritingAtPath: file + ".journal"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"kind": "interaction", "at": 1, "requ"#.utf8))
        try handle.close()
        #expect(try CassetteRecorder.recover(file: file) == 1)
        let cassette = try Cassette(text: try String(contentsOfFile: file, encoding: .utf8), file: file)
        #expect(cassette.commands == ["first"])
        #expect(cassette.interactions.map(\.request.url) == ["https://h/a"])
        #expect(try CassetteRecorder.recover(file: file) == nil)
    }

    @Test func aJournalThatCannotBeCreatedSaysWhy() throws {
        let file = try temporaryFile("blocked.cassette.json")
        try FileManager.default.createDirectory(atPath: file + ".journal", withIntermediateDirectories: true)
        #expect(throws: CassetteError.unwritable(file: file, reason: "cannot create \(file).journal: Is a directory")) {
            try CassetteRecorder(file: file, metadata: metadata)
        }
    }

    @Test func anUnwritableFolderIsReportedAtOnce() throws {
        #expect(throws: CassetteError.unwritable(file: "/nonexistent-nwsh/c.json", reason: "the folder /nonexistent-nwsh does not exist")) {
            _ = try CassetteRecorder(file: "/nonexistent-nwsh/c.json", metadata: metadata)
        }
    }
}
