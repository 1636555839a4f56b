import Foundation
import Testing

private let subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"
private let check =
    "post \(subscription)/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus/connectivityCheck?api-version=2017-03-01 \"{source: {resourceId: '\(subscription)/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0'}, destination: {address: 'bing.com', port: 443}}\""

/// Secrets a script sends are removed from everything written, and the script still replays
/// against its own recording.
@Suite struct RecordedSecretsTests {
    static let secrets = ["hunter2-typed", "hunter2-inline", "fnkey-e2e-1"]

    @Test func aSecretSentInABodyOrHeaderIsInNoFileAndTheScriptReplaysAgainstItsRecording() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("secrets.cassette.json").path
        let script = directory.appendingPathComponent("secrets.nwsh").path
        try """
        $pw = 'hunter2-typed'
        $site = put \(subscription)/resourceGroups/ContosoRG/providers/Microsoft.Web/sites/app1?api-version=2023-12-01 "{'location': 'westus', 'properties': {'adminPassword': '$pw'}}" -h "x-functions-key: fnkey-e2e-1"
        put \(subscription)/resourceGroups/ContosoRG/providers/Microsoft.Web/sites/app2?api-version=2023-12-01 '{"location": "westus", "properties": {"password": "hunter2-inline"}}'
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let recorded = try Binary.run(Binary.nwsh, ["--sandbox", "--record", cassette, "-v", script])
        #expect(recorded.status == 0, "\(recorded.err)")
        #expect(recorded.err.contains("> x-functions-key: (redacted)\n"))
        for secret in Self.secrets { #expect(!recorded.err.contains(secret), "-v showed \(secret)") }

        let text = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(text.contains(#""text": "$pw = 'REDACTED'""#))

        // The script itself, secrets and all, and the recorded commands, both replay.
        let replayed = try Binary.run(Binary.nwsh, ["--replay", cassette, script])
        #expect(replayed.status == 0, "\(replayed.err)")
        let rerun = try Binary.run(Binary.nwsh, ["--replay", cassette, "--rerun"])
        #expect(rerun.status == 0, "\(rerun.err)")
        // What the sandbox echoed was redacted when recorded, so it replays redacted.
        #expect(rerun.out == recorded.out.replacingOccurrences(of: "hunter2-inline", with: "REDACTED"))

        let shared = try Binary.run(
            Binary.nwsh, ["--replay", cassette, "-c", "export har \(directory.path)/s.har; bundle \(directory.path)/bundle"])
        #expect(shared.status == 0, "\(shared.err)")
        let written = try filesWritten(under: directory).filter { !$0.path.hasSuffix(".nwsh") }
        #expect(written.count >= 5)
        for (path, content) in written {
            for secret in Self.secrets { #expect(!content.contains(secret), "\(path) holds \(secret)") }
        }
    }

    /// A request that got no response is recorded, and its rerun fails the same way.
    @Test func aRefusedConnectionReplaysAsTheSameFailure() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("refused.cassette.json").path
        let command = "get \(subscription)/resourceGroups?api-version=2021-04-01"
        let recorded = try Binary.run(
            Binary.nwsh, ["--endpoint", "http://127.0.0.1:1", "--record", cassette, "-c", command],
            environment: ["NWSH_ACCESS_TOKEN": "token-for-test"])
        #expect(recorded.status == 1)
        let message = "error: -c:1: Connection refused by 127.0.0.1:1 (GET); is the endpoint right and the server running?\n"
        #expect(recorded.err.hasSuffix(message + "Recorded 0 interactions to \(cassette).\n"))
        let rerun = try Binary.run(Binary.nwsh, ["--replay", cassette, "--rerun"])
        // As recorded: the same failure, which the rerun expected.
        #expect(
            rerun.err == "error: \(cassette):1: Connection refused by 127.0.0.1:1 (GET); is the endpoint right and the server running?\n")
        #expect(rerun.status == 0)
    }

    /// nwsh killed while a check polls: the journal is recovered, and the rerun stops the check
    /// where the recording stopped.
    @Test func aRecordingKilledMidCommandRecoversAndRerunsToItsEnd() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("killed.cassette.json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.nwsh)
        process.arguments = ["--sandbox", "--sandbox-retry-after", "30", "--record", cassette, "-c", "$x = 'before'; " + check]
        process.environment = ["NWSH_HISTORY": "", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline,
            !((try? String(contentsOfFile: cassette + ".journal", encoding: .utf8))?.contains(#""status":202"#) ?? false)
        {
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        Binary.wait(for: process)
        let rerun = try Binary.run(Binary.nwsh, ["--replay", cassette, "--rerun"])
        #expect(rerun.err == "Recovered 2 interactions from an interrupted recording into \(cassette).\nInterrupted.\n")
        #expect(rerun.status == 0)
    }
}

/// An interactive recording with a Ctrl-C and a failed command reruns to its end; a password typed
/// at the prompt leaves the history file once a request has sent it.
@Suite(.serialized) struct InteractiveRecordingTests {
    @Test(.enabled(if: TerminalTests.tmuxAvailable)) func anInterruptedSessionRerunsAsItRanAndItsHistoryKeepsNoSecret() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("interactive.cassette.json").path
        let history = directory.appendingPathComponent("history").path
        let terminal = try TmuxSession(arguments: ["--sandbox", "--sandbox-retry-after", "30", "--record", cassette], historyPath: history)
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        try terminal.type("$pw = 'hunter2-at-the-prompt'")
        try terminal.enter(expectingPrompts: 2)
        try terminal.type(
            "put \(subscription)/resourceGroups/ContosoRG/providers/Microsoft.Web/sites/app3?api-version=2023-12-01 \"{'location': 'westus', 'properties': {'adminPassword': '$pw'}}\""
        )
        try terminal.enter(expectingPrompts: 3)
        try terminal.type(check)
        try terminal.send("Enter")
        try terminal.wait { $0.contains("waiting for the long-running operation") }
        try terminal.send("C-c")
        try terminal.wait { $0.contains("Interrupted.") }
        try terminal.wait { $0.components(separatedBy: "nwsh> ").count - 1 >= 4 }
        try terminal.type("get \(subscription)/resourceGroups/NoSuchGroup?api-version=2021-04-01")
        try terminal.enter(expectingPrompts: 5)
        try terminal.type("get \(subscription)/resourceGroups/ContosoRG?api-version=2021-04-01")
        try terminal.enter(expectingPrompts: 6)
        try terminal.send("C-d")
        let screen = try terminal.wait { $0.contains("EXIT=0") }
        #expect(screen.contains("Recorded "))

        let saved = try String(contentsOfFile: history, encoding: .utf8)
        // libedit's file writes a space as \\040.
        #expect(saved.contains("$pw\\040=\\040'REDACTED'"))
        #expect(!saved.contains("hunter2-at-the-prompt"))
        #expect(!(try String(contentsOfFile: cassette, encoding: .utf8)).contains("hunter2-at-the-prompt"))

        let rerun = try Binary.run(Binary.nwsh, ["--replay", cassette, "--rerun"])
        #expect(rerun.status == 0, "\(rerun.err)")
        // The check is stopped where Ctrl-C stopped it, the failed get fails again, and the
        // session goes on to its last command.
        let lines = rerun.err.split(separator: "\n").map(String.init)
        #expect(lines.first == "Interrupted.")
        #expect(
            lines.dropFirst().first
                == "error: \(cassette):4: GET https://management.azure.com\(subscription)/resourceGroups/NoSuchGroup?api-version=2021-04-01 failed: HTTP 404 Not Found"
        )
        #expect(lines.filter { $0.hasPrefix("error:") }.count == 1)
        #expect(rerun.out.contains("\"name\": \"ContosoRG\""))
    }
}

/// `record`'s arguments, read from its declared options.
@Suite struct RecordArgumentsTests {
    @Test(arguments: [
        (
            "record start /tmp/nwsh-a.json /tmp/nwsh-b.json",
            "error: -c:1: record: unexpected argument '/tmp/nwsh-b.json'. Usage: record start FILE [--anonymize] | record stop | record status\n"
        ),
        (
            "record stop --anonymize",
            "error: -c:1: record: unexpected argument '--anonymize'. Usage: record start FILE [--anonymize] | record stop | record status\n"
        ),
        (
            "record start --anonymize",
            "error: -c:1: record: missing the cassette file. Usage: record start FILE [--anonymize] | record stop | record status\n"
        ),
        ("record start x.json --anonymise", "error: -c:1: record: unknown option '--anonymise'. Did you mean '--anonymize'?\n"),
        ("record strat x.json", "error: -c:1: record: unknown option 'strat'. Did you mean 'start'?\n"),
    ])
    func badArgumentsAreNamed(command: String, message: String) throws {
        let result = try Binary.run(Binary.nwsh, ["--sandbox", "-c", command])
        #expect(result.status == 1)
        #expect(result.err == message)
    }
}

/// A recording started and stopped from inside the session reruns without its `record` commands,
/// which were about that recording (a replay records nothing).
@Suite struct RerunOfRecordCommandsTests {
    @Test func recordCommandsAreNotRunAgain() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("inner.cassette.json").path
        let recorded = try Binary.run(
            Binary.nwsh,
            [
                "--sandbox", "-c",
                "record start \(cassette)\nget \(subscription)/resourceGroups/ContosoRG?api-version=2021-04-01\nrecord status\nrecord stop",
            ])
        #expect(recorded.status == 0, "\(recorded.err)")
        let rerun = try Binary.run(Binary.nwsh, ["--replay", cassette, "--rerun"])
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(rerun.err.isEmpty)
        #expect(rerun.out.contains("\"name\": \"ContosoRG\""))
        #expect(!rerun.out.contains("Recording to"))
    }
}
