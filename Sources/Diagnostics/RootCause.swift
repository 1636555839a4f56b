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

    public static func == (lhs: FollowUp, rhs: FollowUp) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.body == rhs.body
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(target)
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
/// asked once however many issues need it; a result with no issues asks nothing. Pure: the shell
/// sends the questions and records the answers.
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
    private var analyses: [Analysis] {
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
        return all
    }

    /// An issue's analysis: what it still needs asked, or what it found.
    struct Analysis {
        var issue: String
        var needs: [FollowUp] = []
        var cause: [String] = []
        var fixes: [Explanation.NextStep] = []

        var finding: RootCauseFinding? {
            needs.isEmpty ? RootCauseFinding(issue: issue, cause: cause, fixes: fixes) : nil
        }
    }

    /// The answer to a follow-up: nil and noted as needed when not asked yet; a failure is said
    /// in the cause, once, and the analysis goes on without it.
    private func ask(_ followUp: FollowUp, for analysis: inout Analysis) -> JSONValue? {
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

    /// The flow of the check, when the check is known: source and destination addresses and port.
    private var flow: (local: String, remote: String, port: Int, protocolName: String)? {
        guard let context, let local = (result.hops.first { $0.type.lowercased() == "source" } ?? result.hops.first)?.address,
            let remote = context.destinationAddress(in: result), let port = context.request.destinationPort,
            context.request.effectiveProtocol != "Icmp"
        else { return nil }
        return (local, remote, port, "TCP")
    }

    /// The hop's network interface, the check and its flow; nil, with why in the cause, when the
    /// hop names no interface (`toLookUp`: what cannot be looked up then) or the check is not known.
    private func interfaceAndFlow(
        at hop: ConnectivityResult.Hop, toLookUp: String, into analysis: inout Analysis
    ) -> (String, CheckContext, (local: String, remote: String, port: Int, protocolName: String))? {
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
                "The check's flow has no port (an Icmp check, or no destination port) or no IPv4 destination, so Network Watcher cannot be asked about it; check with a TCP port to see \(toLookUp)."
            )
            return nil
        }
        return (nic, context, flow)
    }

    /// Where to look when the platform reported a problem nwsh cannot pin down.
    static let platformAdvice =
        "The platform reported the problem. Where the path crosses a peering, look at allowVirtualNetworkAccess and allowForwardedTraffic of the peering on both sides; otherwise at Azure Service Health for the region, and check again later."

    private static func name(_ id: String) -> String {
        Narration.providerSegments(id).map { String($0.name) } ?? String(id.split(separator: "/").last ?? Substring(id))
    }

    private static func api(_ path: String) -> String { "\(path)?api-version=\(ARMAPIVersion.network)" }
}

// MARK: Security rules

extension RootCauseInvestigation {
    /// A group and rule that deny the flow, where the group is attached, and the rules looked at
    /// before deciding (nil when only the effective rules could be asked).
    private struct Denial {
        var group: String
        var rule: String
        var appliedTo: String
        var evaluated: [JSONValue]?
    }

    /// The flow of an issue at a hop, as Network Watcher's questions take it and in words.
    private struct RuleFlow {
        var direction: String
        var local: String
        var remote: String
        var port: Int
        var protocolName: String

        var words: String { "\(direction.lowercased()) \(protocolName) from \(local) to \(remote) port \(port)" }
    }

