import HTTPCore
import JSON

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
                let watcherSteps = context.map { Self.watcherSteps(for: issue, result: result, context: $0) } ?? []
                for step in Self.nextSteps(for: issue, at: hop) + watcherSteps where suggested.insert(step.command).inserted { steps.append(step) }
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

    // MARK: The path

    /// Hops as a tree from the hops nothing points to (the source). A hop with several next hops
    /// (a load balancer's backends) opens branches; a hop reached again (branches that meet) is
    /// named, not drawn twice. Hops the graph does not reach are listed after it.
    static func drawPath(_ hops: [ConnectivityResult.Hop]) -> [String] {
        // The hop a next-hop ID names. Results list hops in path order, so the hop right after the
        // one that names it is tried first; otherwise the first hop with that ID, from a table
        // built only when a guess fails (a 10,000-hop line never builds it).
        var indexByID: [String: Int]?
        func lookup(_ id: String, from hop: Int) -> Int? {
            if hop + 1 < hops.count, hops[hop + 1].id == id { return hop + 1 }
            if indexByID == nil {
                var table: [String: Int] = [:]
                table.reserveCapacity(hops.count)
                for (index, hop) in hops.enumerated() { if let id = hop.id, table[id] == nil { table[id] = index } }
                indexByID = table
            }
            return indexByID?[id]
        }
        var pointedTo = [Bool](repeating: false, count: hops.count)
        for (index, hop) in hops.enumerated() { for id in hop.nextHopIds { if let target = lookup(id, from: index) { pointedTo[target] = true } } }
        var drawn = [Bool](repeating: false, count: hops.count)
        var lines: [String] = []
        lines.reserveCapacity(hops.count)

        // Lines are built as bytes (``TextBuilder``): a path can have thousands of hops.
        func appendLine(_ index: Int, to text: inout TextBuilder) {
            text.append(index + 1)
            text.append(". ")
            text.append(hops[index].type)
            if let address = hops[index].address {
                text.append(" ")
                text.append(address)
            }
            Narration.appendResourceName(hops[index].resourceId, after: " — ", to: &text)
            if hops[index].hasIssues { text.append(" ✗") }
        }

        /// " (round trip min 1 ms, avg 4 ms)" for the link from one hop to the next, when measured.
        func appendRoundTrip(from index: Int, to next: String, to text: inout TextBuilder) {
            guard let link = hops[index].links.first(where: { $0.nextHopId == next }) else { return }
            var first = true
            func append(_ name: String, _ value: Int?) {
                guard let value else { return }
                text.append(first ? " (round trip " : ", ")
                first = false
                text.append(name)
                text.append(" ")
                text.append(value)
                text.append(" ms")
            }
            append("min", link.roundTripTimeMin)
            append("avg", link.roundTripTimeAvg)
            append("max", link.roundTripTimeMax)
            if !first { text.append(")") }
        }

        // Iterative, so a path of any length (10,000 hops) draws without deep recursion. A linear
        // path stays at one indentation; only a hop with several next hops opens branches.
        var stack: [(index: Int, indent: String, connector: String, from: Int?)] = []
        let roots = hops.indices.filter { !pointedTo[$0] }
        for root in (roots.isEmpty ? Array(hops.indices.prefix(1)) : roots).reversed() { stack.append((root, "", "", nil)) }
        while let (index, indent, connector, from) = stack.popLast() {
            var text = TextBuilder(capacity: indent.utf8.count + 128)
            text.append(indent)
            text.append(connector)
            let seen = drawn[index]
            if seen {
                text.append("→ ")
                text.append(index + 1)
                text.append(". ")
                text.append(hops[index].type)
                text.append(" (above)")
            } else {
                drawn[index] = true
                appendLine(index, to: &text)
            }
            if let from, let id = hops[index].id { appendRoundTrip(from: from, to: id, to: &text) }
            lines.append(text.text)
            if seen { continue }
            let childIndent = connector.isEmpty ? indent : indent + (connector == "├─ " ? "│  " : "   ")
            // The common case, one next hop: no branch, no array.
            if hops[index].nextHopIds.count == 1 {
                if let child = lookup(hops[index].nextHopIds[0], from: index) { stack.append((child, childIndent, "", index)) }
                continue
            }
            let next = hops[index].nextHopIds.compactMap { lookup($0, from: index) }
            for (position, child) in next.enumerated().reversed() {
                let childConnector = next.count == 1 ? "" : position == next.count - 1 ? "└─ " : "├─ "
                stack.append((child, childIndent, childConnector, index))
            }
        }
        for index in hops.indices where !drawn[index] {
            var text = TextBuilder()
            appendLine(index, to: &text)
            text.append(" (not linked from the source)")
            lines.append(text.text)
        }
        return lines
    }

    // MARK: Next steps

    /// The network interface a hop's resource ID names (an IP configuration's parent included).
    static func networkInterface(_ resourceId: String?) -> String? {
        Narration.resource(resourceId, namespace: "Microsoft.Network", type: "networkInterfaces")
    }

    /// The VM a resource ID names.
    static func virtualMachine(_ resourceId: String?) -> String? {
        Narration.resource(resourceId, namespace: "Microsoft.Compute", type: "virtualMachines")
    }

    static func nextSteps(for issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop) -> [NextStep] {
        let nic = networkInterface(hop.resourceId)
        let nicName = nic.flatMap { Narration.providerSegments($0) }.map { String($0.name) }
        let vm = virtualMachine(hop.resourceId)
        var steps: [NextStep] = []
        switch issue.type.lowercased() {
        case "networksecurityrule":
            if let nic, let nicName {
                let rule = issue.context("RuleName").map { ", find \($0)" } ?? ""
                steps.append(NextStep(why: "the security rules in effect on network interface \(nicName)\(rule)",
                                      command: "post \(nic)/effectiveNetworkSecurityGroups?api-version=\(ARMAPIVersion.network)"))
            }
        case "userdefinedroute":
            if let nic, let nicName {
                steps.append(NextStep(why: "the routes in effect on network interface \(nicName): which route sends the traffic where",
                                      command: "post \(nic)/effectiveRouteTable?api-version=\(ARMAPIVersion.network)"))
            }
        case "guestfirewall", "agentstopped":
            if let vm {
                steps.append(NextStep(why: "the VM's extensions (NetworkWatcherAgent must be provisioned and running) and its state",
                                      command: "get \(vm)/instanceView?api-version=\(ARMAPIVersion.compute)"))
            }
        case "dnsresolution":
            if let nic, let nicName {
                steps.append(NextStep(why: "the DNS servers network interface \(nicName) uses (dnsSettings)",
                                      command: "get \(nic)?api-version=\(ARMAPIVersion.network)"))
            }
        default:
            break
        }
        if steps.isEmpty, let resource = nic ?? vm ?? hop.resourceId {
            steps.append(NextStep(why: "the resource at hop \(hop.address ?? hop.type)", command: "get \(resource)?api-version=\(nic != nil ? ARMAPIVersion.network : vm != nil ? ARMAPIVersion.compute : ARMAPIVersion.network)"))
        }
        return steps
    }

    /// `ipFlowVerify` for a security rule and `nextHop` for a route, from the check's source VM
    /// to its destination (the address the path ended at), on the check's watcher.
    static func watcherSteps(for issue: ConnectivityResult.Issue, result: ConnectivityResult, context: CheckContext) -> [NextStep] {
        guard let vm = context.request.source,
              let local = (result.hops.first { $0.type.lowercased() == "source" } ?? result.hops.first)?.address,
              let remote = context.destinationAddress(in: result) else { return [] }
        let vmName = Narration.providerSegments(vm).map { String($0.name) } ?? vm
        switch issue.type.lowercased() {
        case "networksecurityrule":
            let protocolName = context.request.effectiveProtocol
            guard protocolName != "Icmp", let port = context.request.destinationPort else { return [] }
            let body = JSONObject([
                "targetResourceId": .string(vm), "direction": .string("Outbound"), "protocol": .string("TCP"),
                "localIPAddress": .string(local), "localPort": .string(context.request.sourcePort.map(String.init) ?? "*"),
                "remoteIPAddress": .string(remote), "remotePort": .string(String(port)),
            ])
            return [NextStep(
                why: "whether the security rules let TCP from \(vmName) (\(local)) out to \(remote) port \(port), and which rule decides",
                command: "post \(context.watcher)/ipFlowVerify?api-version=\(ARMAPIVersion.network) \(singleQuoted(.object(body)))")]
        case "userdefinedroute":
            let body = JSONObject(["targetResourceId": .string(vm), "sourceIPAddress": .string(local), "destinationIPAddress": .string(remote)])
            return [NextStep(
                why: "where \(vmName) (\(local)) sends packets for \(remote), and which route table says so",
                command: "post \(context.watcher)/nextHop?api-version=\(ARMAPIVersion.network) \(singleQuoted(.object(body)))")]
        default:
            return []
        }
    }

    /// JSON as a single-quoted nwsh string (literal; a quote inside is doubled).
    static func singleQuoted(_ value: JSONValue) -> String {
        var text = "'"
        for character in JSONFormatter.compact.format(value) { text += character == "'" ? "''" : String(character) }
        return text + "'"
    }
}

