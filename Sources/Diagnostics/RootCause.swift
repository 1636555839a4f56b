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
        guard let context, let flow else {
            analysis.cause.append(
                "Without the check that produced this result (run it with 'check', or post the connectivityCheck in this session), the flow to look up is not known."
            )
            return nil
        }
        return (nic, context, flow)
    }

    private static func name(_ id: String) -> String {
        Narration.providerSegments(id).map { String($0.name) } ?? String(id.split(separator: "/").last ?? Substring(id))
    }

    private static func api(_ path: String) -> String { "\(path)?api-version=\(ARMAPIVersion.network)" }
}

// MARK: Security rules

extension RootCauseInvestigation {
    /// A security rule: `networkConfigurationDiagnostic` on the hop's interface for the check's
    /// flow names the group and rule that decide and which fields matched; the group's GET gives
    /// the priorities, for an allow rule placed just before the deciding one.
    private func analyzeSecurityRule(_ issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        guard let (nic, context, flow) = interfaceAndFlow(at: hop, toLookUp: "its security groups", into: &analysis) else { return }
        let direction = issue.origin?.lowercased() == "inbound" ? "Inbound" : "Outbound"
        let profile = JSONObject([
            "direction": .string(direction), "protocol": .string(flow.protocolName), "source": .string(flow.local),
            "destination": .string(flow.remote), "destinationPort": .string(String(flow.port)),
        ])
        let flowWords = "\(direction.lowercased()) \(flow.protocolName) from \(flow.local) to \(flow.remote) port \(flow.port)"
        let diagnostic = FollowUp(
            method: "POST", target: Self.api("\(context.watcher)/networkConfigurationDiagnostic"),
            body: .object(JSONObject(["targetResourceId": .string(nic), "profiles": .array([.object(profile)])])),
            purpose: "which security rule on network interface \(Self.name(nic)) decides \(flowWords)")
        // The group and rule that decide, where the group is attached, and the rules looked at
        // (nil when only the effective rules could be asked).
        let groupID: String
        let ruleName: String
        let appliedTo: String
        let evaluated: [JSONValue]?
        if case .failed? = answers[diagnostic] {
            _ = ask(diagnostic, for: &analysis)
            guard let found = decidingRule(issue, at: nic, into: &analysis) else { return }
            (groupID, ruleName, appliedTo, evaluated) = (found.group, found.rule, found.appliedTo, nil)
        } else {
            guard let answer = ask(diagnostic, for: &analysis) else { return }
            let groups =
                answer["results"]?.arrayValue?.first?["networkSecurityGroupResult"]?["evaluatedNetworkSecurityGroups"]?.arrayValue ?? []
            guard let denying = groups.first(where: { $0["matchedRule"]?["action"]?.stringValue?.lowercased() == "deny" }),
                let group = denying["networkSecurityGroupId"]?.stringValue, let rule = denying["matchedRule"]?["ruleName"]?.stringValue
            else {
                analysis.cause.append(
                    "The diagnostic of \(flowWords) on network interface \(Self.name(nic)) finds no security group that denies it now: the rules may have changed since the check; check again."
                )
                return
            }
            (groupID, ruleName, appliedTo) = (group, rule, denying["appliedTo"]?.stringValue ?? "")
            evaluated = denying["rulesEvaluationResult"]?.arrayValue ?? []
        }
        let isDefault = ruleName.hasPrefix("DefaultRule_")
        let shortName = String(ruleName.drop { $0 != "_" }.dropFirst())
        let group = FollowUp(method: "GET", target: Self.api(groupID), purpose: "the rules of security group \(Self.name(groupID))")
        guard let groupJSON = ask(group, for: &analysis) else { return }
        let rules =
            (groupJSON["properties"]?["securityRules"]?.arrayValue ?? []).map { ($0, false) }
            + (groupJSON["properties"]?["defaultSecurityRules"]?.arrayValue ?? []).map { ($0, true) }
        func rule(_ effectiveName: String) -> JSONValue? {
            let isDefault = effectiveName.hasPrefix("DefaultRule_")
            let name = String(effectiveName.drop { $0 != "_" }.dropFirst())
            return rules.first { $0.1 == isDefault && $0.0["name"]?.stringValue?.lowercased() == name.lowercased() }?.0
        }
        func describe(_ json: JSONValue?, _ name: String) -> String {
            let properties = json?["properties"]
            func entries(_ single: String, _ plural: String) -> String {
                let many = (properties?[plural]?.arrayValue ?? []).compactMap(\.stringValue)
                return many.isEmpty ? (properties?[single]?.stringValue ?? "*") : many.joined(separator: ",")
            }
            var details = [
                properties?["priority"]?.numberValue.map { "priority \($0.intValue ?? 0)" },
                properties?["direction"]?.stringValue, properties?["access"]?.stringValue,
            ].compactMap { $0 }.joined(separator: ", ")
            if let protocolName = properties?["protocol"]?.stringValue {
                details +=
                    ": \(protocolName) from \(entries("sourceAddressPrefix", "sourceAddressPrefixes")) to \(entries("destinationAddressPrefix", "destinationAddressPrefixes")) port \(entries("destinationPortRange", "destinationPortRanges"))"
            }
            return details.isEmpty ? name : "\(name) (\(details))"
        }
        let attachment =
            appliedTo.lowercased().contains("/subnets/")
            ? "on subnet \(appliedTo.split(separator: "/").last.map(String.init) ?? "?") of virtual network \(Self.name(appliedTo))"
            : "on network interface \(Self.name(appliedTo))"
        let deciding = rule(ruleName)
        let matched =
            evaluated == nil
            ? "which of its fields match this flow is known only from the diagnostic"
            : "its protocol, source, source port, destination and destination port all match this flow"
        analysis.cause.append(
            "Security group \(Self.name(groupID)), \(attachment), denies \(flowWords) with its \(isDefault ? "default rule" : "rule") \(describe(deciding, shortName)): \(matched)."
        )
        let fields = [
            ("protocolMatched", "protocol"), ("sourceMatched", "source"), ("sourcePortMatched", "source port"),
            ("destinationMatched", "destination"), ("destinationPortMatched", "destination port"),
        ]
        var missed: [String] = []
        for entry in evaluated ?? [] {
            guard let name = entry["name"]?.stringValue, name != ruleName else { break }
            let unmatched = fields.filter { entry[$0.0] == JSONValue.bool(false) }.map(\.1)
            guard !unmatched.isEmpty else { continue }
            let words = String(name.drop { $0 != "_" }.dropFirst())
            missed.append("\(describe(rule(name), words)): \(unmatched.joined(separator: ", "))")
        }
        if !missed.isEmpty {
            analysis.cause.append(
                "Rules before it that did not match this flow, and what did not match: \(missed.joined(separator: "; ")).")
        }
        // An allow rule at the nearest free priority before the deciding one, for this flow only.
        let used = Set(
            rules.filter { !$0.1 && $0.0["properties"]?["direction"]?.stringValue?.lowercased() == direction.lowercased() }
                .compactMap { $0.0["properties"]?["priority"]?.numberValue?.intValue })
        let decidingPriority = deciding?["properties"]?["priority"]?.numberValue?.intValue ?? 4097
        if let free = stride(from: min(decidingPriority, 4097) - 1, through: 100, by: -1).first(where: { !used.contains($0) }) {
            let name = "Allow-\(flow.protocolName)-\(flow.port)-\(direction)-nwsh"
            let body = JSONObject([
                "properties": .object(
                    JSONObject([
                        "priority": .number(JSONNumber(free)), "direction": .string(direction), "access": .string("Allow"),
                        "protocol": .string("Tcp"), "sourceAddressPrefix": .string(flow.local), "sourcePortRange": .string("*"),
                        "destinationAddressPrefix": .string(flow.remote), "destinationPortRange": .string(String(flow.port)),
                    ]))
            ])
            analysis.fixes.append(
                Explanation.NextStep(
                    why: "allow only this flow, at priority \(free), before \(shortName)",
                    command: "put \(Self.api("\(groupID)/securityRules/\(name)")) \(Explanation.singleQuoted(.object(body)))"))
        } else if decidingPriority <= 100 {
            analysis.cause.append("No rule can come before \(shortName): its priority, 100, is the first Azure allows.")
        } else {
            analysis.cause.append(
                "No priority is free before \(shortName): \(direction.lowercased()) rules take every one from 100 to \(decidingPriority - 1)."
            )
        }
        if !isDefault {
            analysis.fixes.append(
                Explanation.NextStep(
                    why: "\(analysis.fixes.isEmpty ? "remove" : "or remove") the rule \(shortName), if nothing else needs it",
                    command: "delete \(Self.api("\(groupID)/securityRules/\(shortName)"))"))
        }
    }
}

