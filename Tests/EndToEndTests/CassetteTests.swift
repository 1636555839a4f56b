import Foundation
import Testing

/// Recording and replaying whole sessions with the nwsh binary.
@Suite struct CassetteTests {
    static var recordings: URL { Binary.packageRoot.appendingPathComponent("Recordings") }

    static let shipped: [(String, String)] = [
        ("page-example-1-vm-to-vm-nsg", "\"value\": \"UserRule_Port80\""),
        ("page-example-2-routing-udr", "\"type\": \"UserDefinedRoute\""),
        ("page-example-3-website-latency", "\"address\": \"204.79.197.200\""),
        ("page-example-4-storage-endpoint", "\"address\": \"13.71.200.248\""),
    ]

    @Test("the shipped recordings replay the page's examples offline", arguments: shipped)
    func shippedRecordingReplays(name: String, expected: String) throws {
        let cassette = Self.recordings.appendingPathComponent("\(name).cassette.json").path
        let text = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(text.contains("\"source\": \"sandbox\""))
        #expect(text.contains("Recorded from nwsh's built-in ARM sandbox, not from Azure."))
        let script = Binary.fixtures.appendingPathComponent("\(name).nwsh").path
        let result = try Binary.run(Binary.nwsh, ["--replay", cassette, script])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains(expected))
        #expect(result.err == "Replaying \(name).cassette.json: no sign-in needed.\n")
    }

    /// The shipped recordings are what the sandbox answers today: recording an example again gives
    /// the same requests and answers, IDs included (only times, dates and nwsh's random client
    /// request IDs differ, and the statement endings newer cassettes record).
    @Test("the shipped recordings are what the sandbox gives today", arguments: shipped.map(\.0))
    func shippedRecordingsMatchTheSandbox(name: String) async throws {
        let directory = try temporaryDirectory()
        let fresh = directory.appendingPathComponent("\(name).cassette.json").path
        let script = Binary.fixtures.appendingPathComponent("\(name).nwsh").path
        let result = try await Binary.runOffThePool(Binary.nwsh, ["--sandbox", "--record", fresh, script])
        #expect(result.status == 0, "\(result.err)")
        func normalized(_ path: String) throws -> NSDictionary {
            func clean(_ value: Any) -> Any {
                if let object = value as? [String: Any] {
                    let varying: Set = ["at", "durationMs", "recordedAt", "Date", "x-ms-client-request-id"]
                    return object.filter { !varying.contains($0.key) }.mapValues(clean)
                }
                if let array = value as? [Any] { return array.map(clean) }
                return value
            }
            var cassette = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            cassette["events"] = (cassette["events"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String != "end" }
            return clean(cassette) as! NSDictionary
        }
        let shipped = try normalized(Self.recordings.appendingPathComponent("\(name).cassette.json").path)
        #expect(try normalized(fresh) == shipped)
    }

    @Test func replayNeverOpensAConnection() throws {
        let listener = try CountingListener()
        defer { listener.close() }
        let cassette = Self.recordings.appendingPathComponent("page-example-2-routing-udr.cassette.json").path
        let script = Binary.fixtures.appendingPathComponent("page-example-2-routing-udr.nwsh").path
        let result = try Binary.run(Binary.nwsh, ["--replay", cassette, "--endpoint", "http://127.0.0.1:\(listener.port)", script])
        #expect(result.status == 0, "\(result.err)")
        #expect(listener.acceptedConnections() == 0)
    }

    @Test func aRerunPrintsWhatTheRecordedSessionPrinted() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("session.cassette.json").path
        let script = Binary.fixtures.appendingPathComponent("page-example-1-vm-to-vm-nsg.nwsh").path
        let recorded = try Binary.run(Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", "--record", cassette, script])
        #expect(recorded.status == 0, "\(recorded.err)")
        #expect(recorded.err.hasSuffix("Recorded 5 interactions to \(cassette).\n"))
        let rerun = try Binary.run(Binary.nwsh, ["--replay", cassette, "--rerun"])
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(rerun.out == recorded.out)
        #expect(!recorded.out.isEmpty)
    }

    /// A check, its explanation and the follow-up it suggests, recorded on the sandbox, replay
    /// offline with the same output and the same exit status.
    @Test func aCheckSessionRecordsAndReplaysOffline() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("check.cassette.json").path
        let script = directory.appendingPathComponent("check.nwsh").path
        try """
        $src = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"
        check $src 13.107.21.200:80
        explain
        $hop = post /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus/nextHop?api-version=2024-05-01 "{ 'targetResourceId': '$src', 'sourceIPAddress': '10.1.1.4', 'destinationIPAddress': '13.107.21.200' }"
        $hop.nextHopType
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let recorded = try Binary.run(Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", "--record", cassette, script])
        #expect(recorded.status == 3, "\(recorded.err)")
        #expect(recorded.out.hasSuffix("\nNone\n"))
        let rerun = try Binary.run(Binary.nwsh, ["--replay", cassette, "--rerun"])
        #expect(rerun.status == 3, "\(rerun.err)")
        #expect(rerun.out == recorded.out)
    }

    @Test func anUnrecordedRequestIsAClearErrorNamingTheClosestInteraction() throws {
        let cassette = Self.recordings.appendingPathComponent("page-example-1-vm-to-vm-nsg.cassette.json").path
        let result = try Binary.run(
            Binary.nwsh, ["--replay", cassette],
            input: "get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Other?api-version=2021-04-01\n")
        #expect(result.status == 1)
        #expect(
            result.err.contains(
                "error: stdin:1: No recorded interaction matches GET https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Other?api-version=2021-04-01 in 'page-example-1-vm-to-vm-nsg.cassette.json' (closest: interaction "
            ))
    }

    @Test func secretsNeverReachTheCassette() throws {
        let server = try SandboxProcess.start()
        defer { server.stop() }
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("secrets.cassette.json").path
        let secret = "nwsh-sandbox-secret"
        let sasSignature = "sv2030SECRETsignature%2Bx"
        let result = try Binary.run(
            Binary.nwsh,
            [
                "--endpoint", server.baseURL, "--record", cassette, "-c",
                "login; get \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01&sig=\(sasSignature)\"",
            ],
            environment: [
                "AZURE_TENANT_ID": "72f988bf-0000-0000-0000-000000000000", "AZURE_CLIENT_ID": "11111111-2222-3333-4444-555555555555",
                "AZURE_CLIENT_SECRET": secret, "AZURE_AUTHORITY_HOST": server.baseURL,
            ])
        #expect(result.status == 0, "\(result.err)")
        let text = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(!text.contains(secret))
        #expect(!text.contains(sasSignature))
        #expect(!text.contains("eyJ"))
        #expect(text.contains("client_secret=REDACTED"))
        #expect(text.contains("sig=REDACTED"))
        #expect(text.contains("\"access_token\": \"REDACTED\""))

        // What is made from the cassette for sharing holds no secret either.
        let shared = try Binary.run(
            Binary.nwsh, ["--replay", cassette, "-c", "export har \(directory.path)/s.har; bundle \(directory.path)/report"])
        #expect(shared.status == 0, "\(shared.err)")
        for file in ["s.har", "report/session.cassette.json", "report/session.har", "report/info.json", "report/README.md"] {
            let content = try String(contentsOfFile: directory.appendingPathComponent(file).path, encoding: .utf8)
            #expect(!content.contains(secret), "\(file)")
            #expect(!content.contains(sasSignature), "\(file)")
            #expect(!content.contains("eyJ"), "\(file)")
        }

        let tokenRun = try Binary.run(
            Binary.nwsh, ["--endpoint", server.baseURL, "--record", cassette, "-c", "get /subscriptions?api-version=2020-01-01"],
            environment: ["NWSH_ACCESS_TOKEN": "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ0In0.known-token-signature"])
        #expect(tokenRun.status == 1)
        #expect(!(try String(contentsOfFile: cassette, encoding: .utf8)).contains("known-token-signature"))
    }

    @Test func anAnonymizedCassetteHidesTheIDsAndStillReruns() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("anonymous.cassette.json").path
        let script = Binary.fixtures.appendingPathComponent("page-example-2-routing-udr.nwsh").path
        let recorded = try Binary.run(
            Binary.nwsh,
            ["--sandbox", "--sandbox-retry-after", "0", "--record", cassette, "--anonymize", "--anonymize-name", "ContosoRG", script])
        #expect(recorded.status == 0, "\(recorded.err)")
        let text = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(!text.lowercased().contains("00000000-0000-0000-0000-000000000000"))
        #expect(!text.contains("72f988bf-0000-0000-0000-000000000000"))
        #expect(!text.lowercased().contains("contosorg"))
        let rerun = try Binary.run(Binary.nwsh, ["--replay", cassette, "--rerun"])
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(rerun.out.contains("\"type\": \"UserDefinedRoute\""))
    }

    @Test func exportAndBundleWriteTheSessionsCassette() throws {
        let directory = try temporaryDirectory()
        let cassette = Self.recordings.appendingPathComponent("page-example-3-website-latency.cassette.json").path
        let script = Binary.fixtures.appendingPathComponent("page-example-3-website-latency.nwsh").path
        let lines =
            try String(contentsOfFile: script, encoding: .utf8) + "\nexport har \(directory.path)/s.har\nbundle \(directory.path)/report\n"
        let result = try Binary.run(Binary.nwsh, ["--replay", cassette], input: lines)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err.contains("Wrote 5 exchanges to \(directory.path)/s.har (HAR 1.2, redacted).\n"))
        #expect(
            result.err.contains(
                "Wrote a bug-report bundle to \(directory.path)/report: session.cassette.json, session.har, info.json, README.md.\n"))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/report/info.json"))
        let none = try Binary.run(Binary.nwsh, ["--sandbox", "-c", "export har x.har"])
        #expect(
            none.err
                == "error: -c:1: export: this session has no cassette; record one (record start FILE, or nwsh --record FILE) or name one with --from CASSETTE.\n"
        )
    }

    @Test func newEpisodesReplaysWhatMatchesAndRecordsTheRest() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("episodes.cassette.json").path
        try FileManager.default.copyItem(
            atPath: Self.recordings.appendingPathComponent("page-example-1-vm-to-vm-nsg.cassette.json").path, toPath: cassette)
        let first = Binary.fixtures.appendingPathComponent("page-example-1-vm-to-vm-nsg.nwsh").path
        let second = Binary.fixtures.appendingPathComponent("page-example-2-routing-udr.nwsh").path
        let script = try String(contentsOfFile: first, encoding: .utf8) + "\n" + String(contentsOfFile: second, encoding: .utf8)
        let result = try Binary.run(
            Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", "--replay", cassette, "--record-mode", "new_episodes", "-c", script])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("\"value\": \"UserRule_Port80\""))
        #expect(result.out.contains("\"type\": \"UserDefinedRoute\""))
        let replayed = try Binary.run(Binary.nwsh, ["--replay", cassette, "-c", script])
        #expect(replayed.status == 0, "\(replayed.err)")
        #expect(replayed.out == result.out)
    }

    @Test func onceRecordsTheFirstTimeAndReplaysAfterwards() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("once.cassette.json").path
        let command =
            "login; $rg = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01; $rg.name"
        let first = try Binary.run(Binary.nwsh, ["--sandbox", "--record", cassette, "--record-mode", "once", "-c", command])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.err.hasSuffix("Recorded 2 interactions to \(cassette).\n"))
        let second = try Binary.run(Binary.nwsh, ["--record", cassette, "-c", command], environment: ["NWSH_RECORD_MODE": "once"])
        #expect(second.status == 0, "\(second.err)")
        #expect(second.out == "ContosoRG\n")
        #expect(second.err == "Replaying once.cassette.json: no sign-in needed.\n")
    }

    @Test func anUnwritableCassetteIsReportedAtOnceAndTheSessionGoesOn() throws {
        let result = try Binary.run(Binary.nwsh, ["--sandbox", "--record", "/nonexistent-nwsh/c.json", "-c", "$x = 'still running'; $x"])
        #expect(result.status == 0)
        #expect(result.out == "still running\n")
        #expect(
            result.err
                == "error: Cannot write the cassette /nonexistent-nwsh/c.json: the folder /nonexistent-nwsh does not exist. The session goes on without recording.\n"
        )
    }

    @Test func anImportedAzureCLICassetteReplays() throws {
        let directory = try temporaryDirectory()
        let source = Binary.packageRoot.appendingPathComponent("Tests/CassettesTests/Fixtures/cli-connectivity.yaml").path
        let cassette = directory.appendingPathComponent("cli.cassette.json").path
        let imported = try Binary.run(Binary.nwsh, ["-c", "import \(source) \(cassette)"])
        #expect(imported.status == 0, "\(imported.err)")
        #expect(
            imported.err
                == "Imported 5 interactions from \(source) (vcrpy YAML) into \(cassette); replay it with nwsh --replay \(cassette).\n")
        let replayed = try Binary.run(
            Binary.nwsh,
            [
                "--replay", cassette, "-c",
                """
                $vm = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cli_test_nw/providers/Microsoft.Compute/virtualMachines/vm1?api-version=2018-04-01
                $id = $vm.id
                $r = post "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westus/connectivityCheck?api-version=2018-06-01" "{'source': {'resourceId': '$id'}, 'destination': {'address': 'www.bing.com', 'port': 80}}"
                $r.connectionStatus
                """,
            ])
        #expect(replayed.status == 0, "\(replayed.err)")
        #expect(replayed.out == "Reachable\n")
    }

    @Test func aSessionKilledMidwayLosesNothingAlreadyShown() throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("killed.cassette.json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.nwsh)
        process.arguments = ["--sandbox", "--record", cassette]
        var environment = ProcessInfo.processInfo.environment
        environment["NWSH_HISTORY"] = ""
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(
            Data(
                "$rg = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01\n$rg.name\n"
                    .utf8))
        var shown = ""
        while !shown.contains("ContosoRG\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            shown += String(decoding: chunk, as: UTF8.self)
        }
        #expect(shown == "ContosoRG\n")
        kill(process.processIdentifier, SIGKILL)
        Binary.wait(for: process)
        #expect(!FileManager.default.fileExists(atPath: cassette))
        #expect(FileManager.default.fileExists(atPath: cassette + ".journal"))

        let replay = try Binary.run(
            Binary.nwsh,
            [
                "--replay", cassette, "-c",
                "$rg = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01; $rg.name",
            ])
        #expect(replay.status == 0, "\(replay.err)")
        #expect(replay.out == "ContosoRG\n")
        #expect(replay.err.hasPrefix("Recovered 2 interactions from an interrupted recording into \(cassette).\n"))
    }

    @Test func recordStartStopAndStatusInTheShell() throws {
        let directory = try temporaryDirectory()
        let result = try Binary.run(
            Binary.nwsh, ["--sandbox"],
            input: """
                record status
                record start /nonexistent-nwsh/x.json

                """)
        #expect(result.status == 1)
        #expect(result.out == "Not recording.\n")
        #expect(
            result.err
                == "error: stdin:2: Cannot write the cassette /nonexistent-nwsh/x.json: the folder /nonexistent-nwsh does not exist. The session goes on without recording.\n"
        )

        let inner = "\(directory.path)/inner.cassette.json"
        let recorded = try Binary.run(
            Binary.nwsh,
            [
                "--sandbox", "-c",
                """
                record status
                record start \(inner)
                $x = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01
                record status
                record stop
                """,
            ])
        #expect(recorded.status == 0, "\(recorded.err)")
        #expect(recorded.out == "Not recording.\nRecording to \(inner): 2 interactions so far.\n")
        #expect(recorded.err == "Recording to \(inner); 'record stop' writes it.\nRecorded 2 interactions to \(inner).\n")
    }

    /// Runs a script on the sandbox while recording it, then replays the cassette offline with the
    /// same script: both runs, and the cassette's text. `options` go to both runs.
    static func recordedAndReplayed(
        _ name: String, script text: String, options: [String] = []
    ) async throws -> (recorded: Binary.Result, replayed: Binary.Result, cassette: String) {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("\(name).cassette.json").path
        let script = directory.appendingPathComponent("\(name).nwsh")
        try Data(text.utf8).write(to: script)
        let recorded = try await Binary.runOffThePool(
            Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0"] + options + ["--record", cassette, script.path])
        let replayed = try await Binary.runOffThePool(Binary.nwsh, ["--replay", cassette] + options + [script.path])
        return (recorded, replayed, try String(contentsOfFile: cassette, encoding: .utf8))
    }

    /// `check --deep` asks its follow-ups like any other request: recorded on the sandbox, the
    /// session replays offline with the same text, follow-ups answered from the cassette.
    @Test("a deep check recorded on the sandbox replays offline with the same text")
    func aDeepCheckReplaysOffline() async throws {
        let (recorded, replayed, cassette) = try await Self.recordedAndReplayed(
            "deep",
            script: """
                $src = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"
                check $src 10.1.4.4:80 --deep
                check $src 13.107.21.200:80
                explain --deep

                """)
        #expect(recorded.status == 3, "\(recorded.err)")
        #expect(recorded.out.contains("with its rule Port80 (priority 100"), "\(recorded.out)")
        #expect(recorded.out.contains("Route BlockBingRange of route table ContosoAppRoutes"), "\(recorded.out)")
        #expect(cassette.contains("networkConfigurationDiagnostic"))
        #expect(replayed.status == 3, "\(replayed.err)")
        #expect(replayed.out == recorded.out)
    }

    /// The provider metadata asked to fill in an api-version is recorded like any exchange, so a
    /// replay fills in the same versions without a network.
    @Test("URLs without api-version recorded on the sandbox replay offline with the same versions")
    func filledInVersionsReplayOffline() async throws {
        let (recorded, replayed, cassette) = try await Self.recordedAndReplayed(
            "versions",
            script: """
                $rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG"
                $nsg = get $rg/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg
                $nsg.properties.securityRules[0].name
                $vm = get $rg/providers/Microsoft.Compute/virtualMachines/MultiTierApp0
                $vm.location
                get $rg/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg/securityRules/Port80

                """, options: ["-v"])
        #expect(recorded.status == 0, "\(recorded.err)")
        #expect(recorded.out.hasPrefix("Port80\nwestcentralus\n"), "\(recorded.out)")
        let versions = recorded.err.components(separatedBy: "\n").filter { $0.hasPrefix("api-version ") }
        #expect(
            versions == [
                "api-version 2024-05-01: the newest stable version Microsoft.Network lists for networkSecurityGroups (read now from its metadata)",
                "api-version 2024-07-01: the newest stable version Microsoft.Compute lists for virtualMachines (read now from its metadata)",
                "api-version 2024-05-01: the newest stable version Microsoft.Network lists for networkSecurityGroups, the nearest listed parent of networkSecurityGroups/securityRules (read earlier in this session)",
            ])
        #expect(cassette.contains("/providers/Microsoft.Compute?api-version=2021-04-01"))
        #expect(replayed.status == 0, "\(replayed.err)")
        #expect(replayed.out == recorded.out)
        #expect(replayed.err.components(separatedBy: "\n").filter { $0.hasPrefix("api-version ") } == versions)
    }

    /// The walk as a script: `cd`, `ls` and relative paths, recorded on the sandbox and
    /// replayed offline with the same output.
    @Test("a session that walks the tree with cd and ls replays offline")
    func aWalkReplaysOffline() async throws {
        let (recorded, replayed, _) = try await Self.recordedAndReplayed(
            "walk",
            script: """
                ls
                cd ~/resourceGroups/ContosoRG/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg
                ls
                cd securityRules
                ls
                $rule = get Port80
                $rule.properties.priority
                pwd

                """)
        #expect(recorded.status == 0, "\(recorded.err)")
        #expect(recorded.out.contains("100       Port80  Outbound   Deny"), "\(recorded.out)")
        #expect(replayed.status == 0, "\(replayed.err)")
        #expect(replayed.out == recorded.out)
    }

    @Test func recordMisuseIsExplained() throws {
        let directory = try temporaryDirectory()
        let stop = try Binary.run(Binary.nwsh, ["--sandbox", "-c", "record stop"])
        #expect(stop.err == "error: -c:1: record: not recording; start with 'record start FILE'.\n")
        let twice = try Binary.run(
            Binary.nwsh, ["--sandbox", "-c", "record start \(directory.path)/a.json; record start \(directory.path)/b.json"])
        #expect(twice.status == 1)
        #expect(twice.err.contains("error: -c:1: record: already recording to \(directory.path)/a.json; run 'record stop' first.\n"))
        #expect(twice.err.hasSuffix("Recorded 0 interactions to \(directory.path)/a.json.\n"))
        let replaying = try Binary.run(
            Binary.nwsh,
            ["--replay", Self.recordings.appendingPathComponent("page-example-1-vm-to-vm-nsg.cassette.json").path, "-c", "record status"])
        #expect(
            replaying.err
                == "error: -c:1: record: this session replays a cassette, so there is nothing new to record; start nwsh without --replay to record.\n"
        )
    }
}

/// A listening socket on loopback that counts the connections made to it.
final class CountingListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard bound == 0, named == 0, listen(descriptor, 16) == 0 else {
            self.port = 0
            throw CocoaError(.fileWriteUnknown)
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Accepts (and closes) whatever connected so far; returns how many.
    func acceptedConnections() -> Int {
        var count = 0
        while true {
            let connection = accept(descriptor, nil, nil)
            if connection < 0 { return count }
            Glibc.close(connection)
            count += 1
        }
    }

    func close() { Glibc.close(descriptor) }
}
