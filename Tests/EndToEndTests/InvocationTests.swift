import CMalloc
import Foundation
import Testing

/// How nwsh is started: -c, a script, piped input, flags, exit statuses.
@Suite struct InvocationTests {
    @Test func dashCRunsCommandsAndExitsWithTheirStatus() throws {
        let ok = try Binary.run(Binary.nwsh, ["--sandbox", "-c", "$x = 'hi'; $x"])
        #expect(ok.status == 0)
        #expect(ok.out == "hi\n")
        let exit = try Binary.run(Binary.nwsh, ["--sandbox", "-c", "exit 7"])
        #expect(exit.status == 7)
    }

    /// A CI job's check script: 0 when every check is reachable, 3 when one is not (the script
    /// carries on, so its `explain` runs), 1 when a command fails.
    @Test func aCheckScriptsExitStatusSaysWhetherTheDestinationsWereReachable() throws {
        let source =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"
        let reachable = try Binary.run(Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", "-c", "check \(source) http://bing.com"])
        #expect(reachable.status == 0, "\(reachable.err)")
        #expect(reachable.out.hasPrefix("Reachable: the destination answered.\n"))
        let blocked = try Binary.run(
            Binary.nwsh,
            ["--sandbox", "--sandbox-retry-after", "0", "-c", "check \(source) 13.107.21.200:80\nexplain\ncheck \(source) http://bing.com"])
        #expect(blocked.status == 3, "\(blocked.err)")
        #expect(blocked.out.contains("Next steps:"))
        #expect(blocked.out.hasSuffix("2. Internet 204.79.197.200\n"))
        let invalid = try Binary.run(Binary.nwsh, ["--sandbox", "-c", "check \(source) 13.107.21.200"])
        #expect(invalid.status == 1)
    }

    @Test func pipedCommandsRunWithoutAPromptAndStopAtTheFirstFailure() throws {
        let result = try Binary.run(
            Binary.nwsh, ["--sandbox"],
            input: """
                $rg = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01
                $rg.name
                get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Nope?api-version=2021-04-01
                "not reached"

                """)
        #expect(result.status == 1)
        #expect(result.out == "ContosoRG\n")
        #expect(result.err.contains("error: stdin:3: GET "))
        #expect(!result.out.contains("nwsh>"))
    }

    @Test func aScriptWithWindowsLineEndingsRuns() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-crlf-\(UUID().uuidString).nwsh").path
        try "$a = 'one'\r\n$body = @\"\r\n{ 'x': '$a' }\r\n\"@\r\n$body\r\n$a\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Binary.run(Binary.nwsh, ["--sandbox", path])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == "{ 'x': 'one' }\none\n")
    }