extension RootCauseInvestigation {
    /// Where the diagnostic could not be asked: the group holding the rule the issue names, from the
    /// interface's effective security groups (which name rules `securityRules/NAME` and
    /// `defaultSecurityRules/NAME`). Nil, with why in the cause, when it is not found.
    private func decidingRule(
        _ issue: ConnectivityResult.Issue, at nic: String, into analysis: inout Analysis
    ) -> (group: String, rule: String, appliedTo: String)? {
        guard let ruleName = issue.context("RuleName"), let separator = ruleName.firstIndex(of: "_") else {
            analysis.cause.append("The issue does not name its rule, so it cannot be found among the effective rules.")
            return nil
        }
        let qualified =
            (ruleName.hasPrefix("DefaultRule_") ? "defaultSecurityRules/" : "securityRules/")
            + ruleName[ruleName.index(after: separator)...]
        let asked = FollowUp(
            method: "POST", target: Self.api("\(nic)/effectiveNetworkSecurityGroups"),
            purpose: "the security rules in effect on network interface \(Self.name(nic))")
        guard let effective = ask(asked, for: &analysis) else { return nil }
        for group in effective["value"]?.arrayValue ?? [] {
            let rules = group["effectiveSecurityRules"]?.arrayValue ?? []
            guard rules.contains(where: { $0["name"]?.stringValue?.lowercased() == qualified.lowercased() }),
                let id = group["networkSecurityGroup"]?["id"]?.stringValue
            else { continue }
            let association = group["association"]
            let appliedTo = association?["subnet"]?["id"]?.stringValue ?? association?["networkInterface"]?["id"]?.stringValue ?? nic
            return (id, ruleName, appliedTo)
        }
        analysis.cause.append(
            "No security group in effect on network interface \(Self.name(nic)) has the rule \(ruleName) now; check again.")
        return nil
    }
}

