/// What `explain` says about a connectivity result, in order: the verdict, the probes, the path
/// hop by hop (branches drawn as a tree, failing hops marked), one sentence per issue, and the
/// nwsh commands to run next. Pure: built from a ``ConnectivityResult``, rendered as text.
public struct Explanation: Sendable, Equatable {
    public var verdict: String
    public var probes: String?
    /// The path as lines of text.
    public var path: [String]
    /// One sentence per issue, hop issues then link issues, in hop order.
    public var findings: [String]
    /// Commands to paste, each after a comment line saying what it shows.
    public var nextSteps: [NextStep]

    /// A command to run next and why.
    public struct NextStep: Sendable, Equatable {
        public var why: String
        public var command: String
    }

    /// - Parameter context: the check that produced the result, when known; next steps then also
    ///   ask the watcher about the same flow (`ipFlowVerify`, `nextHop`).
    public init(_ result: ConnectivityResult, context: CheckContext? = nil) {
        verdict = Narration.verdict(result.status)
        probes = Narration.probes(result)
        path = Self.drawPath(result.hops)
        var findings: [String] = []
        var steps: [NextStep] = []
        var suggested = Set<String>()
        for (index, hop) in result.hops.enumerated() {
            // Most hops have no issue: skip them without building arrays.
            guard hop.hasIssues else { continue }
            for issue in hop.allIssues {
                findings.append(Narration.sentence(for: issue, at: hop, number: index + 1))
                // One suggestion per command, however many issues point to it.
                let watcherSteps = context.map { Self.watcherSteps(for: issue, at: hop, result: result, context: $0) } ?? []
                for step in Self.nextSteps(for: issue, at: hop) + watcherSteps where suggested.insert(step.command).inserted {
                    steps.append(step)
                }
            }
        }
        self.findings = findings
        self.nextSteps = steps
    }

    /// The explanation as text, sections separated by blank lines.
    public var text: String { render(maxPathLines: nil, complete: true) }

    /// What `check` prints: the verdict, the probes, the path (its first `maxPathLines` lines)
    /// and the findings; the next steps are left to `explain`.
    public func summary(maxPathLines: Int = 12) -> String { render(maxPathLines: maxPathLines, complete: false) }

    /// The sections, separated by blank lines; `complete` adds the next steps, and says so when
    /// no hop has an issue. Appended to one string: the path can have thousands of lines.
    private func render(maxPathLines: Int?, complete: Bool) -> String {
        let shown = path.prefix(maxPathLines ?? path.count)
        var text = TextBuilder(capacity: shown.reduce(0) { $0 + $1.utf8.count + 3 } + 4096)
        text.append(verdict + "\n")
        if let probes { text.append(probes + "\n") }
        if !path.isEmpty {
            text.append("\nPath (✗ marks a hop with an issue):\n")
            for line in shown {
                text.append("  ")
                text.append(line)
                text.append("\n")
            }
            if shown.count < path.count { text.append("  … \(path.count - shown.count) more lines ('explain' draws the whole path)\n") }
        }
        if !findings.isEmpty || complete { text.append(findings.isEmpty ? "\nNo hop reports an issue.\n" : "\nIssues:\n") }
        for finding in findings { text.append("  " + finding + "\n") }
        if complete, !nextSteps.isEmpty {
            text.append("\nNext steps:\n")
            for step in nextSteps { text.append("  # \(step.why)\n  \(step.command)\n") }
        }
        return text.text
    }
}