    @Test func anUnclosedHereStringAtTheEndOfAScriptIsAnError() throws {
        let result = try Binary.run(Binary.nwsh, ["--sandbox", "-c", "$b = @\"\n{"])
        #expect(result.status == 1)
        #expect(
            result.err
                == "error: The here-string opened with @\" at line 1, column 6 is not closed; end it with a line that starts with \"@.\n")
    }

    @Test func aMissingScriptIsAUsageError() throws {
        let result = try Binary.run(Binary.nwsh, ["/no/such/script.nwsh"])
        #expect(result.status == 2)
        #expect(result.err == "error: cannot read the script /no/such/script.nwsh: no such file.\n")
    }

    @Test func conflictingFlagsAreRefused() throws {
        let result = try Binary.run(Binary.nwsh, ["--sandbox", "--endpoint", "https://x", "-c", "exit"])
        #expect(result.status == 64)
        #expect(result.err.contains("--sandbox and --endpoint cannot be used together."))
    }

    @Test(arguments: [
        (["--colour", "never"], "error: unknown option '--colour'. Did you mean '--color'?"),
        (["--color=blue", "-c", "exit"], "error: --color must be auto, always or never, not 'blue'."),
        (["-c"], "error: -c needs a value (COMMANDS)."),
        (["a.nwsh", "b.nwsh"], "error: unexpected argument 'b.nwsh': give one script FILE."),
        (
            ["--sandbox-retry-after", "-1", "--sandbox"],
            "error: --sandbox-retry-after must be a whole number of seconds, 0 or more, not '-1'."
        ),
        (["--sandbox=yes"], "error: --sandbox takes no value."),
        (
            ["--cloud", "AzureGov", "--sandbox"],
            "error: --cloud must be AzureCloud, AzureUSGovernment or AzureChinaCloud, not 'AzureGov'. Did you mean 'AzureUSGovernment'?"
        ),
        (["--rerun"], "error: --rerun needs --replay FILE."),
        (
            ["--record-mode", "sometimes", "--record", "x.json"],
            "error: --record-mode must be none, once, new_episodes or all, not 'sometimes'."
        ),
    ])
    func badCommandLinesAreUsageErrors(arguments: [String], message: String) throws {
        let result = try Binary.run(Binary.nwsh, arguments)
        #expect(result.status == 64)
        #expect(
            result.err == message
                + "\nUsage: nwsh [FILE | -c COMMANDS] [--sandbox | --endpoint URL] [--record FILE | --replay FILE] [options]; 'nwsh --help' lists the options.\n"
        )
        #expect(result.out.isEmpty)
    }

    @Test func optionsTakeTheirValueAttachedOrNext() throws {
        let result = try Binary.run(Binary.nwsh, ["--sandbox", "--sandbox-retry-after=0", "--color=never", "-c", "$x = 'ok'; $x", "--"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == "ok\n")
    }

    /// Whether this kernel offers transparent huge pages to a process that asks.
    static let hugePagesOffered =
        (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8))
        .map { !$0.contains("[never]") } ?? false

    /// nwsh tunes malloc at start-up (`Sources/CMalloc`; it once compiled to a no-op): its heap
    /// asks for huge pages, which shows in the heap's `VmFlags` as `hg`. Looked at in a running
    /// nwsh, kept waiting for input on a pipe.
    @Test(.enabled(if: hugePagesOffered, "the kernel offers no transparent huge pages"))
    func theHeapAsksForHugePages() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.nwsh)
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            Binary.wait(for: process)
        }
        var heapFlags: [String] = []
        for _ in 0..<100 where heapFlags.isEmpty {
            // Each mapping is a header line, then fields; the heap's header ends with "[heap]".
            // Read to the end: /proc files have no size for String(contentsOfFile:) to go by.
            let data = FileHandle(forReadingAtPath: "/proc/\(process.processIdentifier)/smaps")?.readDataToEndOfFile() ?? Data()
            let smaps = String(decoding: data, as: UTF8.self)
            var inHeap = false
            for line in smaps.split(separator: "\n") {
                if line.first?.isHexDigit == true, line.contains("-") { inHeap = line.hasSuffix("[heap]") }
                if inHeap, line.hasPrefix("VmFlags:"), line.split(separator: " ").contains("hg") { heapFlags.append(String(line)) }
            }
            if heapFlags.isEmpty { usleep(50_000) }
        }
        #expect(!heapFlags.isEmpty)
    }

    @Test func mallocTuningReportsWhatItDid() {
        #if canImport(Glibc)
            // In this (threaded) test process the heap is not the main one, so no huge pages.
            #expect(nwsh_tune_malloc() & 1 == 1)
        #endif
    }

    @Test func helpDocumentsTheExitStatuses() throws {
        let result = try Binary.run(Binary.nwsh, ["--help"])
        #expect(result.status == 0)
        #expect(result.out.contains("Exit status: 0 success; 1 a command failed"))
        #expect(
            result.out.contains(
                "\n  --sandbox-retry-after SECONDS  Retry-After seconds the sandbox gives\n                                 long-running operations (default 1).\n"
            ))
    }

    /// The version printed is the one a cassette says recorded it: one constant.
    @Test func versionIsWhatCassettesCarry() throws {
        let result = try Binary.run(Binary.nwsh, ["--version"])
        #expect(result.status == 0)
        #expect(result.out == "nwsh 0.1\n")
        let cassette = try temporaryDirectory().appendingPathComponent("v.cassette.json").path
        let recorded = try Binary.run(Binary.nwsh, ["--sandbox", "--record", cassette, "-c", "exit"])
        #expect(recorded.status == 0, "\(recorded.err)")
        let text = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(text.contains("\"recordedWith\": \"\(result.out.dropLast())\""), "\(text.prefix(400))")
    }

    @Test func aRefusedConnectionFailsFast() throws {
        let started = Date()
        let result = try Binary.run(
            Binary.nwsh, ["--endpoint", "http://127.0.0.1:9", "-c", "get /subscriptions?api-version=2020-01-01"],
            environment: ["NWSH_ACCESS_TOKEN": "t"])
        #expect(result.status == 1)
        #expect(result.err == "error: -c:1: Connection refused by 127.0.0.1:9 (GET); is the endpoint right and the server running?\n")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func colourIsOffWhenPipedAndOnWhenAsked() throws {
        let plain = try Binary.run(
            Binary.nwsh,
            [
                "--sandbox", "-c",
                "$x = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01; $x.properties",
            ])
        #expect(plain.out == "{\n  \"provisioningState\": \"Succeeded\"\n}\n")
        let colored = try Binary.run(
            Binary.nwsh,
            [
                "--sandbox", "--color", "always", "-c",
                "$x = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01; $x.properties",
            ])
        #expect(colored.out == "{\n  \u{1B}[34;1m\"provisioningState\"\u{1B}[0m: \u{1B}[32m\"Succeeded\"\u{1B}[0m\n}\n")
        let noColor = try Binary.run(Binary.nwsh, ["--sandbox", "--color", "auto", "-c", "$true"], environment: ["NO_COLOR": "1"])
        #expect(noColor.out == "true\n")
    }
}

