import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The connection-troubleshoot page's four examples, pasted as they are, against `nwsh --sandbox`.
@Suite struct PageExamplesTests {
    static let examples: [(file: String, status: String, issue: String?, hops: Int)] = [
        ("page-example-1-vm-to-vm-nsg.nwsh", "Unreachable", "\"value\": \"UserRule_Port80\"", 4),
        ("page-example-2-routing-udr.nwsh", "Unreachable", "\"type\": \"UserDefinedRoute\"", 2),
        ("page-example-3-website-latency.nwsh", "Reachable", nil, 2),
        ("page-example-4-storage-endpoint.nwsh", "Reachable", nil, 2),
    ]

    @Test("each example prints its documented result", arguments: examples)
    func example(file: String, status: String, issue: String?, hops: Int) throws {
        let script = Binary.fixtures.appendingPathComponent(file).path
        let result = try Binary.run(Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", script])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("\"connectionStatus\": \"\(status)\""))
        #expect(result.out.components(separatedBy: "\"nextHopIds\"").count - 1 == hops)
        if let issue { #expect(result.out.contains(issue)) }
        #expect(result.err.hasPrefix("Signed in to the nwsh sandbox with the sandbox's service principal as nwsh-sandbox-app"))
    }

    @Test func theStorageExampleShowsTheDocumentedLatencyAndAddress() throws {
        let script = Binary.fixtures.appendingPathComponent("page-example-4-storage-endpoint.nwsh").path
        let result = try Binary.run(Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", script])
        #expect(
            result.out.hasSuffix(
                """
                  "connectionStatus": "Reachable",
                  "avgLatencyInMs": 1,
                  "minLatencyInMs": 0,
                  "maxLatencyInMs": 7,
                  "probesSent": 100,
                  "probesFailed": 0
                }

                """))
        #expect(result.out.contains("\"address\": \"13.71.200.248\""))
    }

    @Test func retrievingTheVirtualMachineListsItWithItsID() throws {
        let script = Binary.fixtures.appendingPathComponent("page-retrieve-vm.nwsh").path
        let result = try Binary.run(Binary.nwsh, ["--sandbox", script])
        #expect(result.status == 0, "\(result.err)")
        #expect(
            result.out.contains(
                """
                      "type": "Microsoft.Compute/virtualMachines",
                      "location": "westcentralus",
                      "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoExampleRG/providers/Microsoft.Compute/virtualMachines/ContosoVM",
                      "name": "ContosoVM"
                    }
                  ]
                }
                """))
    }

    @Test func theSameScriptAgainstAServerThatAnswers401FailsClearly() throws {
        let server = try SandboxProcess.start()
        defer { server.stop() }
        let script = Binary.fixtures.appendingPathComponent("page-example-1-vm-to-vm-nsg.nwsh").path
        let result = try Binary.run(
            Binary.nwsh, ["--endpoint", server.baseURL, script], environment: ["NWSH_ACCESS_TOKEN": "expired-or-foreign-token"])
        #expect(result.status == 1)
        #expect(
            result.err.contains(
                """
                failed: HTTP 401 Unauthorized
                  InvalidAuthenticationToken: The access token is invalid.
                  Your token was refused: run 'login' (or check NWSH_ACCESS_TOKEN / the service principal variables), then try again.
                """))
        #expect(result.err.hasPrefix("Signed in with environment variable NWSH_ACCESS_TOKEN;"))
        #expect(!result.err.contains("expired-or-foreign-token"))
    }

    @Test func withoutCredentialsAScriptSaysHowToSignIn() throws {
        let server = try SandboxProcess.start()
        defer { server.stop() }
        let result = try Binary.run(
            Binary.nwsh, ["--endpoint", server.baseURL, "-c", "get /subscriptions?api-version=2020-01-01"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 1)
        #expect(
            result.err.hasPrefix(
                "error: -c:1: Could not get an access token for Azure Resource Manager. Tried:\n  - NWSH_ACCESS_TOKEN / ARMCLIENT_TOKEN: not set\n"
            ))
    }
}

/// `nwsh-sandbox` in its own process, on a free port.
struct SandboxProcess {
    let process: Process
    let baseURL: String
    /// Its banner's first line ("nwsh-sandbox listening on ...").
    var banner = ""
    /// Its service principal, as its banner's second line gives it.
    var tenantID = ""
    var clientID = ""
    var clientSecret = ""

    static func start(_ arguments: [String] = []) throws -> SandboxProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.sandbox)
        process.arguments = ["--port", "0", "--retry-after", "0"] + arguments
        process.standardError = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let handle = output.fileHandleForReading
        func readLine() -> String {
            var line = ""
            while !line.hasSuffix("\n") {
                let byte = handle.readData(ofLength: 1)
                if byte.isEmpty { break }
                line += String(decoding: byte, as: UTF8.self)
            }
            return line
        }
        // "nwsh-sandbox listening on http://127.0.0.1:PORT[, standing in for ...]"
        let line = readLine()
        guard let range = line.range(of: "http://") else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        let address = line[range.lowerBound...].prefix { $0 != "," && !$0.isWhitespace }
        var started = SandboxProcess(process: process, baseURL: String(address), banner: line)
        // "tenant T, client id C, client secret S (sandbox credentials, not secret)"
        let words = readLine().split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        if words.count >= 8 {
            started.tenantID = words[1]
            started.clientID = words[4]
            started.clientSecret = words[7]
        }
        return started
    }

    func stop() {
        process.terminate()
        Binary.wait(for: process)
    }

    /// Adds faults through the server's `/sandbox/faults` endpoint (JSON: one fault or a list).
    func inject(_ json: String) throws {
        var request = URLRequest(url: URL(string: baseURL + "/sandbox/faults")!)
        request.httpMethod = "POST"
        request.httpBody = Data(json.utf8)
        let status = Mutex<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, _ in
            status.withLock { $0 = (response as? HTTPURLResponse)?.statusCode }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        guard status.withLock({ $0 }) == 204 else { throw CocoaError(.fileWriteUnknown) }
    }
}
