import HTTPCore
import JSON

/// A question `explain --deep` asks ARM to pin an issue's cause down: a GET of a resource or a
/// POST of a Network Watcher action, sent like any other request (shown while it runs, recorded
/// in the cassette).
public struct FollowUp: Sendable, Hashable {
    /// `GET` or `POST`.
    public var method: String
    /// The resource path with its `api-version`.
    public var target: String
    public var body: JSONValue?
    /// What it asks, in words: the progress line, and the sentence when it fails.
    public var purpose: String

    public init(method: String, target: String, body: JSONValue? = nil, purpose: String) {
        self.method = method
        self.target = target
        self.body = body
        self.purpose = purpose
    }

    /// Targets compare ignoring case, as ARM reads IDs (one VM's ID can come back in another case).
    public static func == (lhs: FollowUp, rhs: FollowUp) -> Bool {
        lhs.method == rhs.method && lhs.target.lowercased() == rhs.target.lowercased() && lhs.body == rhs.body
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(target.lowercased())
        hasher.combine(body.map { JSONFormatter.compact.format($0) })
    }
}

/// What a follow-up got: the answer, or why there is none, in one line.
public enum FollowUpAnswer: Sendable, Equatable {
    case answered(JSONValue)
    case failed(String)
}

/// What `explain --deep` found for one issue: the cause, in sentences, and fixes to paste
/// (printed, never run).
public struct RootCauseFinding: Sendable, Equatable {
    /// The issue's sentence, as the explanation says it.
    public var issue: String
    public var cause: [String]
    public var fixes: [Explanation.NextStep]
}

/// `explain --deep`: the follow-ups that the issues of a result need, asked in rounds (a rule's
/// group is known only once a diagnostic named it), and what their answers show. Each follow-up is
/// asked once however many issues need it; a result with no issues asks nothing (an unreachable one
/// says what is left to look at in the guest). Pure: the shell sends the questions and records the
/// answers.
///
/// Covered: a security rule (which group and rule decide, which fields matched, the rules before
/// it that did not match), a route (which route of which table, what the traffic would do without
/// it), a stopped agent (the VM's power state and its agent extension) and name resolution (the DNS
/// servers the VM uses). Other issue types are said in words, without follow-ups.
public struct RootCauseInvestigation: Sendable {
    public let result: ConnectivityResult
    public let context: CheckContext?
    public private(set) var answers: [FollowUp: FollowUpAnswer] = [:]

    public init(result: ConnectivityResult, context: CheckContext?) {
        self.result = result
        self.context = context
    }

    /// The follow-ups to ask now, in order; empty when the investigation is done.
    public var pending: [FollowUp] {
        var seen = Set<FollowUp>()
        return analyses.flatMap(\.needs).filter { answers[$0] == nil && seen.insert($0).inserted }
    }

    public mutating func record(_ answer: FollowUpAnswer, for followUp: FollowUp) {
        answers[followUp] = answer
    }

    /// One finding per issue, in the order the explanation lists them.
    public var findings: [RootCauseFinding] { analyses.compactMap(\.finding) }

    /// Each issue's analysis as far as the answers go.
    var analyses: [Analysis] {
        var all: [Analysis] = []
        for (index, hop) in result.hops.enumerated() where hop.hasIssues {
            for issue in hop.allIssues {
                let sentence = Narration.sentence(for: issue, at: hop, number: index + 1)
                var analysis = Analysis(issue: sentence)
                switch issue.type.lowercased() {
                case "networksecurityrule": analyzeSecurityRule(issue, at: hop, into: &analysis)
                case "userdefinedroute": analyzeRoute(issue, at: hop, into: &analysis)
                case "agentstopped": analyzeAgent(at: hop, into: &analysis)
                case "dnsresolution": analyzeNameResolution(at: hop, into: &analysis)
                default: analyzeInWords(issue, at: hop, into: &analysis)
                }
                all.append(analysis)
            }
        }
        if all.isEmpty, ["unreachable", "disconnected"].contains(result.status?.lowercased() ?? ""), !result.hops.isEmpty {
            all.append(silentDrop)
        }
        return all
    }