// The benchmark harness is built only with NWSH_BENCHMARKS set (scripts/test sets it).
#if NWSH_BENCHMARKS
    @Suite struct BenchmarkHarnessTests {
        @Test func theBenchmarkRunsInSmokeModeAndWritesEveryFigure() async throws {
            let directory = try temporaryDirectory()
            let output = directory.appendingPathComponent("BENCHMARKS.md").path
            try "# Benchmarks\n\nNotes written by hand stay.\n".write(toFile: output, atomically: true, encoding: .utf8)
            let result = try await Binary.runOffThePool(
                Binary.productsDirectory.appendingPathComponent("nwsh-bench").path,
                [
                    "--smoke", "--bin", Binary.productsDirectory.path, "--work", directory.appendingPathComponent("work").path, "--output",
                    output,
                ],
                timeout: 120)
            #expect(result.status == 0, "\(result.err)")
            let document = try String(contentsOfFile: output, encoding: .utf8)
            #expect(document.hasPrefix("# Benchmarks\n\nNotes written by hand stay.\n\n<!-- nwsh-bench: begin"))
            let rows = document.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| figure") }
            #expect(
                rows.map { $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces) } == [
                    "start-up to ready, `nwsh -c exit`", "start-up vs Azure CLI", "start-up vs HTTPie", "start-up vs the floor",
                    "5 sequential GETs against the sandbox, one session", "5 sequential GETs against the sandbox, one session, recording",
                    "replaying 20 recorded interactions", "replaying 40 recorded interactions (LRO poll chains included)",
                    "replaying 400 recorded interactions", "`explain` of a generated 50-hop result (`nwsh -c`, start-up included)",
                    "peak memory replaying the 40-interaction cassette (0.1 MB file)",
                    "loading the lab: 4 VNets, 40 NICs and VMs, 4 NSGs of 100 rules, 4 route tables of 50 routes (0.3 MB of JSON), "
                        + "to its first answer",
                    "a connectivity check's computation on that lab (median of 10; no waiting)",
                    "an ipFlowVerify on that lab (median of 10)",
                ])
            // nwsh was measured for every figure (the lab's questions ten times); peers are not run in smoke mode.
            for row in rows {
                #expect(row.split(separator: "|")[1].contains(#/[0-9.]+ (ms|s|MB) \((1|10) runs?\)/#), "\(row)")
            }
            #expect(rows[1].contains("`az --version`: not run (smoke mode)"))
            #expect(result.out.hasPrefix("| figure | nwsh (median) | peer (median) | nwsh ÷ peer | target | result |\n"))
        }

        @Test func aMissingExecutableFolderIsAClearError() throws {
            let result = try Binary.run(
                Binary.productsDirectory.appendingPathComponent("nwsh-bench").path, ["--smoke", "--bin", "/nonexistent-nwsh-bin"])
            #expect(result.status == 1)
            #expect(
                result.err
                    == "nwsh-bench: /nonexistent-nwsh-bin/nwsh not found; build first (scripts/bench builds release), or name the folder with --bin.\n"
            )
            #expect(result.out.isEmpty)
        }
    }

    extension BenchmarkHarnessTests {
        @Test func aCommandThatFailsStopsTheBenchmarkWithItsErrorOutput() throws {
            let bin = try temporaryDirectory()
            for name in ["nwsh", "nwsh-sandbox"] {
                let path = bin.appendingPathComponent(name).path
                try "#!/bin/sh\necho 'boom: nothing works' >&2\nexit 3\n".write(toFile: path, atomically: true, encoding: .utf8)
                chmod(path, 0o755)
            }
            let result = try Binary.run(
                Binary.productsDirectory.appendingPathComponent("nwsh-bench").path,
                ["--smoke", "--bin", bin.path, "--work", bin.appendingPathComponent("work").path])
            #expect(result.status == 1)
            #expect(result.err.hasSuffix("nwsh-bench: \(bin.path)/nwsh -c exit exited with status 3:\nboom: nothing works\n\n"))
        }
    }
#endif