    /// A security rule: `networkConfigurationDiagnostic` on the hop's interface for the check's
    /// flow names each group that denies it, its deciding rule and which fields matched (where it
    /// cannot be asked, the interface's effective groups name the group holding the issue's rule);
    /// each group's GET gives the priorities, for an allow rule placed just before the deciding one.
    private func analyzeSecurityRule(_ issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        guard let (nic, context, checked) = interfaceAndFlow(at: hop, toLookUp: "its security groups", into: &analysis) else { return }
        let flow = RuleFlow(
            direction: issue.origin?.lowercased() == "inbound" ? "Inbound" : "Outbound", local: checked.local, remote: checked.remote,
            port: checked.port, protocolName: checked.protocolName)
        let profile = JSONObject([
            "direction": .string(flow.direction), "protocol": .string(flow.protocolName), "source": .string(flow.local),
            "destination": .string(flow.remote), "destinationPort": .string(String(flow.port)),
        ])
        let diagnostic = FollowUp(
            method: "POST", target: Self.api("\(context.watcher)/networkConfigurationDiagnostic"),
            body: .object(JSONObject(["targetResourceId": .string(nic), "profiles": .array([.object(profile)])])),
            purpose: "which security rule on network interface \(Self.name(nic)) decides \(flow.words)")
        var denials: [Denial] = []
        if case .failed? = answers[diagnostic] {
            _ = ask(diagnostic, for: &analysis)
            guard let found = decidingRule(issue, at: nic, into: &analysis) else { return }
            denials = [found]
        } else {
            guard let answer = ask(diagnostic, for: &analysis) else { return }
            let groups =
                answer["results"]?.arrayValue?.first?["networkSecurityGroupResult"]?["evaluatedNetworkSecurityGroups"]?.arrayValue ?? []
            // Both the subnet's group and the interface's must allow: each that denies is named.
            denials = groups.compactMap { group in
                guard group["matchedRule"]?["action"]?.stringValue?.lowercased() == "deny",
                    let id = group["networkSecurityGroupId"]?.stringValue, let rule = group["matchedRule"]?["ruleName"]?.stringValue
                else { return nil }
                return Denial(
                    group: id, rule: rule, appliedTo: group["appliedTo"]?.stringValue ?? "",
                    evaluated: group["rulesEvaluationResult"]?.arrayValue ?? [])
            }
            if denials.isEmpty {
                analysis.cause.append(
                    "The diagnostic of \(flow.words) on network interface \(Self.name(nic)) finds no security group that denies it now: the rules may have changed since the check; check again."
                )
                return
            }
        }
        for denial in denials { explain(denial, flow: flow, into: &analysis) }
    }

    /// One group's denial: the deciding rule with its fields, the rules before it that did not
    /// match, and the fixes. Without the group's GET, the group and rule are still named.
    private func explain(_ denial: Denial, flow: RuleFlow, into analysis: inout Analysis) {
        let isDefault = denial.rule.hasPrefix("DefaultRule_")
        // `UserRule_NAME` or `DefaultRule_NAME` (a name Azure gave without the prefix is kept whole).
        let shortName =
            denial.rule.hasPrefix("UserRule_") || isDefault ? String(denial.rule.drop { $0 != "_" }.dropFirst()) : denial.rule
        let group = FollowUp(
            method: "GET", target: Self.api(denial.group), purpose: "the rules of security group \(Self.name(denial.group))")
        let groupJSON = ask(group, for: &analysis)
        if case nil = answers[group] { return }
        let rules =
            (groupJSON?["properties"]?["securityRules"]?.arrayValue ?? []).map { ($0, false) }
            + (groupJSON?["properties"]?["defaultSecurityRules"]?.arrayValue ?? []).map { ($0, true) }
        func rule(_ effectiveName: String) -> JSONValue? {
            let isDefault = effectiveName.hasPrefix("DefaultRule_")
            let name =
                effectiveName.hasPrefix("UserRule_") || isDefault ? String(effectiveName.drop { $0 != "_" }.dropFirst()) : effectiveName
            return rules.first { $0.1 == isDefault && $0.0["name"]?.stringValue?.lowercased() == name.lowercased() }?.0
        }
        let attachment =
            denial.appliedTo.lowercased().contains("/subnets/")
            ? "on subnet \(denial.appliedTo.split(separator: "/").last.map(String.init) ?? "?") of virtual network \(Self.name(denial.appliedTo))"
            : "on network interface \(Self.name(denial.appliedTo))"
        let deciding = rule(denial.rule)
        let matched =
            denial.evaluated == nil
            ? "which of its fields match this flow is known only from the diagnostic"
            : "its protocol, source, source port, destination and destination port all match this flow"
        analysis.cause.append(
            "Security group \(Self.name(denial.group)), \(attachment), denies \(flow.words) with its \(isDefault ? "default rule" : "rule") \(Self.describe(deciding, shortName)): \(matched)."
        )
        // The rules looked at before the deciding one, and the fields that kept each from matching.
        let fields = [
            ("protocolMatched", "protocol"), ("sourceMatched", "source"), ("sourcePortMatched", "source port"),
            ("destinationMatched", "destination"), ("destinationPortMatched", "destination port"),
        ]
        var missed: [String] = []
        for entry in denial.evaluated ?? [] {
            guard let name = entry["name"]?.stringValue, name != denial.rule else { break }
            let unmatched = fields.filter { entry[$0.0] == JSONValue.bool(false) }.map(\.1)
            guard !unmatched.isEmpty else { continue }
            let words = name.hasPrefix("UserRule_") || name.hasPrefix("DefaultRule_") ? String(name.drop { $0 != "_" }.dropFirst()) : name
            missed.append("\(Self.describe(rule(name), words)): \(unmatched.joined(separator: ", "))")
        }
        if !missed.isEmpty {
            analysis.cause.append(
                "Rules before it that did not match this flow, and what did not match: \(missed.joined(separator: "; ")).")
        }
        // An allow rule at the nearest free priority before the deciding one, for this flow only:
        // only when the deciding rule's priority is known.
        if let decidingPriority = deciding?["properties"]?["priority"]?.numberValue?.intValue {
            let used = Set(
                rules.filter { !$0.1 && $0.0["properties"]?["direction"]?.stringValue?.lowercased() == flow.direction.lowercased() }
                    .compactMap { $0.0["properties"]?["priority"]?.numberValue?.intValue })
            // User rules take priorities 100 to 4096.
            if let free = stride(from: min(decidingPriority, 4097) - 1, through: 100, by: -1).first(where: { !used.contains($0) }) {
                let name = "Allow-\(flow.protocolName)-\(flow.port)-\(flow.direction)-nwsh"
                let body = JSONObject([
                    "properties": .object(
                        JSONObject([
                            "priority": .number(JSONNumber(free)), "direction": .string(flow.direction), "access": .string("Allow"),
                            "protocol": .string("Tcp"), "sourceAddressPrefix": .string(flow.local), "sourcePortRange": .string("*"),
                            "destinationAddressPrefix": .string(flow.remote), "destinationPortRange": .string(String(flow.port)),
                        ]))
                ])
                analysis.fixes.append(
                    Explanation.NextStep(
                        why: "allow only this flow, at priority \(free), before \(shortName)",
                        command: "put \(Self.api("\(denial.group)/securityRules/\(name)")) \(Explanation.singleQuoted(.object(body)))"))
            } else if decidingPriority <= 100 {
                analysis.cause.append("No rule can come before \(shortName): its priority, 100, is the first Azure allows.")
            } else {
                analysis.cause.append(
                    "No priority is free before \(shortName): \(flow.direction.lowercased()) rules take every one from 100 to \(decidingPriority - 1)."
                )
            }
        }
        if !isDefault, !shortName.isEmpty {
            analysis.fixes.append(
                Explanation.NextStep(
                    why: "\(analysis.fixes.isEmpty ? "remove" : "or remove") the rule \(shortName), if nothing else needs it",
                    command: "delete \(Self.api("\(denial.group)/securityRules/\(shortName)"))"))
        }
    }

