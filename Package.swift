// swift-tools-version:6.0
import PackageDescription

/// Whether an environment variable is set to something other than empty or 0.
func isSet(_ name: String) -> Bool { Context.environment[name].map { !$0.isEmpty && $0 != "0" } ?? false }

/// Whether the benchmark harness is in the graph (see the end of this file).
let benchmarks = isSet("NWSH_BENCHMARKS")
/// Whether the libFuzzer driver is (scripts/fuzz sets NWSH_FUZZ).
let fuzzing = isSet("NWSH_FUZZ")

let package = Package(
    name: "nwsh",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nwsh", targets: ["nwsh"]),
        .executable(name: "nwsh-sandbox", targets: ["nwsh-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // libedit, through its readline-compatible API (see Sources/CEditLine/shim.h).
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // SIGINT handling in C: what a signal handler touches must be async-signal-safe.
        .target(name: "CInterrupts"),
        // malloc tuning (glibc's mallopt), which Swift's Glibc module does not export.
        .target(name: "CMalloc"),
        // The only module that talks to libedit or the terminal.
        .target(name: "LineEditing", dependencies: ["CEditLine", "CInterrupts"]),
        // JSON values, the parser (strict and relaxed, whole or piece by piece), the formatter, and
        // text made safe for a terminal. Pure, with no dependencies: every other module reads JSON.
        .target(name: "JSON"),
        // HTTP requests and responses as nwsh sends and records them, the transport protocol that
        // live, recording, replaying and in-process transports share, and ARM's error envelope. Pure.
        .target(name: "HTTPCore", dependencies: ["JSON"]),
        // The PowerShell-flavoured language: lexing, parsing, evaluation, interpolation. Pure.
        .target(name: "ShellLanguage", dependencies: ["JSON"]),
        // ARM's resource tree: paths taken apart (subscription, group, provider, types, names),
        // relative paths resolved, and the choice of an api-version for a path. Pure.
        .target(name: "ARMPaths", dependencies: ["JSON"]),
        .testTarget(name: "ARMPathsTests", dependencies: ["ARMPaths", "JSON"]),
        // Requests to Azure Resource Manager: transports, auth, long-running operations, paging, retries.
        .target(
            name: "ARM",
            dependencies: [
                "HTTPCore",
                "JSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // Only to name the errors of the gzip decoding async-http-client does for nwsh.
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ]
        ),
        // Cassettes: recording, redaction, replay.
        .target(name: "Cassettes", dependencies: ["HTTPCore", "JSON", .product(name: "Yams", package: "Yams")]),
        // The network lab's engine: effective security rules and routes, and every Network Watcher
        // answer, worked out from ARM resources. Pure, with its own tests; the sandbox serves it.
        .target(name: "NetworkLab", dependencies: ["JSON"]),
        .testTarget(name: "NetworkLabTests", dependencies: ["NetworkLab", "JSON"], exclude: ["Fixtures"]),
        // The local ARM emulator; scenarios are JSON data under Scenarios/.
        .target(
            name: "Sandbox",
            dependencies: [
                "JSON",
                "NetworkLab",
                // Labs are read from cassettes, HAR files and vcrpy YAML as well.
                "Cassettes",
                "HTTPCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Scenarios")]
        ),
        // Commands, session state and output formatting.
        .target(name: "Shell", dependencies: ["ShellLanguage", "JSON", "HTTPCore", "ARM", "ARMPaths", "Cassettes", "Diagnostics"]),
        // Plans a run from the command line and the environment (pure, table-tested), then
        // builds the session, its transports and its sign-in, and runs it.
        .target(
            name: "Launch", dependencies: ["Shell", "LineEditing", "Sandbox", "ARM", "HTTPCore", "Cassettes", "ShellLanguage", "JSON"]),
        .executableTarget(name: "nwsh", dependencies: ["Launch", "CMalloc"]),
        .executableTarget(
            name: "nwsh-sandbox",
            dependencies: [
                "Sandbox",
                "HTTPCore",
                "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Connectivity results: reading them, and narrating verdicts and issues. Pure.
        .target(name: "Diagnostics", dependencies: ["HTTPCore", "JSON"]),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "JSON"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "ShellLanguageTests", dependencies: ["ShellLanguage", "JSON"]),
        // What the fuzzer feeds arbitrary bytes to (scripts/fuzz, FUZZING.md); the suite replays
        // the committed corpus through it.
        .target(
            name: "FuzzTargets", dependencies: ["ARMPaths", "Cassettes", "Diagnostics", "JSON", "NetworkLab", "Sandbox", "ShellLanguage"]),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzTargets"]),
        // A deliberately bad HTTP server on loopback, for the tests of hostile answers.
        .target(name: "TestServers", path: "Tests/TestServers"),
        .testTarget(name: "ARMTests", dependencies: ["ARM", "HTTPCore", "JSON", "Sandbox", "TestServers"]),
        .testTarget(name: "LaunchTests", dependencies: ["Launch", "ARM", "Cassettes", "Shell"]),
        .testTarget(name: "ShellTests", dependencies: ["Shell", "ShellLanguage", "ARM", "Diagnostics", "HTTPCore", "JSON", "Sandbox"]),
        .testTarget(name: "CassettesTests", dependencies: ["Cassettes", "ARM", "HTTPCore", "JSON", "Sandbox"], exclude: ["Fixtures"]),
        // Fixtures are read from the source tree (#filePath), not bundled.
        .testTarget(
            name: "EndToEndTests", dependencies: ["Sandbox", "CMalloc", "TestServers"], exclude: ["Fixtures"],
            swiftSettings: benchmarks ? [.define("NWSH_BENCHMARKS")] : []),
    ]
)

// The benchmark harness is not part of the product: it joins the package graph only when
// NWSH_BENCHMARKS is set, as scripts/test (which runs its smoke mode) and scripts/bench do, the way
// hummingbird keeps its benchmarks behind ENABLE_HB_BENCHMARKS.
if benchmarks {
    package.products.append(.executable(name: "nwsh-bench", targets: ["nwsh-bench"]))
    package.targets += [
        // Benchmark inputs (generated cassettes, scripts, peers' files) and the report table. Pure.
        .target(name: "Benchmarks", dependencies: ["HTTPCore", "Cassettes", "JSON"]),
        // Times nwsh beside its peers and writes BENCHMARKS.md (scripts/bench).
        .executableTarget(
            name: "nwsh-bench",
            dependencies: [
                "Benchmarks", "Cassettes", "CMalloc", "HTTPCore", "JSON", "Sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Cassettes", "HTTPCore", "JSON"]),
    ]
}

// The libFuzzer driver links only with -sanitize=fuzzer, so it joins the graph only when
// scripts/fuzz builds it (NWSH_FUZZ), in its own build folder.
if fuzzing {
    package.targets += [
        .systemLibrary(name: "CFuzzer", path: "Sources/CFuzzer"),
        .executableTarget(name: "nwsh-fuzz", dependencies: ["FuzzTargets", "CFuzzer"]),
    ]
}
