import Diagnostics
import Testing

@Suite struct ResultDiffTests {
    static let nic = "/subscriptions/s/resourceGroups/ContosoRG/providers/Microsoft.Network/networkInterfaces"
    static let routeIssue = ConnectivityResult.Issue(
        origin: "Outbound", severity: "Error", type: "UserDefinedRoute", context: [(key: "RouteType", value: "User")])

    static func result(
        status: String, failed: Int, issues: [ConnectivityResult.Issue], last: String, latency: Int? = nil
    ) -> ConnectivityResult {
        var result = ConnectivityResult(
            status: status, probesSent: 100, probesFailed: failed,
            hops: [
                .init(
                    type: "Source", id: "\(status)-1", address: "10.1.1.4", resourceId: "\(nic)/appNic0/ipConfigurations/ipconfig1",
                    nextHopIds: ["\(status)-2"], issues: issues),
                .init(type: last, id: "\(status)-2", address: "13.107.21.200", resourceId: last == "Internet" ? "Internet" : "Unknown"),
            ])
        result.averageLatency = latency
        return result
    }

    @Test func aFixedRouteShowsTheVerdictProbesHopsAndTheResolvedIssue() {
        let before = Self.result(status: "Unreachable", failed: 100, issues: [Self.routeIssue], last: "Destination")
        let after = Self.result(status: "Reachable", failed: 0, issues: [], last: "Internet", latency: 3)
        #expect(
            ResultDiff(before: before, after: after).text == """
                Verdict: Unreachable → Reachable: fixed.
                Probes failed: 100 of 100 → 0 of 100.
                Latency: avg none → 3 ms.

                Hops no longer on the path:
                  - hop 2 (Destination 13.107.21.200)

                Hops new on the path:
                  + hop 2 (Internet 13.107.21.200)

                Issues resolved:
                  - Error at hop 1 (Source 10.1.1.4, network interface appNic0): outbound traffic is dropped by a user-defined route (route type User).

                """)
        // The other way round, it broke.
        let reverse = ResultDiff(before: after, after: before)
        #expect(reverse.verdict == "Verdict: Reachable → Unreachable: broken.")
        #expect(reverse.issuesNew.count == 1)
        #expect(reverse.issuesResolved.isEmpty)
    }

    @Test func hopIDsDoNotMatterAndLatencyChangesAreSigned() {
        var before = Self.result(status: "Reachable", failed: 0, issues: [], last: "Internet", latency: 9)
        var after = before
        after.hops[0].id = "other"
        after.hops[0].nextHopIds = ["x"]
        after.hops[1].id = "x"
        after.averageLatency = 4
        before.minimumLatency = 1
        after.minimumLatency = 1
        #expect(
            ResultDiff(before: before, after: after).text == """
                Verdict unchanged: Reachable.
                Latency: avg 9 → 4 ms (-5).

                Same path, same issues.

                """)
    }

    @Test func anIssueWhoseContextChangedIsOneResolvedAndOneNew() {
        let rule = { (name: String) in
            ConnectivityResult.Issue(
                origin: "Outbound", severity: "Error", type: "NetworkSecurityRule", context: [(key: "RuleName", value: name)])
        }
        let diff = ResultDiff(
            before: Self.result(status: "Unreachable", failed: 100, issues: [rule("UserRule_Port80")], last: "Destination"),
            after: Self.result(status: "Unreachable", failed: 100, issues: [rule("UserRule_DenyAll")], last: "Destination"))
        #expect(diff.verdict == "Verdict unchanged: Unreachable.")
        #expect(diff.measurements.isEmpty)
        #expect(diff.issuesResolved.map { $0.hasSuffix("UserRule_Port80.") } == [true])
        #expect(diff.issuesNew.map { $0.hasSuffix("UserRule_DenyAll.") } == [true])
        #expect(diff.hopsAdded.isEmpty && diff.hopsRemoved.isEmpty)
    }
}