    /// A rule in words: `NAME (priority P, DIRECTION, ACCESS: PROTOCOL from SOURCE to DESTINATION
    /// port PORTS)`, application security groups named where the rule uses them.
    private static func describe(_ json: JSONValue?, _ name: String) -> String {
        let properties = json?["properties"]
        func entries(_ single: String, _ plural: String, _ groups: String) -> String {
            let named = (properties?[groups]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue.map(Self.name) }
            if !named.isEmpty { return "application security group " + named.joined(separator: ",") }
            let many = (properties?[plural]?.arrayValue ?? []).compactMap(\.stringValue)
            return many.isEmpty ? (properties?[single]?.stringValue ?? "*") : many.joined(separator: ",")
        }
        var details = [
            properties?["priority"]?.numberValue.map { "priority \($0.intValue ?? 0)" },
            properties?["direction"]?.stringValue, properties?["access"]?.stringValue,
        ].compactMap { $0 }.joined(separator: ", ")
        if let protocolName = properties?["protocol"]?.stringValue {
            let source = entries("sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups")
            let destination = entries("destinationAddressPrefix", "destinationAddressPrefixes", "destinationApplicationSecurityGroups")
            let ports = entries("destinationPortRange", "destinationPortRanges", "")
            details += ": \(protocolName) from \(source) to \(destination) port \(ports)"
        }
        return details.isEmpty ? name : "\(name) (\(details))"
    }
}

