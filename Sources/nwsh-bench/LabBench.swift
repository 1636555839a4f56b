import Benchmarks
import Foundation
import HTTPCore
import JSON
import Sandbox

/// The network lab's speed figures, measured in this process against the sandbox's own request
/// handler (what `nwsh-sandbox` runs behind HTTP): loading a generated network from its file to
/// the first answer, then connectivity checks and ipFlowVerify on it. A check's time is the
/// handler's work for the POST (reading the request, walking the network, keeping the result for
/// the poll); the long-running operation's waiting is not part of it.
struct LabBench {
    let input: LabInput
    let file: String
    let questions: Int

    /// Seconds since an arbitrary point, monotonic.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    struct Figures {
        var load: Timing
        var check: Timing
        var ipFlowVerify: Timing
        var unexpected: [String]
    }

    func measure(loads: Int, log: (String) -> Void) async throws -> Figures {
        var loadTimes: [Double] = []
        var arm: SandboxARM?
        var token = ""
        for run in 0...loads {
            let started = Self.now()
            let world: SandboxData
            do {
                world = try SandboxData.bundled().with(labAt: file).data
            } catch let error as LabFileError {
                throw BenchError(description: error.description)
            }
            let loaded = SandboxARM(data: world, options: SandboxOptions(retryAfter: 0, pollsBeforeDone: 0))
            guard let issued = await loaded.servicePrincipalToken() else { throw BenchError(description: "the sandbox issued no token") }
            token = issued
            // The first question reads the network from the store.
            let first = await loaded.handle(request(token, "nextHop", flowBody(0, ipFlowVerify: false, nextHop: true)))
            guard first.status == 202 else { throw BenchError(description: "the lab's first answer was HTTP \(first.status)") }
            let elapsed = Self.now() - started
            if run > 0 { loadTimes.append(elapsed) }  // run 0 warms up
            log("Loading the lab: \(String(format: "%.3f", elapsed)) s (\(run == 0 ? "warm-up" : "run \(run)"))")
            arm = loaded
        }
        guard let arm else { throw BenchError(description: "the lab did not load") }
        var checks: [Double] = []
        var flows: [Double] = []
        var unexpected: [String] = []
        for i in 0..<questions {
            let check = request(token, "connectivityCheck", checkBody(i))
            var started = Self.now()
            let answer = await arm.handle(check)
            checks.append(Self.now() - started)
            if answer.status != 202 { unexpected.append("connectivityCheck \(i): HTTP \(answer.status)") }
            let flow = request(token, "ipFlowVerify", flowBody(i, ipFlowVerify: true, nextHop: false))
            started = Self.now()
            let verdict = await arm.handle(flow)
            flows.append(Self.now() - started)
            if verdict.status != 202 { unexpected.append("ipFlowVerify \(i): HTTP \(verdict.status)") }
        }
        return Figures(
            load: Timing(seconds: loadTimes), check: Timing(seconds: checks), ipFlowVerify: Timing(seconds: flows), unexpected: unexpected)
    }

    private func request(_ token: String, _ action: String, _ body: String) -> SandboxRequest {
        SandboxRequest(
            method: "POST", path: "\(LabInput.watcher)/\(action)", query: [("api-version", "2024-05-01")],
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: Array(body.utf8),
            baseURL: "http://127.0.0.1:1")
    }

    private func checkBody(_ i: Int) -> String {
        let flow = input.flow(i)
        return #"{"source": {"resourceId": "\#(flow.source)"}, "destination": {"resourceId": "\#(flow.destination)", "port": 443}}"#
    }

    private func flowBody(_ i: Int, ipFlowVerify: Bool, nextHop: Bool) -> String {
        let flow = input.flow(i)
        if nextHop {
            return
                #"{"targetResourceId": "\#(flow.source)", "sourceIPAddress": "\#(flow.sourceAddress)", "destinationIPAddress": "\#(flow.destinationAddress)"}"#
        }
        return
            #"{"targetResourceId": "\#(flow.source)", "direction": "Outbound", "protocol": "TCP", "localIPAddress": "\#(flow.sourceAddress)", "localPort": "*", "remoteIPAddress": "\#(flow.destinationAddress)", "remotePort": "443"}"#
    }
}