    /// An unreachable destination with no issue on any hop: the path was open as far as Azure can
    /// tell, so what is left is inside the destination (nothing listening on the port, or a
    /// firewall dropping the traffic without a word), which ARM cannot see. Asks nothing.
    private var silentDrop: Analysis {
        var analysis = Analysis(issue: "No hop reports an issue, yet the destination did not answer.")
        let port = context?.request.destinationPort.map { "port \($0)" } ?? "the port"
        if context?.request.effectiveProtocol == "Icmp" {
            analysis.cause.append(
                "No hop on the path reports a problem, so what is left is at the destination: it may not answer ICMP, or a firewall there drops it without answering."
            )
        } else {
            analysis.cause.append(
                "No hop on the path reports a problem, so what is left is at the destination: often nothing listens on \(port), or a firewall there drops the traffic without answering. ARM cannot see inside a VM: run, in it, 'sudo ss -ltnp' and 'sudo iptables -S' (Linux) or 'Get-NetTCPConnection -State Listen' and 'Get-NetFirewallRule -Enabled True' (Windows)."
            )
        }
        return analysis
    }

    /// An issue's analysis: what it still needs asked, or what it found.
    struct Analysis {
        var issue: String
        var needs: [FollowUp] = []
        var cause: [String] = []
        var fixes: [Explanation.NextStep] = []

        /// The finding once nothing is still needed; a command suggested twice (one group on both
        /// the subnet and the interface) is printed once.
        var finding: RootCauseFinding? {
            guard needs.isEmpty else { return nil }
            var seen = Set<String>()
            return RootCauseFinding(issue: issue, cause: cause, fixes: fixes.filter { seen.insert($0.command).inserted })
        }
    }

    /// The answer to a follow-up: nil and noted as needed when not asked yet; a failure is said
    /// in the cause, once, and the analysis goes on without it.
    func ask(_ followUp: FollowUp, for analysis: inout Analysis) -> JSONValue? {
        switch answers[followUp] {
        case .answered(let value)?: return value
        case .failed(let why)?:
            analysis.cause.append("Could not ask \(followUp.purpose): \(why).")
            return nil
        case nil:
            analysis.needs.append(followUp)
            return nil
        }
    }

    /// The flow of the check, when the check is known: source and destination addresses, and the
    /// port (nil for an Icmp check or one without a port; security rules need one, routes do not).
    var flow: (local: String, remote: String, port: Int?, protocolName: String)? {
        guard let context, let local = (result.hops.first { $0.type.lowercased() == "source" } ?? result.hops.first)?.address,
            let remote = context.destinationAddress(in: result)
        else { return nil }
        let port = context.request.effectiveProtocol == "Icmp" ? nil : context.request.destinationPort
        return (local, remote, port, "TCP")
    }

    /// The hop's network interface, the check and its flow; nil, with why in the cause, when the
    /// hop names no interface (`toLookUp`: what cannot be looked up then) or the check is not known.
    func interfaceAndFlow(
        at hop: ConnectivityResult.Hop, toLookUp: String, into analysis: inout Analysis
    ) -> (String, CheckContext, (local: String, remote: String, port: Int?, protocolName: String))? {
        guard let nic = Explanation.networkInterface(hop.resourceId) else {
            analysis.cause.append("The hop names no network interface, so \(toLookUp) cannot be looked up.")
            return nil
        }
        guard let context else {
            analysis.cause.append(
                "Without the check that produced this result (run it with 'check', or post the connectivityCheck in this session), the flow to look up is not known."
            )
            return nil
        }
        guard let flow else {
            analysis.cause.append(
                "The check's destination has no IP address (none was asked for, and no hop gives one), so \(toLookUp) cannot be asked about it."
            )
            return nil
        }
        return (nic, context, flow)
    }

    /// Where to look when the platform reported a problem nwsh cannot pin down.
    static let platformAdvice =
        "The platform reported the problem. Where the path crosses a peering, look at allowVirtualNetworkAccess and allowForwardedTraffic of the peering on both sides; otherwise at Azure Service Health for the region, and check again later."

    static func name(_ id: String) -> String {
        Narration.providerSegments(id).map { String($0.name) } ?? String(id.split(separator: "/").last ?? Substring(id))
    }

    static func api(_ path: String) -> String { "\(path)?api-version=\(ARMAPIVersion.network)" }
}