/// The check a result came from: its watcher and request. With it, `explain` suggests
/// `ipFlowVerify` and `nextHop` for the same source, destination and port.
public struct CheckContext: Sendable, Equatable {
    /// The network watcher's resource ID.
    public var watcher: String
    public var request: CheckRequest

    public init(watcher: String, request: CheckRequest) {
        self.watcher = watcher
        self.request = request
    }

    /// The watcher a POST to `.../networkWatchers/W/connectivityCheck` (absolute URL or path)
    /// goes to; nil for any other URL, so other requests' bodies are never looked at.
    public static func watcher(ofCheckURL url: String) -> String? {
        // ARM paths are ASCII; compare them byte by byte, ignoring case.
        let path = Array(url.utf8.prefix { $0 != UInt8(ascii: "?") })
        let lowered = path.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        let suffix = Array("/connectivitycheck".utf8)
        let marker = Array("/subscriptions/".utf8)
        guard lowered.count > suffix.count, Array(lowered.suffix(suffix.count)) == suffix,
              let start = lowered.indices.first(where: { lowered[$0...].starts(with: marker) }) else { return nil }
        return String(decoding: path[start..<(path.count - suffix.count)], as: UTF8.self)
    }

    /// The destination as an IP address: the one asked for when it is one, else the address of
    /// the hop the path ends at.
    func destinationAddress(in result: ConnectivityResult) -> String? {
        if case .address(let address) = request.destination, Self.isIPAddress(address) { return address }
        let ends = result.hops.filter { $0.nextHopIds.isEmpty }
        return (ends.last ?? result.hops.last)?.address.flatMap { Self.isIPAddress($0) ? $0 : nil }
    }

    static func isIPAddress(_ text: String) -> Bool {
        !text.isEmpty && (text.allSatisfy { $0.isNumber || $0 == "." } || (text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }))
    }
}
