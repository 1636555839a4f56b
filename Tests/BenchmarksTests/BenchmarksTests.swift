import Benchmarks
import Cassettes
import JSON
import Testing

@Suite struct ReportTests {
    @Test(arguments: [
        ([3.0, 1.0, 2.0], 2.0),
        ([4.0, 1.0, 3.0, 2.0], 2.5),
        ([7.0], 7.0),
    ])
    func theMedianIsTheMiddleRun(seconds: [Double], median: Double) {
        #expect(Timing(seconds: seconds).median == median)
    }

    @Test(arguments: [
        (0.0084, "8.40 ms"),
        (0.0123, "12 ms"),
        (0.84, "840 ms"),
        (1.234, "1.23 s"),
        (27.8, "27.8 s"),
    ])
    func secondsReadInTheirBestUnit(value: Double, text: String) {
        #expect(Report.seconds(value) == text)
    }

    @Test func ratiosBytesAndCounts() {
        #expect(Report.ratio(1.0625) == "1.06×")
        #expect(Report.ratio(0.0153) == "0.015×")
        #expect(Report.bytes(71_000_000) == "71.0 MB")
        #expect(Report.grouped(100_000) == "100,000")
        #expect(Report.grouped(999) == "999")
    }

    @Test func theTableSaysWhatWasMeasuredMissingOrNotRun() {
        let rows = [
            Row(figure: "start-up", nwsh: .measured(Timing(seconds: [0.012, 0.010, 0.011])), target: "≤ 15 ms") { nwsh, _ in nwsh <= 0.015
            },
            Row(
                figure: "vs az", nwsh: .measured(Timing(seconds: [0.011])),
                peer: ("`az --version`", .measured(Timing(seconds: [0.5, 0.6]))), target: "≥ 50×"
            ) { nwsh, peer in
                peer.map { nwsh * 50 <= $0 } ?? false
            },
            Row(
                figure: "vs http", nwsh: .measured(Timing(seconds: [0.011])),
                peer: ("`http`", .missing("pip install httpie failed: no network")), target: "—"
            ) { _, _ in true },
            Row(figure: "explain | hops", nwsh: .notRun("not measured"), target: "≤ 100 ms"),
            Row(figure: "memory", nwsh: .measured(Timing(seconds: [1], peakMemory: 80_000_000)), target: "≤ 71 MB", unit: .bytes) {
                nwsh, _ in nwsh <= 71_000_000
            },
        ]
        #expect(
            Report.table(rows) == """
                | figure | nwsh (median) | peer (median) | nwsh ÷ peer | target | result |
                |---|---|---|---|---|---|
                | start-up | 11 ms (3 runs) | — | — | ≤ 15 ms | pass |
                | vs az | 11 ms (1 run) | `az --version`: 550 ms (2 runs) | 0.020× | ≥ 50× | pass |
                | vs http | 11 ms (1 run) | `http`: missing: pip install httpie failed: no network | — | — | — |
                | explain \\| hops | not measured | — | — | ≤ 100 ms | — |
                | memory | 80.0 MB (1 run) | — | — | ≤ 71 MB | FAIL |

                """)
    }

    /// Timed in alternation, a row is judged by the median of its rounds' ratios: one slow round
    /// of the large command moves the median of its times, not the median ratio.
    @Test func aPairedRowIsJudgedByTheMedianOfItsRoundsRatios() {
        let small = Timing(seconds: [0.60, 0.62, 0.55, 0.70, 0.58])
        let large = Timing(seconds: [6.3, 6.5, 6.2, 7.6, 7.9])
        let target: @Sendable (Double, Double?) -> Bool = { nwsh, peer in peer.map { nwsh <= 11 * $0 } ?? false }
        let separate = Row(figure: "100k", nwsh: .measured(large), peer: ("10k", .measured(small)), target: "≤ 11×", check: target)
        let paired = Row(
            figure: "100k", nwsh: .measured(large), peer: ("10k", .measured(small)), target: "≤ 11×", paired: true, check: target)
        // Medians 6.5 s and 0.60 s: 10.83×. Rounds: 10.5, 10.48, 11.27, 10.86, 13.62.
        #expect(Report.ratio(separate.ratio ?? 0) == "10.83×")
        #expect(Report.ratio(paired.ratio ?? 0) == "10.86×")
        #expect(paired.verdict == "pass")
        let slowRounds = Row(
            figure: "100k", nwsh: .measured(Timing(seconds: [6.9, 7.0, 6.8])), peer: ("10k", .measured(Timing(seconds: [0.6, 0.6, 0.6]))),
            target: "≤ 11×", paired: true, check: target)
        #expect(slowRounds.verdict == "FAIL")
        // Unequal counts cannot be paired: the medians decide.
        let unequal = Row(
            figure: "x", nwsh: .measured(Timing(seconds: [2, 2])), peer: ("y", .measured(Timing(seconds: [1]))), target: "", paired: true,
            check: target)
        #expect(unequal.ratio == 2)
    }

    @Test func theTableReplacesTheTextBetweenTheMarkersAndKeepsTheRest() {
        let document = "# Benchmarks\n\n\(Report.beginMarker)\nold table\n\(Report.endMarker)\n\n## Notes\nkept\n"
        #expect(
            Report.splice("new table\n", into: document)
                == "# Benchmarks\n\n\(Report.beginMarker)\nnew table\n\(Report.endMarker)\n\n## Notes\nkept\n")
        #expect(Report.splice("t\n", into: "# B\n") == "# B\n\n\(Report.beginMarker)\nt\n\(Report.endMarker)\n")
        #expect(Report.splice("t\n", into: "") == "\(Report.beginMarker)\nt\n\(Report.endMarker)\n")
    }
}

