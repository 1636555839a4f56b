/// What changed between two connectivity results (`diff $before $after`): the verdict, the
/// probes and latency, hops added or removed, and issues resolved or new. This is how a user shows
/// that a fix worked. Pure.
///
/// Hops are matched by type, address and resource ID (hop `id`s are made up anew by every check),
/// and issues by their hop, type, origin, severity and context.
public struct ResultDiff: Sendable, Equatable {
    /// "Unreachable → Reachable: fixed." or "Verdict unchanged: Reachable."
    public var verdict: String
    /// Probe and latency changes, one line each.
    public var measurements: [String]
    public var hopsRemoved: [String]
    public var hopsAdded: [String]
    /// Sentences for issues of `before` that `after` no longer has.
    public var issuesResolved: [String]
    /// Sentences for issues of `after` that `before` did not have.
    public var issuesNew: [String]

    public init(before: ConnectivityResult, after: ConnectivityResult) {
        verdict = Self.verdict(before.status, after.status)
        measurements = Self.measurements(before, after)
        let beforeHops = Self.keyedHops(before)
        let afterHops = Self.keyedHops(after)
        let beforeKeys = Set(beforeHops.map(\.key))
        let afterKeys = Set(afterHops.map(\.key))
        hopsRemoved = beforeHops.filter { !afterKeys.contains($0.key) }.map { Narration.place($0.hop, number: $0.number) }
        hopsAdded = afterHops.filter { !beforeKeys.contains($0.key) }.map { Narration.place($0.hop, number: $0.number) }
        let beforeIssues = Self.keyedIssues(before)
        let afterIssues = Self.keyedIssues(after)
        let beforeIssueKeys = Set(beforeIssues.map(\.key))
        let afterIssueKeys = Set(afterIssues.map(\.key))
        issuesResolved = beforeIssues.filter { !afterIssueKeys.contains($0.key) }.map(\.sentence)
        issuesNew = afterIssues.filter { !beforeIssueKeys.contains($0.key) }.map(\.sentence)
    }

    /// The comparison as text, sections separated by blank lines.
    public var text: String {
        var sections: [[String]] = [[verdict] + measurements]
        if !hopsRemoved.isEmpty { sections.append(["Hops no longer on the path:"] + hopsRemoved.map { "  - " + $0 }) }
        if !hopsAdded.isEmpty { sections.append(["Hops new on the path:"] + hopsAdded.map { "  + " + $0 }) }
        if !issuesResolved.isEmpty { sections.append(["Issues resolved:"] + issuesResolved.map { "  - " + $0 }) }
        if !issuesNew.isEmpty { sections.append(["Issues new:"] + issuesNew.map { "  + " + $0 }) }
        if hopsRemoved.isEmpty && hopsAdded.isEmpty && issuesResolved.isEmpty && issuesNew.isEmpty {
            sections.append(["Same path, same issues."])
        }
        return sections.map { $0.joined(separator: "\n") }.joined(separator: "\n\n") + "\n"
    }

    static func verdict(_ before: String?, _ after: String?) -> String {
        let name = { (status: String?) in status ?? "no status" }
        guard before?.lowercased() != after?.lowercased() else { return "Verdict unchanged: \(name(after))." }
        let change =
            Narration.isReachable(after) && !Narration.isReachable(before)
            ? ": fixed"
            : Narration.isReachable(before) && !Narration.isReachable(after) ? ": broken" : ""
        return "Verdict: \(name(before)) → \(name(after))\(change)."
    }

    static func measurements(_ before: ConnectivityResult, _ after: ConnectivityResult) -> [String] {
        var lines: [String] = []
        if before.probesSent != nil || after.probesSent != nil,
            before.probesSent != after.probesSent || before.probesFailed != after.probesFailed
        {
            func probes(_ result: ConnectivityResult) -> String {
                result.probesSent.map { "\(result.probesFailed ?? 0) of \($0)" } ?? "none"
            }
            lines.append("Probes failed: \(probes(before)) → \(probes(after)).")
        }
        var latency: [String] = []
        for (name, old, new) in [
            ("min", before.minimumLatency, after.minimumLatency), ("avg", before.averageLatency, after.averageLatency),
            ("max", before.maximumLatency, after.maximumLatency),
        ] where old != new {
            switch (old, new) {
            case (let old?, let new?): latency.append("\(name) \(old) → \(new) ms (\(new >= old ? "+" : "")\(new - old))")
            case (nil, let new?): latency.append("\(name) none → \(new) ms")
            case (let old?, nil): latency.append("\(name) \(old) ms → none")
            case (nil, nil): break
            }
        }
        if !latency.isEmpty { lines.append("Latency: " + latency.joined(separator: ", ") + ".") }
        return lines
    }

    private static func hopKey(_ hop: ConnectivityResult.Hop) -> String {
        [hop.type, hop.address ?? "", hop.resourceId ?? ""].joined(separator: "\u{1F}").lowercased()
    }

    private static func keyedHops(_ result: ConnectivityResult) -> [(key: String, hop: ConnectivityResult.Hop, number: Int)] {
        result.hops.enumerated().map { (hopKey($0.element), $0.element, $0.offset + 1) }
    }

    private static func keyedIssues(_ result: ConnectivityResult) -> [(key: String, sentence: String)] {
        var issues: [(key: String, sentence: String)] = []
        for (index, hop) in result.hops.enumerated() {
            for issue in hop.allIssues {
                let context = issue.context.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1E}")
                let key = [hopKey(hop), issue.type, issue.origin ?? "", issue.severity ?? "", context].joined(separator: "\u{1F}")
                    .lowercased()
                issues.append((key, Narration.sentence(for: issue, at: hop, number: index + 1)))
            }
        }
        return issues
    }
}