extension RootCauseInvestigation {
    /// Where the diagnostic could not be asked: the group holding the rule the issue names, from the
    /// interface's effective security groups (which name rules `securityRules/NAME` and
    /// `defaultSecurityRules/NAME`). Nil, with why in the cause, when it is not found or when more
    /// than one group has it (every group has the default rules).
    private func decidingRule(_ issue: ConnectivityResult.Issue, at nic: String, into analysis: inout Analysis) -> Denial? {
        guard let ruleName = issue.context("RuleName") else {
            analysis.cause.append("The issue does not name its rule, so it cannot be found among the effective rules.")
            return nil
        }
        let bare =
            ruleName.hasPrefix("UserRule_") || ruleName.hasPrefix("DefaultRule_")
            ? String(ruleName.drop { $0 != "_" }.dropFirst()) : ruleName
        let qualified = (ruleName.hasPrefix("DefaultRule_") ? "defaultSecurityRules/" : "securityRules/") + bare
        let asked = FollowUp(
            method: "POST", target: Self.api("\(nic)/effectiveNetworkSecurityGroups"),
            purpose: "the security rules in effect on network interface \(Self.name(nic))")
        guard let effective = ask(asked, for: &analysis) else { return nil }
        let holding: [Denial] = (effective["value"]?.arrayValue ?? []).compactMap { group in
            let rules = group["effectiveSecurityRules"]?.arrayValue ?? []
            guard rules.contains(where: { $0["name"]?.stringValue?.lowercased() == qualified.lowercased() }),
                let id = group["networkSecurityGroup"]?["id"]?.stringValue
            else { return nil }
            let association = group["association"]
            let appliedTo = association?["subnet"]?["id"]?.stringValue ?? association?["networkInterface"]?["id"]?.stringValue ?? nic
            return Denial(group: id, rule: ruleName, appliedTo: appliedTo, evaluated: nil)
        }
        guard holding.count == 1, let found = holding.first else {
            analysis.cause.append(
                holding.isEmpty
                    ? "No security group in effect on network interface \(Self.name(nic)) has the rule \(ruleName) now; check again."
                    : "Security groups \(holding.map { Self.name($0.group) }.joined(separator: " and ")) both have the rule \(bare); which of them denies this flow is known only from the diagnostic."
            )
            return nil
        }
        return found
    }
}

// MARK: Routes

extension RootCauseInvestigation {
    /// A route: the hop's `effectiveRouteTable` says which route applies to the destination and
    /// which system route it overrides. The route table is named by `nextHop` from the check's
    /// source, or else found from the interface's subnet.
    private func analyzeRoute(_ issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        guard let (nic, context, flow) = interfaceAndFlow(at: hop, toLookUp: "its routes", into: &analysis) else { return }
        let routes = FollowUp(
            method: "POST", target: Self.api("\(nic)/effectiveRouteTable"),
            purpose: "the routes in effect on network interface \(Self.name(nic))")
        var routeTable: String?
        if hop.type.lowercased() == "source", let vm = context.request.source {
            let nextHop = FollowUp(
                method: "POST", target: Self.api("\(context.watcher)/nextHop"),
                body: .object(
                    JSONObject([
                        "targetResourceId": .string(vm), "sourceIPAddress": .string(flow.local),
                        "destinationIPAddress": .string(flow.remote),
                    ])), purpose: "where \(Self.name(vm)) sends packets for \(flow.remote)")
            let answer = ask(nextHop, for: &analysis)
            routeTable = answer?["routeTableId"]?.stringValue.flatMap { $0.hasPrefix("/") ? $0 : nil }
        }
        guard let table = ask(routes, for: &analysis)?["value"]?.arrayValue, analysis.needs.isEmpty else { return }
        guard let destination = IPv4Text(flow.remote) else {
            analysis.cause.append("The destination \(flow.remote) is not an IPv4 address; its route cannot be picked.")
            return
        }
        let candidates = table.flatMap(EffectiveRoute.entries).filter { $0.contains(destination) }
        guard let active = candidates.filter(\.isActive).max(by: { $0.length < $1.length }) else {
            analysis.cause.append(
                "No route in effect on network interface \(Self.name(nic)) covers \(flow.remote): the traffic is dropped.")
            return
        }
        let traffic = "traffic from network interface \(Self.name(nic)) to \(flow.remote)"
        let what: String
        switch active.nextHopType.lowercased() {
        case "none": what = "drops \(traffic)"
        case "virtualappliance": what = "sends \(traffic) to the appliance at \(active.nextHopAddress ?? "(no address)")"
        default: what = "sends \(traffic) to \(active.nextHopType)" + (active.nextHopAddress.map { " at \($0)" } ?? "")
        }
        let hopWords = "next hop \(active.nextHopType)" + (active.nextHopAddress.map { " \($0)" } ?? "")
        guard active.source.lowercased() == "user" else {
            analysis.cause.append(
                "No user route applies: the \(active.origin) route for \(active.prefix) (\(hopWords)) \(what). A route table on the subnet with a route for \(flow.remote) would change that."
            )
            return
        }
        // The route table: from nextHop, else from the interface's subnet.
        if routeTable == nil {
            let interface = ask(
                FollowUp(method: "GET", target: Self.api(nic), purpose: "network interface \(Self.name(nic))"), for: &analysis)
            if let subnet = interface?["properties"]?["ipConfigurations"]?.arrayValue?.first?["properties"]?["subnet"]?["id"]?.stringValue {
                let answer = ask(
                    FollowUp(method: "GET", target: Self.api(subnet), purpose: "subnet \(subnet.split(separator: "/").last ?? "")"),
                    for: &analysis)
                routeTable = answer?["properties"]?["routeTable"]?["id"]?.stringValue
            }
            guard analysis.needs.isEmpty else { return }
        }
        let place = routeTable.map { "route table \(Self.name($0))" } ?? "the subnet's route table"
        let name = active.name ?? "(its name is not in the effective routes)"
        analysis.cause.append("Route \(name) of \(place) (\(active.prefix), \(hopWords)) \(what).")
        let replaced = candidates.filter { !$0.isActive && $0.source.lowercased() != "user" && $0.prefix == active.prefix }
        if let system = replaced.first {
            analysis.cause.append("It makes the \(system.origin) route for \(system.prefix) (next hop \(system.nextHopType)) Invalid.")
        }
        // Without it: the longest prefix among the other routes in effect, and the ones it replaced.
        let others = candidates.filter { route in
            route != active && (route.isActive || (route.prefix == active.prefix && route.source.lowercased() != "user"))
        }
        let fallback = others.max { $0.length < $1.length }
        if let fallback {
            let kind = fallback.source.lowercased() == "user" ? "user route \(fallback.name ?? "")" : "\(fallback.origin) route"
            analysis.cause.append(
                "Without it, the \(kind) for \(fallback.prefix) would apply: next hop \(fallback.nextHopType)"
                    + (fallback.nextHopAddress.map { " \($0)" } ?? "")
                    + (fallback.nextHopType.lowercased() == "none" ? ", which drops the traffic too." : "."))
        } else {
            analysis.cause.append("Without it, no route covers \(flow.remote): the traffic would be dropped.")
        }
        guard let routeTable, let routeName = active.name else { return }
        analysis.fixes.append(
            Explanation.NextStep(
                why: "remove the route \(routeName), if nothing else needs it",
                command: "delete \(Self.api("\(routeTable)/routes/\(routeName)"))"))
        // Keeping the route and sending the traffic where a system route would: only where that is
        // not another user route (removing this one already gives that).
        if let fallback, fallback.source.lowercased() != "user",
            ["vnetlocal", "internet", "virtualnetworkgateway"].contains(fallback.nextHopType.lowercased())
        {
            let body = JSONObject([
                "properties": .object(JSONObject(["addressPrefix": .string(active.prefix), "nextHopType": .string(fallback.nextHopType)]))
            ])
            analysis.fixes.append(
                Explanation.NextStep(
                    why: "or keep the route and send the traffic where the system would (\(fallback.nextHopType))",
                    command: "put \(Self.api("\(routeTable)/routes/\(routeName)")) \(Explanation.singleQuoted(.object(body)))"))
        }
    }

