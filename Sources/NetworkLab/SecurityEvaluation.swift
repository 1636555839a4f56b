/// Where a security group is attached.
public enum Attachment: Sendable, Equatable {
    case subnet(id: String)
    case networkInterface(id: String)
}

/// How one security group decided a flow: the deciding rule, and every rule it looked at
/// before it (by priority), with which fields matched.
public struct GroupDecision: Sendable {
    public var group: LabNetwork.SecurityGroup
    public var attachment: Attachment
    /// The rules looked at, in order; the last is the deciding one.
    public var evaluated: [(rule: SecurityRule, match: RuleMatch)]

    /// The rule that decided.
    public var rule: SecurityRule { evaluated[evaluated.count - 1].rule }
}

/// Whether the security groups on an interface let a flow through.
public struct SecurityVerdict: Sendable {
    /// Each group's decision, in the order they apply.
    public var decisions: [GroupDecision]

    /// Whether every group allows it (no group at all allows everything).
    public var allows: Bool { decisions.allSatisfy(\.rule.allows) }

    /// The decision that denies, if one does.
    public var denial: GroupDecision? { decisions.first { !$0.rule.allows } }

    /// The decision that denies, else the last one that allows (nil with no group).
    public var deciding: GroupDecision? { denial ?? decisions.last }
}

extension LabNetwork {
    /// The security groups on an interface's configuration: the interface's own, then its
    /// subnet's.
    public func securityGroups(
        of nic: NetworkInterface, configuration: IPConfiguration
    ) -> [(group: SecurityGroup, attachment: Attachment)] {
        var groups: [(SecurityGroup, Attachment)] = []
        if let group = nic.securityGroup.flatMap({ securityGroups[$0] }) { groups.append((group, .networkInterface(id: nic.id))) }
        if let subnet = configuration.subnet.flatMap({ subnets[$0] }), let group = subnet.securityGroup.flatMap({ securityGroups[$0] }) {
            groups.append((group, .subnet(id: subnet.id)))
        }
        return groups
    }

    /// The service tags and groups as the rules on this configuration see them. The
    /// `VirtualNetwork` tag is the virtual network's space, its connected peers' spaces,
    /// 168.63.129.16, and the prefixes of the user routes of the subnet's route table, so
    /// forced tunnelling of `0.0.0.0/0` makes it everything (MicrosoftDocs/azure-docs#22178,
    /// Azure/azure-powershell#4972).
    public func tagContext(for configuration: IPConfiguration) -> TagContext {
        guard let subnet = configuration.subnet.flatMap({ subnets[$0] }), let network = virtualNetworks[subnet.virtualNetwork] else {
            return TagContext(virtualNetwork: [SecurityRule.azureLoadBalancer])
        }
        var prefixes = network.prefixes
        // A peer whose access is off on either side is not part of the tag.
        for peer in connectedPeers(of: network)
        where peering(from: network, to: peer)?.allowVirtualNetworkAccess != false
            && peering(from: peer, to: network)?.allowVirtualNetworkAccess != false
        {
            prefixes += peer.prefixes
        }
        prefixes.append(SecurityRule.azureLoadBalancer)
        if let table = subnet.routeTable.flatMap({ routeTables[$0] }) {
            for route in table.routes where !prefixes.contains(route.prefix) { prefixes.append(route.prefix) }
        }
        let lab = self
        let facts = self.facts
        return TagContext(
            virtualNetwork: prefixes, applicationSecurityGroups: { lab.applicationSecurityGroups(of: $0, near: network) },
            serviceTags: { facts.serviceTags(of: $0) })
    }

    /// How one group decides a flow: its rules of the flow's direction by priority, user rules
    /// and default rules together; the first that matches decides.
    public func decide(_ flow: Flow, by group: SecurityGroup, attachment: Attachment, tags: TagContext) -> GroupDecision {
        var evaluated: [(SecurityRule, RuleMatch)] = []
        var user = group.rules.makeIterator()
        var defaults = group.defaultRules.makeIterator()
        var nextUser = user.next()
        var nextDefault = defaults.next()
        while nextUser != nil || nextDefault != nil {
            let rule: SecurityRule
            if let candidate = nextUser, nextDefault.map({ candidate.priority <= $0.priority }) ?? true {
                rule = candidate
                nextUser = user.next()
            } else {
                rule = nextDefault!
                nextDefault = defaults.next()
            }
            guard rule.direction == flow.direction else { continue }
            let match = rule.match(flow, tags: tags)
            evaluated.append((rule, match))
            if match.all { return GroupDecision(group: group, attachment: attachment, evaluated: evaluated) }
        }
        // Every group ends in a deny-all default rule; one read without them denies too.
        let denyAll = SecurityRule.defaults.last { $0.direction == flow.direction }!
        let match = RuleMatch(
            protocolMatched: true, sourceMatched: true, sourcePortMatched: true, destinationMatched: true, destinationPortMatched: true)
        evaluated.append((denyAll, match))
        return GroupDecision(group: group, attachment: attachment, evaluated: evaluated)
    }

    /// Whether the groups on a configuration let a flow through. Inbound traffic meets the
    /// subnet's group first, then the interface's; outbound the interface's, then the subnet's;
    /// both must allow (https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works).
    public func evaluate(_ flow: Flow, at nic: NetworkInterface, configuration: IPConfiguration) -> SecurityVerdict {
        var groups = securityGroups(of: nic, configuration: configuration)
        if flow.direction == .inbound { groups.reverse() }
        let tags = tagContext(for: configuration)
        var decisions: [GroupDecision] = []
        for (group, attachment) in groups {
            let decision = decide(flow, by: group, attachment: attachment, tags: tags)
            decisions.append(decision)
            if !decision.rule.allows { break }
        }
        return SecurityVerdict(decisions: decisions)
    }
}
