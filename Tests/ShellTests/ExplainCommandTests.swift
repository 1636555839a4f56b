import Foundation
import Shell
import Testing

@Suite struct ExplainCommandTests {
    @Test func explainWithNoArgumentExplainsTheLastResultOfThePagesSecondExample() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(
            SessionTests.preamble + """

                $response = post "https://management.azure.com/subscriptions/${subscriptionId}/ResourceGroups/${resourceGroupName}/providers/Microsoft.Network/networkWatchers/${networkWatcherName}/connectivityCheck?api-version=2017-03-01" "{ 'source': { 'resourceId': '${sourceResourceId}' }, 'destination': { 'address': '13.107.21.200', 'port': 80 } }"
                explain
                """)
        #expect(outcome == .success, "\(fixture.output.err)")
        #expect(
            fixture.output.out == """
                Unreachable: the destination did not answer.
                100 of 100 probes failed.

                Path (✗ marks a hop with an issue):
                  1. Source 10.1.1.4 — network interface appNic0 ✗
                  2. Destination 13.107.21.200

                Issues:
                  Error at hop 1 (Source 10.1.1.4, network interface appNic0): outbound traffic is dropped by a user-defined route (route type User).

                Next steps:
                  # the routes in effect on network interface appNic0: which route sends the traffic where
                  post /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Network/networkInterfaces/appNic0/effectiveRouteTable?api-version=2024-05-01
                  # where MultiTierApp0 (10.1.1.4) sends packets for 13.107.21.200, and which route table says so
                  post /subscriptions/00000000-0000-0000-0000-000000000000/ResourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus/nextHop?api-version=2024-05-01 '{"targetResourceId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0","sourceIPAddress":"10.1.1.4","destinationIPAddress":"13.107.21.200"}'

                """)
        await fixture.server.stop()
    }

    @Test func explainReadsVariablesFilesAndGivesJSON() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try
            #"{"connectionStatus": "Reachable", "probesSent": 10, "probesFailed": 0, "hops": [{"type": "Source", "id": "a", "nextHopIds": []}]}"#
            .write(to: directory.appendingPathComponent("ok.json"), atomically: true, encoding: .utf8)
        let fixture = try await SessionFixture.start(workingDirectory: directory.path)
        let outcome = await fixture.run(
            """
            $j = explain @ok.json --json
            $j.verdict
            $r = '{"hops": [], "connectionStatus": "Degraded"}'
            explain $r
            """)
        #expect(outcome == .success, "\(fixture.output.err)")
        #expect(
            fixture.output.out == """
                Reachable: the destination answered.
                Degraded: the destination answered, but some probes failed or were slow.

                No hop reports an issue.

                """)
        await fixture.server.stop()
    }

    /// A file is read hop by hop: a truncated file and a wrong hop are still named precisely.
    @Test func brokenResultFilesAreNamed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try #"{"hops": [{"type": "Source", "id": "a"}, {"type": "#.write(
            to: directory.appendingPathComponent("cut.json"), atomically: true, encoding: .utf8)
        try #"{"hops": [{"type": "Source"}, {"type": 7}]}"#.write(
            to: directory.appendingPathComponent("typed.json"), atomically: true, encoding: .utf8)
        let fixture = try await SessionFixture.start(workingDirectory: directory.path)
        #expect(await fixture.run("explain @cut.json") == .failure)
        #expect(await fixture.run("explain @typed.json") == .failure)
        let lines = fixture.output.err.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(
            lines.first
                == "error: The connectivity result in cut.json is not valid JSON: expected a value, found the end of the text at line 1, column 51 of the connectivity result in cut.json."
        )
        #expect(
            lines.last
                == "error: This is not a connectivity check result: hops[1].type is a number, not a string. explain takes what check, or a POST to .../connectivityCheck, returned."
        )
        await fixture.server.stop()
    }

    @Test(arguments: [
        (
            "explain",
            "error: Nothing to explain yet: run a connectivity check first ($r = post .../connectivityCheck ...), or name a result: explain $r, or explain @result.json.\n"
        ),
        ("explain --yaml", "error: explain: unknown option '--yaml'. See 'help explain'.\n"),
        (
            "$x = 5\nexplain $x",
            "error: This is not a connectivity check result: the value is a number, not an object. explain takes what check, or a POST to .../connectivityCheck, returned.\n"
        ),
        ("explain @missing.json", "error: Cannot read missing.json: no such file.\n"),
        ("explain @/tmp", "error: Cannot read /tmp: it is a folder.\n"),
        ("explain @/tmp/nwsh-no-such-folder/r.json", "error: Cannot read /tmp/nwsh-no-such-folder/r.json: no such file.\n"),
    ])
    func badInputIsAClearError(script: String, message: String) async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run(script) == .failure)
        #expect(fixture.output.err == message)
        await fixture.server.stop()
    }
}