    /// A route as `effectiveRouteTable` lists it: one entry per address prefix (an entry can hold
    /// several, as a virtual network with several address spaces or a BGP route does).
    private struct EffectiveRoute: Equatable {
        var name: String?
        var source: String
        var isActive: Bool
        var prefix: String
        var network: UInt32
        var length: Int
        var nextHopType: String
        var nextHopAddress: String?

        static func entries(_ json: JSONValue) -> [EffectiveRoute] {
            let prefixes =
                json["addressPrefix"]?.arrayValue?.compactMap(\.stringValue) ?? json["addressPrefix"]?.stringValue.map { [$0] } ?? []
            return prefixes.compactMap { EffectiveRoute(json, prefix: $0) }
        }

        init?(_ json: JSONValue, prefix: String) {
            guard let slash = prefix.firstIndex(of: "/"), let address = IPv4Text(String(prefix[..<slash])),
                let length = Int(prefix[prefix.index(after: slash)...]), (0...32).contains(length)
            else { return nil }
            self.prefix = prefix
            self.length = length
            network = length == 0 ? 0 : address.value & ~UInt32(0) << (32 - length)
            name = json["name"]?.stringValue
            source = json["source"]?.stringValue ?? "Default"
            isActive = json["state"]?.stringValue?.lowercased() != "invalid"
            nextHopType = json["nextHopType"]?.stringValue ?? "None"
            nextHopAddress = json["nextHopIpAddress"]?.arrayValue?.first?.stringValue ?? json["nextHopIpAddress"]?.stringValue
        }

        func contains(_ address: IPv4Text) -> Bool {
            length == 0 || address.value & ~UInt32(0) << (32 - length) == network
        }

        /// Where the route comes from, in words: `Default` is a system route, `VirtualNetworkGateway`
        /// one a gateway learned (BGP).
        var origin: String {
            switch source.lowercased() {
            case "default": "system"
            case "user": "user"
            case "virtualnetworkgateway": "gateway (BGP)"
            default: source
            }
        }
    }

    /// A dotted IPv4 address as a number.
    private struct IPv4Text {
        var value: UInt32

