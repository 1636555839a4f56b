import HTTPCore
import JSON

extension RootCauseInvestigation {
    /// A group and rule that deny the flow, where the group is attached, and the rules looked at
    /// before deciding (nil when only the effective rules could be asked).
    struct Denial {
        var group: String
        var rule: String
        var appliedTo: String
        var evaluated: [JSONValue]?
    }

    /// The flow of an issue at a hop, as Network Watcher's questions take it and in words.
    struct RuleFlow {
        var direction: String
        var local: String
        var remote: String
        var port: Int
        var protocolName: String

        var words: String { "\(direction.lowercased()) \(protocolName) from \(local) to \(remote) port \(port)" }
    }

    /// A security rule: `networkConfigurationDiagnostic` on the hop's interface for the check's
    /// flow names each group that denies it, its deciding rule and which fields matched (where it
    /// cannot be asked, ipFlowVerify and the interface's effective groups name the deciding rule and
    /// the group holding it);
    /// each group's GET gives the priorities, for an allow rule placed just before the deciding one.
    func analyzeSecurityRule(_ issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        guard let (nic, context, checked) = interfaceAndFlow(at: hop, toLookUp: "its security groups", into: &analysis) else { return }
        guard let port = checked.port else {
            analysis.cause.append(
                "The check has no port (an Icmp check, or none given), which the rules' diagnostic needs: check the same destination with a TCP port to see which rule decides."
            )
            return
        }
        let flow = RuleFlow(
            direction: issue.origin?.lowercased() == "inbound" ? "Inbound" : "Outbound", local: checked.local, remote: checked.remote,
            port: port, protocolName: checked.protocolName)
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
            guard let found = decidingRule(issue, at: hop, nic: nic, flow: flow, watcher: context.watcher, into: &analysis) else { return }
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
    func explain(_ denial: Denial, flow: RuleFlow, into analysis: inout Analysis) {
        // Fixes for this group only: another group's are needed as well, not instead.
        let fixesBefore = analysis.fixes.count
        let isDefault = denial.rule.hasPrefix("DefaultRule_")
        let shortName = Self.bareRuleName(denial.rule)
        let group = FollowUp(
            method: "GET", target: Self.api(denial.group), purpose: "the rules of security group \(Self.name(denial.group))")
        let groupJSON = ask(group, for: &analysis)
        if case nil = answers[group] { return }
        let rules =
            (groupJSON?["properties"]?["securityRules"]?.arrayValue ?? []).map { ($0, false) }
            + (groupJSON?["properties"]?["defaultSecurityRules"]?.arrayValue ?? []).map { ($0, true) }
        func rule(_ effectiveName: String) -> JSONValue? {
            let isDefault = effectiveName.hasPrefix("DefaultRule_")
            let name = Self.bareRuleName(effectiveName)
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
            let words = Self.bareRuleName(name)
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
                    why: "\(analysis.fixes.count == fixesBefore ? "remove" : "or remove") the rule \(shortName), if nothing else needs it",
                    command: "delete \(Self.api("\(denial.group)/securityRules/\(shortName)"))"))
        }
    }

    /// A rule in words: `NAME (priority P, DIRECTION, ACCESS: PROTOCOL from SOURCE to DESTINATION
    /// port PORTS)`, application security groups named where the rule uses them.
    static func describe(_ json: JSONValue?, _ name: String) -> String {
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
    /// Where the diagnostic could not be asked: `ipFlowVerify`, for a flow from or to the VM's own
    /// address, says whether the rules deny it now and which rule decides; the interface's
    /// effective security groups (which name rules `securityRules/NAME` and
    /// `defaultSecurityRules/NAME`) name the group holding that rule. Nil, with why in the cause,
    /// when the flow is allowed now, the rule is not found, or more than one group has it (every
    /// group has the default rules).
    func decidingRule(
        _ issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, nic: String, flow: RuleFlow, watcher: String,
        into analysis: inout Analysis
    ) -> Denial? {
        let effectiveGroups = FollowUp(
            method: "POST", target: Self.api("\(nic)/effectiveNetworkSecurityGroups"),
            purpose: "the security rules in effect on network interface \(Self.name(nic))")
        var ruleName = issue.context("RuleName")
        // ipFlowVerify takes only the VM's own address as the local one: a flow forwarded through
        // an appliance is neither from nor to it, and is not asked.
        let local = flow.direction == "Inbound" ? flow.remote : flow.local
        if let address = hop.address, address == local {
            let interface = FollowUp(method: "GET", target: Self.api(nic), purpose: "network interface \(Self.name(nic))")
            if let vm = ask(interface, for: &analysis)?["properties"]?["virtualMachine"]?["id"]?.stringValue {
                let outbound = flow.direction == "Outbound"
                let body = JSONObject([
                    "targetResourceId": .string(vm), "targetNicResourceId": .string(nic), "direction": .string(flow.direction),
                    "protocol": .string(flow.protocolName), "localIPAddress": .string(local),
                    "localPort": .string(outbound ? "*" : String(flow.port)),
                    "remoteIPAddress": .string(outbound ? flow.remote : flow.local),
                    "remotePort": .string(outbound ? String(flow.port) : "*"),
                ])
                let verify = FollowUp(
                    method: "POST", target: Self.api("\(watcher)/ipFlowVerify"), body: .object(body),
                    purpose: "whether the security rules of VM \(Self.name(vm)) allow \(flow.words)")
                if let verdict = ask(verify, for: &analysis) {
                    let decided = verdict["ruleName"]?.stringValue.map(Self.effectiveRuleName)
                    guard verdict["access"]?.stringValue?.lowercased() == "deny" else {
                        analysis.cause.append(
                            "ipFlowVerify finds \(flow.words) allowed now\(decided.map { " (rule \($0))" } ?? ""): the rules have changed since the check; check again."
                        )
                        return nil
                    }
                    if let decided, decided.lowercased() != ruleName?.lowercased() {
                        analysis.cause.append(
                            "ipFlowVerify finds rule \(decided) denying \(flow.words) now, not \(ruleName ?? "the rule") the check named: the rules have changed since the check."
                        )
                        ruleName = decided
                    }
                }
            }
            if case nil = answers[interface] { analysis.needs.append(effectiveGroups) }
            if !analysis.needs.isEmpty { return nil }
        }
        guard let ruleName else {
            analysis.cause.append("The issue does not name its rule, so it cannot be found among the effective rules.")
            return nil
        }
        let bare = Self.bareRuleName(ruleName)
        let qualified = (ruleName.hasPrefix("DefaultRule_") ? "defaultSecurityRules/" : "securityRules/") + bare
        guard let effective = ask(effectiveGroups, for: &analysis) else { return nil }
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
                    : "Security groups \(holding.map { Self.name($0.group) }.joined(separator: ", ")) all have the rule \(bare); which of them denies this flow is known only from the diagnostic."
            )
            return nil
        }
        return found
    }

    /// A rule's own name from the name an issue or a diagnostic gives it: `UserRule_NAME` and
    /// `DefaultRule_NAME` lose the prefix; a name Azure gave without one is kept whole.
    static func bareRuleName(_ name: String) -> String {
        name.hasPrefix("UserRule_") || name.hasPrefix("DefaultRule_") ? String(name.drop { $0 != "_" }.dropFirst()) : name
    }

    /// ipFlowVerify's rule name as a connectivity check's issue names it: `securityRules/NAME` is
    /// `UserRule_NAME`, `defaultSecurityRules/NAME` is `DefaultRule_NAME`; another name is kept.
    static func effectiveRuleName(_ name: String) -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return name }
        switch parts[0].lowercased() {
        case "securityrules": return "UserRule_\(parts[1])"
        case "defaultsecurityrules": return "DefaultRule_\(parts[1])"
        default: return name
        }
    }
}