// MARK: Routes

extension RootCauseInvestigation {
    /// A route: the hop's `effectiveRouteTable` says which route applies to the destination and
    /// which system route it overrides; `nextHop` from the check's source names its route table.
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
        let candidates = table.compactMap { EffectiveRoute($0) }.filter { $0.contains(destination) }
        let active = candidates.filter(\.isActive).max { $0.length < $1.length }
        guard let active else {
            analysis.cause.append(
                "No route in effect on network interface \(Self.name(nic)) covers \(flow.remote): the traffic is dropped.")
            return
        }
        let place = routeTable.map { "route table \(Self.name($0))" } ?? "the subnet's route table"
        let traffic = "traffic from network interface \(Self.name(nic)) to \(flow.remote)"
        let what: String
        switch active.nextHopType.lowercased() {
        case "none": what = "drops \(traffic)"
        case "virtualappliance": what = "sends \(traffic) to the appliance at \(active.nextHopAddress ?? "(no address)")"
        default: what = "sends \(traffic) to \(active.nextHopType)" + (active.nextHopAddress.map { " at \($0)" } ?? "")
        }
        let hop = "next hop \(active.nextHopType)" + (active.nextHopAddress.map { " \($0)" } ?? "")
        if active.source.lowercased() == "user" {
            let name = active.name ?? "(its name is not in the effective routes)"
            analysis.cause.append("Route \(name) of \(place) (\(active.prefix), \(hop)) \(what).")
            let replaced = candidates.filter { !$0.isActive && $0.source.lowercased() != "user" && $0.prefix == active.prefix }
            if let system = replaced.first {
                analysis.cause.append("It makes the system route for \(system.prefix) (next hop \(system.nextHopType)) Invalid.")
            }
            let fallback = candidates.filter { $0.source.lowercased() != "user" }.max { $0.length < $1.length }
            if let fallback {
                analysis.cause.append(
                    "Without it, the system route for \(fallback.prefix) would apply: next hop \(fallback.nextHopType)"
                        + (fallback.nextHopType.lowercased() == "none" ? ", which drops the traffic too." : "."))
            } else {
                analysis.cause.append("Without it, no system route covers \(flow.remote): the traffic would be dropped.")
            }
            if let routeTable, let routeName = active.name {
                analysis.fixes.append(
                    Explanation.NextStep(
                        why: "remove the route \(routeName), if nothing else needs it",
                        command: "delete \(Self.api("\(routeTable)/routes/\(routeName)"))"))
                if let fallback, ["vnetlocal", "internet", "virtualnetworkgateway"].contains(fallback.nextHopType.lowercased()) {
                    let body = JSONObject([
                        "properties": .object(
                            JSONObject(["addressPrefix": .string(active.prefix), "nextHopType": .string(fallback.nextHopType)]))
                    ])
                    analysis.fixes.append(
                        Explanation.NextStep(
                            why: "or keep the route and send the traffic where the system would (\(fallback.nextHopType))",
                            command: "put \(Self.api("\(routeTable)/routes/\(routeName)")) \(Explanation.singleQuoted(.object(body)))"))
                }
            }
        } else {
            analysis.cause.append(
                "No user route applies: the system route for \(active.prefix) (\(hop)) \(what). A route table on the subnet with a route for \(flow.remote) would change that."
            )
        }
    }

    /// A route as `effectiveRouteTable` lists it.
    private struct EffectiveRoute {
        var name: String?
        var source: String
        var isActive: Bool
        var prefix: String
        var network: UInt32
        var length: Int
        var nextHopType: String
        var nextHopAddress: String?

        init?(_ json: JSONValue) {
            guard let prefix = json["addressPrefix"]?.arrayValue?.first?.stringValue ?? json["addressPrefix"]?.stringValue,
                let slash = prefix.firstIndex(of: "/"), let address = IPv4Text(String(prefix[..<slash])),
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
    /// VM must be running and the extension provisioned. The VM's GET gives its extensions and OS,
    /// its instance view the power state.
    private func analyzeAgent(at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        guard let vm = virtualMachine(at: hop) else {
            analysis.cause.append("The hop names no virtual machine, so its agent cannot be looked up.")
            return
        }
        let name = Self.name(vm)
        let machine = ask(
            FollowUp(method: "GET", target: Self.compute(vm), purpose: "virtual machine \(name) and its extensions"), for: &analysis)
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
        guard let machine else { return }
        let agent = (machine["resources"]?.arrayValue ?? []).first {
            $0["properties"]?["type"]?.stringValue?.lowercased().hasPrefix("networkwatcheragent") == true
        }
        if let agent {
            let state = agent["properties"]?["provisioningState"]?.stringValue ?? "not given"
            let agentName = agent["name"]?.stringValue ?? "(unnamed)"
            if state.lowercased() == "succeeded" {
                if running {
                    analysis.cause.append(
                        "Virtual machine \(name) runs and its agent extension \(agentName) is provisioned: the agent may have stopped inside the VM; installing the extension again restarts it."
                    )
                } else {
                    return
                }
            } else {
                analysis.cause.append(
                    "The Network Watcher agent extension \(agentName) of virtual machine \(name) is \(state), not Succeeded.")
            }
        } else if machine["resources"] != nil {
            analysis.cause.append("Virtual machine \(name) has no Network Watcher agent extension.")
        } else {
            analysis.cause.append(
                "The answer for virtual machine \(name) does not list its extensions, so whether it has the Network Watcher agent is not known."
            )
        }
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
                "Network interface \(Self.name(nic)) of the appliance forwards traffic (IP forwarding is on); the platform reported the problem: look at Azure Service Health for the region, and check again later."
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
                analysis.cause.append(
                    "The platform reported the problem: look at Azure Service Health for the region, and check again later.")
            }
        default:
            analysis.cause.append(
                "nwsh does not investigate \(issue.type) issues further; the next steps of 'explain' say where to look.")
        }
    }
}