        init?(_ text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var value: UInt32 = 0
            for part in parts {
                guard let byte = UInt8(part) else { return nil }
                value = value << 8 | UInt32(byte)
            }
            self.value = value
        }
    }
}

// MARK: The agent and name resolution

extension RootCauseInvestigation {
    /// The VM a hop stands for: the one its resource ID names, else, at the source, the check's.
    private func virtualMachine(at hop: ConnectivityResult.Hop) -> String? {
        Explanation.virtualMachine(hop.resourceId) ?? (hop.type.lowercased() == "source" ? context?.request.source : nil)
    }

    private static func compute(_ path: String) -> String { "\(path)?api-version=\(ARMAPIVersion.compute)" }

    /// A stopped agent: the check runs in the source VM's Network Watcher agent extension
    /// (https://learn.microsoft.com/azure/network-watcher/connection-troubleshoot-overview), so the
    /// VM must be running and the extension provisioned. The VM's GET gives its OS and region, the
    /// list of its extensions (a VM's GET leaves them out when it has none) whether the agent is
    /// there, and its instance view the power state.
    private func analyzeAgent(at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        guard let vm = virtualMachine(at: hop) else {
            analysis.cause.append("The hop names no virtual machine, so its agent cannot be looked up.")
            return
        }
        let name = Self.name(vm)
        let machine = ask(FollowUp(method: "GET", target: Self.compute(vm), purpose: "virtual machine \(name)"), for: &analysis)
        let extensions = ask(
            FollowUp(method: "GET", target: Self.compute("\(vm)/extensions"), purpose: "the extensions of virtual machine \(name)"),
            for: &analysis)
        let view = ask(
            FollowUp(method: "GET", target: Self.compute("\(vm)/instanceView"), purpose: "the power state of virtual machine \(name)"),
            for: &analysis)
        guard analysis.needs.isEmpty else { return }
        let power = (view?["statuses"]?.arrayValue ?? []).first { $0["code"]?.stringValue?.lowercased().hasPrefix("powerstate/") == true }
        let running = power.map { $0["code"]?.stringValue?.lowercased() == "powerstate/running" } ?? true
        if let power, !running {
            analysis.cause.append(
                "Virtual machine \(name) is not running (\(power["code"]?.stringValue ?? "")): the agent runs inside it, so a check from it can run only while it runs."
            )
            analysis.fixes.append(Explanation.NextStep(why: "start \(name)", command: "post \(Self.compute("\(vm)/start"))"))
        }
        let agent = (extensions?["value"]?.arrayValue ?? []).first {
            $0["properties"]?["type"]?.stringValue?.lowercased().hasPrefix("networkwatcheragent") == true
        }
        if let agent {
            let state = agent["properties"]?["provisioningState"]?.stringValue ?? "not given"
            let agentName = agent["name"]?.stringValue ?? "(unnamed)"
            if state.lowercased() == "succeeded" {
                guard running else { return }
                analysis.cause.append(
                    "Virtual machine \(name) runs and its agent extension \(agentName) is provisioned: the agent may have stopped inside the VM. Restart the VM, or remove the extension and install it again."
                )
                analysis.fixes.append(
                    Explanation.NextStep(
                        why: "remove the extension \(agentName), then install it with the command below",
                        command: "delete \(Self.compute("\(vm)/extensions/\(agentName)"))"))
            } else {
                analysis.cause.append(
                    "The Network Watcher agent extension \(agentName) of virtual machine \(name) is \(state), not Succeeded.")
            }
        } else if extensions != nil {
            analysis.cause.append("Virtual machine \(name) has no Network Watcher agent extension.")
        } else {
            analysis.cause.append(
                "Whether virtual machine \(name) has the Network Watcher agent is not known without its extensions.")
        }
        guard let machine else { return }
        // The extension as Microsoft documents it
        // (https://learn.microsoft.com/azure/network-watcher/network-watcher-agent-linux).
        let osType = machine["properties"]?["storageProfile"]?["osDisk"]?["osType"]?.stringValue
        for os in osType.map({ [$0] }) ?? ["Linux", "Windows"] where ["linux", "windows"].contains(os.lowercased()) {
            let type = os.lowercased() == "windows" ? "NetworkWatcherAgentWindows" : "NetworkWatcherAgentLinux"
            var body = JSONObject()
            if let location = machine["location"] { body["location"] = location }
            body["properties"] = .object(
                JSONObject([
                    "publisher": .string("Microsoft.Azure.NetworkWatcher"), "type": .string(type), "typeHandlerVersion": .string("1.4"),
                    "autoUpgradeMinorVersion": .bool(true),
                ]))
            let extensionName = agent?["name"]?.stringValue ?? "AzureNetworkWatcherExtension"
            analysis.fixes.append(
                Explanation.NextStep(
                    why: "install the agent (\(type))" + (osType == nil ? ", if \(name) runs \(os)" : ""),
                    command: "put \(Self.compute("\(vm)/extensions/\(extensionName)")) \(Explanation.singleQuoted(.object(body)))"))
        }
    }