@Suite struct InputTests {
    @Test func theReplayWorkloadHasExactlyTheInteractionsAskedForWithPollChains() throws {
        let replay = BenchmarkInputs.replay(interactions: 50, lroEvery: 10)
        #expect(replay.cassette.interactions.count == 50)
        #expect(replay.requests == replay.cassette.interactions.map(\.request))
        // Every tenth statement is a connectivity check: POST 202, polls 202, 202, then 200.
        let statuses = replay.cassette.interactions.map(\.response.status)
        #expect(Array(statuses[9...12]) == [202, 202, 202, 200])
        #expect(replay.cassette.interactions[9].request.method == "POST")
        #expect(replay.cassette.interactions[10].request.url == replay.cassette.interactions[9].response.headers["Location"])
        let lines = replay.script.split(separator: "\n")
        // Three blocks of 9 GETs and a check (13 interactions each), then 11 GETs: a check needs 4.
        #expect(lines.count == 3 * 10 + 11)
        #expect(statuses.filter { $0 == 202 }.count == 9)
        #expect(lines[9].hasPrefix("$c = post https://management.azure.com/subscriptions/"))
        #expect(
            lines[0]
                == "$r = get https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-0/providers/Microsoft.Compute/virtualMachines/vm-0?api-version=2024-07-01"
        )
        // Written and read back, the cassette is the same.
        #expect(try Cassette(text: replay.cassette.text, file: "generated") == replay.cassette)
        #expect(replay.cassette.metadata.description?.contains("synthetic, not recorded from Azure") == true)
    }

    @Test func theVcrCassetteHoldsTheSameInteractions() throws {
        let replay = BenchmarkInputs.replay(interactions: 8, lroEvery: 4)
        let vcr = try JSONParser.parse(BenchmarkInputs.vcrCassette(replay))
        #expect(vcr["version"] == .number(JSONNumber(1)))
        #expect(vcr["interactions"]?.arrayValue?.count == 8)
        let interactions = try #require(vcr["interactions"]?.arrayValue)
        #expect(interactions[3]["request"]?["method"] == .string("POST"))
        #expect(interactions[3]["response"]?["status"]?["code"] == .number(JSONNumber(202)))
        #expect(interactions[0]["response"]?["headers"]?["Content-Type"] == .array([.string("application/json; charset=utf-8")]))
        let requests = try JSONParser.parse(BenchmarkInputs.peerRequests(replay))
        #expect(requests.arrayValue?.count == 8)
    }

    @Test func theLongResultIsALineOfHopsWithAnIssueEveryThousand() throws {
        let result = try JSONParser.parse(BenchmarkInputs.longConnectivityResult(hops: 2_500))
        let hops = try #require(result["hops"]?.arrayValue)
        #expect(hops.count == 2_500)
        #expect(hops.filter { $0["issues"]?.arrayValue?.isEmpty == false }.count == 2)
        #expect(hops[0]["nextHopIds"] == .array([.string("hop-1")]))
        #expect(hops[2_499]["type"] == .string("Destination"))
        #expect(hops[2_499]["links"] == nil)
    }

    @Test func sandboxGetsCycleThroughResourcesTheSandboxServes() {
        let (paths, script) = BenchmarkInputs.sandboxGets(count: 7)
        #expect(paths.count == 7)
        #expect(paths[5] == paths[0])
        #expect(
            script.hasPrefix(
                "$r = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01\n"))
        #expect(
            BenchmarkInputs.curlConfig(base: "http://127.0.0.1:1", paths: ["/a", "/b"], token: "T") == """
                silent
                fail
                header = "Authorization: Bearer T"
                url = "http://127.0.0.1:1/a"
                output = "/dev/null"
                url = "http://127.0.0.1:1/b"
                output = "/dev/null"

                """)
    }
}