    /// Name resolution: the resolver the VM uses is the DNS servers set on its network interface,
    /// else those of its virtual network, else Azure-provided DNS at 168.63.129.16
    /// (https://learn.microsoft.com/azure/virtual-network/virtual-networks-name-resolution-for-vms-and-role-instances).
    private func analyzeNameResolution(at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        var nic = Explanation.networkInterface(hop.resourceId)
        if nic == nil, let vm = virtualMachine(at: hop) {
            let machine = ask(
                FollowUp(method: "GET", target: Self.compute(vm), purpose: "virtual machine \(Self.name(vm))"), for: &analysis)
            let references = machine?["properties"]?["networkProfile"]?["networkInterfaces"]?.arrayValue ?? []
            let primary = references.first { $0["properties"]?["primary"] == .bool(true) } ?? references.first
            nic = primary?["id"]?.stringValue
        }
        guard analysis.needs.isEmpty else { return }
        guard let nic else {
            analysis.cause.append("The hop names no network interface, so the DNS servers it uses cannot be looked up.")
            return
        }
        var host = "the destination"
        if case .address(let address)? = context?.request.destination { host = address }
        let resolveAdvice = "Such servers must answer for the name, or forward what they do not know to a resolver that does."
        let interfaceAsked = FollowUp(method: "GET", target: Self.api(nic), purpose: "network interface \(Self.name(nic))")
        guard let interface = ask(interfaceAsked, for: &analysis) else { return }
        let own = (interface["properties"]?["dnsSettings"]?["dnsServers"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !own.isEmpty {
            analysis.cause.append(
                "Network interface \(Self.name(nic)) sets its own DNS servers, \(own.joined(separator: ", ")); they did not resolve \(host). \(resolveAdvice)"
            )
            return
        }
        let subnet = interface["properties"]?["ipConfigurations"]?.arrayValue?.first?["properties"]?["subnet"]?["id"]?.stringValue
        let segments = subnet?.split(separator: "/") ?? []
        guard let marker = segments.lastIndex(where: { $0.lowercased() == "subnets" }), marker > 0 else {
            analysis.cause.append(
                "Network interface \(Self.name(nic)) names no subnet, so its virtual network's DNS servers cannot be looked up.")
            return
        }
        let vnet = "/" + segments[..<marker].joined(separator: "/")
        let networkAsked = FollowUp(method: "GET", target: Self.api(vnet), purpose: "virtual network \(Self.name(vnet))")
        guard let network = ask(networkAsked, for: &analysis) else { return }
        let servers = (network["properties"]?["dhcpOptions"]?["dnsServers"]?.arrayValue ?? []).compactMap(\.stringValue)
        if servers.isEmpty {
            analysis.cause.append(
                "Neither network interface \(Self.name(nic)) nor virtual network \(Self.name(vnet)) sets DNS servers, so the VM uses Azure-provided DNS (168.63.129.16), which did not resolve \(host): a public name must be in public DNS, and a private one in a private DNS zone linked to \(Self.name(vnet)) (nwsh does not look at private DNS zones)."
            )
        } else {
            analysis.cause.append(
                "Virtual network \(Self.name(vnet)) sets DNS servers \(servers.joined(separator: ", ")), which network interface \(Self.name(nic)) uses; they did not resolve \(host). \(resolveAdvice)"
            )
        }
    }
}

// MARK: Issues ARM cannot see into

extension RootCauseInvestigation {
    /// An appliance that drops what it should forward: its interface passes on traffic not
    /// addressed to it only with IP forwarding on
    /// (https://learn.microsoft.com/azure/virtual-network/virtual-network-network-interface#enable-or-disable-ip-forwarding).
    /// The fix is the interface's own body with forwarding on (a network interface takes a PUT of
    /// the whole resource).
    private func analyzeForwarding(at nic: String, into analysis: inout Analysis) {
        let asked = FollowUp(method: "GET", target: Self.api(nic), purpose: "network interface \(Self.name(nic))")
        guard let interface = ask(asked, for: &analysis) else { return }
        guard interface["properties"]?["enableIPForwarding"] != .bool(true) else {
            analysis.cause.append(
                "Network interface \(Self.name(nic)) of the appliance has IP forwarding on, so Azure passes traffic on to it; the operating system inside the appliance must forward too (Linux: net.ipv4.ip_forward; Windows: routing). \(Self.platformAdvice)"
            )
            return
        }
        analysis.cause.append(
            "Network interface \(Self.name(nic)) of the appliance has IP forwarding off, so Azure drops traffic that reaches it for another address instead of passing it on."
        )
        guard case .object(var body) = interface, case .object(var properties)? = interface["properties"] else { return }
        properties["enableIPForwarding"] = .bool(true)
        body["properties"] = .object(properties)
        analysis.fixes.append(
            Explanation.NextStep(
                why: "turn IP forwarding on (the interface as it is, with enableIPForwarding true)",
                command: "put \(Self.api(nic)) \(Explanation.singleQuoted(.object(body)))"))
    }
}

extension RootCauseInvestigation {
    /// The `runCommand` request that lists a guest's listeners and firewall rules, for its OS
    /// (https://learn.microsoft.com/rest/api/compute/virtual-machines/run-command): printed, since
    /// it runs inside the VM. The VM is the hop's, found through its interface when the hop names one.
    private func listGuest(at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        var vm = virtualMachine(at: hop)
        if vm == nil, let nic = Explanation.networkInterface(hop.resourceId) {
            let interface = ask(
                FollowUp(method: "GET", target: Self.api(nic), purpose: "network interface \(Self.name(nic))"), for: &analysis)
            vm = interface?["properties"]?["virtualMachine"]?["id"]?.stringValue
        }
        guard analysis.needs.isEmpty, let vm else { return }
        let machine = ask(FollowUp(method: "GET", target: Self.compute(vm), purpose: "virtual machine \(Self.name(vm))"), for: &analysis)
        guard analysis.needs.isEmpty else { return }
        let osType = machine?["properties"]?["storageProfile"]?["osDisk"]?["osType"]?.stringValue
        let commands = [
            ("Linux", "RunShellScript", ["ss -ltnp", "iptables -S"]),
            ("Windows", "RunPowerShellScript", ["Get-NetTCPConnection -State Listen", "Get-NetFirewallRule -Enabled True"]),
        ]
        for (os, commandID, script) in commands where osType == nil || osType?.lowercased() == os.lowercased() {
            let body = JSONObject(["commandId": .string(commandID), "script": .array(script.map(JSONValue.string))])
            analysis.fixes.append(
                Explanation.NextStep(
                    why: "list the listening ports and firewall rules inside \(Self.name(vm))" + (osType == nil ? ", if it runs \(os)" : "")
                        + " (runs a command in the guest)",
                    command: "post \(Self.compute("\(vm)/runCommand")) \(Explanation.singleQuoted(.object(body)))"))
        }
    }
}

extension RootCauseInvestigation {
    /// Issue types without follow-ups yet: what they mean and where to look, without inventing
    /// certainty.
    private func analyzeInWords(_ issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        switch issue.type.lowercased() {
        case "guestfirewall", "socketbind":
            analysis.cause.append(
                "ARM cannot see inside the VM's operating system: its firewall and which programs listen on which ports are known only there. Run, in the guest, 'sudo ss -ltnp' and 'sudo iptables -S' (Linux) or 'Get-NetTCPConnection -State Listen' and 'Get-NetFirewallRule -Enabled True' (Windows)."
            )
            listGuest(at: hop, into: &analysis)
        case "portthrottled":
            analysis.cause.append(
                "Too many connections use the port: most often the VM has used up its SNAT ports for outbound connections. Look at the outbound rules of its load balancer or NAT gateway, and at connections the application does not reuse."
            )
        case "platform":
            if hop.type.lowercased() == "virtualappliance", let nic = Explanation.networkInterface(hop.resourceId) {
                analyzeForwarding(at: nic, into: &analysis)
            } else {
                analysis.cause.append(Self.platformAdvice)
            }
        case "cpu", "memory":
            // "High CPU utilization", "High memory utilization" (the fault types of
            // https://learn.microsoft.com/azure/network-watcher/connection-troubleshoot-overview#fault-types).
            let resource = issue.type.lowercased() == "cpu" ? "CPU" : "memory"
            analysis.cause.append(
                "The VM's \(resource) is highly used, which slows or drops connections; ARM does not say by what. Look at the VM's \(resource) metrics in Azure Monitor and at the processes using it in the guest."
            )
        case "unknown":
            analysis.cause.append(
                "Network Watcher could not classify the problem: check again, and if it stays, compare with a check from another VM in the same subnet."
            )
        default:
            analysis.cause.append(
                "nwsh does not investigate \(issue.type) issues further; 'explain' without --deep lists the resources to look at.")
        }
    }
}
