import JSON
import Testing

@testable import Diagnostics

/// `explain --deep`'s reasoning on its own, with answers given as ARM's REST API shapes them
/// (networkConfigurationDiagnostic:
/// https://learn.microsoft.com/rest/api/network-watcher/network-watchers/get-network-configuration-diagnostic).
/// The lab's answers are tested end to end in ShellTests.
@Suite struct RootCauseTests {
    static let network = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network"
    static let watcher = "\(network)/networkWatchers/nw"
    static let nic = "\(network)/networkInterfaces/webNic"
    static let nsg = "\(network)/networkSecurityGroups/webNsg"
    static let subnet = "\(network)/virtualNetworks/hub/subnets/web"
    static let vm = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/App"

    /// A check from App (10.1.1.4) to 10.1.2.4:443, denied inbound at the destination's hop.
    static func result(issues: [ConnectivityResult.Issue]) -> ConnectivityResult {
        ConnectivityResult(
            status: "Unreachable",
            hops: [
                ConnectivityResult.Hop(type: "Source", id: "1", address: "10.1.1.4", nextHopIds: ["2"]),
                ConnectivityResult.Hop(
                    type: "VnetLocal", id: "2", address: "10.1.2.4", resourceId: "\(nic)/ipConfigurations/ipconfig1", issues: issues),
            ])
    }

    static let context = CheckContext(
        watcher: watcher, request: CheckRequest(source: vm, destination: .address("10.1.2.4"), destinationPort: 443))

    static func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    /// A check whose traffic a user route drops at the source, App's interface appNic.
    static let routeIssueAtSource = ConnectivityResult(
        status: "Unreachable",
        hops: [
            ConnectivityResult.Hop(
                type: "Source", id: "1", address: "10.1.1.4", resourceId: "\(network)/networkInterfaces/appNic/ipConfigurations/ipconfig1",
                issues: [
                    ConnectivityResult.Issue(
                        origin: "Outbound", severity: "Error", type: "UserDefinedRoute", context: [(key: "RouteType", value: "User")])
                ])
        ])

    @Test(
        "a default rule deciding, on a subnet: said as a default rule, the rule before it and its unmatched field, an allow rule at the nearest free priority"
    )
    func aDefaultRuleDecides() throws {
        let issue = ConnectivityResult.Issue(
            origin: "Inbound", severity: "Error", type: "NetworkSecurityRule",
            context: [(key: "RuleName", value: "DefaultRule_DenyAllInBound")])
        var investigation = RootCauseInvestigation(result: Self.result(issues: [issue]), context: Self.context)
        let first = investigation.pending
        #expect(first.map(\.method) == ["POST"])
        #expect(first.first?.target == "\(Self.watcher)/networkConfigurationDiagnostic?api-version=2024-05-01")
        #expect(
            first.first?.body
                == (try Self.json(
                    #"{"targetResourceId": "\#(Self.nic)", "profiles": [{"direction": "Inbound", "protocol": "TCP", "source": "10.1.1.4", "destination": "10.1.2.4", "destinationPort": "443"}]}"#
                )))
        investigation.record(
            .answered(
                try Self.json(
                    #"{"results": [{"networkSecurityGroupResult": {"securityRuleAccessResult": "Deny", "evaluatedNetworkSecurityGroups": [{"networkSecurityGroupId": "\#(Self.nsg)", "appliedTo": "\#(Self.subnet)", "matchedRule": {"ruleName": "DefaultRule_DenyAllInBound", "action": "Deny"}, "rulesEvaluationResult": [{"name": "UserRule_Web", "protocolMatched": true, "sourceMatched": true, "sourcePortMatched": true, "destinationMatched": true, "destinationPortMatched": false}, {"name": "DefaultRule_AllowVnetInBound", "protocolMatched": true, "sourceMatched": false, "sourcePortMatched": true, "destinationMatched": true, "destinationPortMatched": true}, {"name": "DefaultRule_DenyAllInBound", "protocolMatched": true, "sourceMatched": true, "sourcePortMatched": true, "destinationMatched": true, "destinationPortMatched": true}]}]}}]}"#
                )), for: try #require(first.first))
        let second = investigation.pending
        #expect(second.map(\.target) == ["\(Self.nsg)?api-version=2024-05-01"])
        investigation.record(
            .answered(
                try Self.json(
                    #"{"properties": {"securityRules": [{"name": "Web", "properties": {"priority": 4096, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": "80"}}], "defaultSecurityRules": [{"name": "AllowVnetInBound", "properties": {"priority": 65000, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "*"}}, {"name": "DenyAllInBound", "properties": {"priority": 65500, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}}]}}"#
                )), for: try #require(second.first))
        #expect(investigation.pending.isEmpty)
        let finding = try #require(investigation.findings.first)
        #expect(
            finding.cause == [
                "Security group webNsg, on subnet web of virtual network hub, denies inbound TCP from 10.1.1.4 to 10.1.2.4 port 443 with its default rule DenyAllInBound (priority 65500, Inbound, Deny: * from * to * port *): its protocol, source, source port, destination and destination port all match this flow.",
                "Rules before it that did not match this flow, and what did not match: Web (priority 4096, Inbound, Allow: Tcp from * to * port 80): destination port; AllowVnetInBound (priority 65000, Inbound, Allow: * from VirtualNetwork to VirtualNetwork port *): source.",
            ])
        // 4096 is taken by Web, so the nearest free priority is 4095; a default rule is not deleted.
        #expect(finding.fixes.map(\.why) == ["allow only this flow, at priority 4095, before DenyAllInBound"])
        #expect(
            finding.fixes.first?.command
                == #"put \#(Self.nsg)/securityRules/Allow-TCP-443-Inbound-nwsh?api-version=2024-05-01 '{"properties":{"priority":4095,"direction":"Inbound","access":"Allow","protocol":"Tcp","sourceAddressPrefix":"10.1.1.4","sourcePortRange":"*","destinationAddressPrefix":"10.1.2.4","destinationPortRange":"443"}}'"#
        )
    }

    @Test("the same follow-up needed by two issues is asked once; without the check, nothing is asked and it says why")
    func followUpsAreAskedOnceAndNeedTheCheck() throws {
        let issue = ConnectivityResult.Issue(
            origin: "Inbound", severity: "Error", type: "NetworkSecurityRule", context: [(key: "RuleName", value: "UserRule_Web")])
        let twice = RootCauseInvestigation(result: Self.result(issues: [issue, issue]), context: Self.context)
        #expect(twice.pending.count == 1)
        let unknown = RootCauseInvestigation(result: Self.result(issues: [issue]), context: nil)
        #expect(unknown.pending.isEmpty)
        #expect(
            unknown.findings.first?.cause == [
                "Without the check that produced this result (run it with 'check', or post the connectivityCheck in this session), the flow to look up is not known."
            ])
        #expect(RootCauseInvestigation(result: ConnectivityResult(status: "Reachable"), context: Self.context).pending.isEmpty)
    }

    @Test("a route to an appliance that replaces a system route: the route, the system route made Invalid, what would apply without it")
    func aRouteToAnAppliance() throws {
        var investigation = RootCauseInvestigation(result: Self.routeIssueAtSource, context: Self.context)
        let asked = investigation.pending
        #expect(
            asked.map(\.target) == [
                "\(Self.watcher)/nextHop?api-version=2024-05-01",
                "\(Self.network)/networkInterfaces/appNic/effectiveRouteTable?api-version=2024-05-01",
            ])
        investigation.record(
            .answered(
                try Self.json(
                    #"{"nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.1.9.4", "routeTableId": "\#(Self.network)/routeTables/appRoutes"}"#
                )),
            for: asked[0])
        investigation.record(
            .answered(
                try Self.json(
                    #"{"value": [{"source": "Default", "state": "Invalid", "addressPrefix": ["10.1.0.0/16"], "nextHopIpAddress": [], "nextHopType": "VnetLocal"}, {"source": "Default", "state": "Active", "addressPrefix": ["0.0.0.0/0"], "nextHopIpAddress": [], "nextHopType": "Internet"}, {"name": "ToFirewall", "source": "User", "state": "Active", "addressPrefix": ["10.1.0.0/16"], "nextHopIpAddress": ["10.1.9.4"], "nextHopType": "VirtualAppliance"}]}"#
                )), for: asked[1])
        // The appliance's interface, found among the subscription's: its IP forwarding is off.
        let interfaces = try #require(investigation.pending.first)
        #expect(interfaces.target == "/subscriptions/s/providers/Microsoft.Network/networkInterfaces?api-version=2024-05-01")
        let firewall = "\(Self.network)/networkInterfaces/fwNic"
        var nobody = investigation
        nobody.record(.answered(try Self.json(#"{"value": []}"#)), for: interfaces)
        investigation.record(
            .answered(
                try Self.json(
                    #"{"value": [{"id": "\#(Self.network)/networkInterfaces/appNic", "properties": {"ipConfigurations": [{"properties": {"privateIPAddress": "10.1.1.4"}}]}}, {"id": "\#(firewall)", "name": "fwNic", "properties": {"ipConfigurations": [{"properties": {"privateIPAddress": "10.1.9.4"}}]}}]}"#
                )), for: interfaces)
        #expect(
            nobody.findings.first?.cause.dropFirst().first
                == "No network interface of the subscription has the address 10.1.9.4: the route sends the traffic to an address nothing there holds."
        )
        #expect(investigation.pending.isEmpty)
        let finding = try #require(investigation.findings.first)
        #expect(
            finding.cause == [
                "Route ToFirewall of route table appRoutes (10.1.0.0/16, next hop VirtualAppliance 10.1.9.4) sends traffic from network interface appNic to 10.1.2.4 to the appliance at 10.1.9.4.",
                "The appliance at 10.1.9.4 is network interface fwNic, which has IP forwarding off: Azure drops what reaches it for other addresses.",
                "It makes the system route for 10.1.0.0/16 (next hop VnetLocal) Invalid.",
                "Without it, the system route for 10.1.0.0/16 would apply: next hop VnetLocal.",
            ])
        #expect(
            finding.fixes.map(\.command) == [
                #"put \#(firewall)?api-version=2024-05-01 '{"id":"\#(firewall)","name":"fwNic","properties":{"ipConfigurations":[{"properties":{"privateIPAddress":"10.1.9.4"}}],"enableIPForwarding":true}}'"#,
                "delete \(Self.network)/routeTables/appRoutes/routes/ToFirewall?api-version=2024-05-01",
                #"put \#(Self.network)/routeTables/appRoutes/routes/ToFirewall?api-version=2024-05-01 '{"properties":{"addressPrefix":"10.1.0.0/16","nextHopType":"VnetLocal"}}'"#,
            ])
    }

    @Test("a stopped agent: a deallocated VM is said with the start to paste; an unknown OS gets the agent's put for each")
    func aStoppedAgent() throws {
        let issue = ConnectivityResult.Issue(origin: "Local", severity: "Error", type: "AgentStopped")
        let source = ConnectivityResult.Hop(type: "Source", id: "1", address: "10.1.1.4", issues: [issue])
        func investigate(machine: String, extensions: String, view: String) throws -> RootCauseFinding {
            var investigation = RootCauseInvestigation(result: ConnectivityResult(hops: [source]), context: Self.context)
            let asked = investigation.pending
            #expect(
                asked.map(\.target) == [
                    "\(Self.vm)?api-version=2024-07-01", "\(Self.vm)/extensions?api-version=2024-07-01",
                    "\(Self.vm)/instanceView?api-version=2024-07-01",
                ])
            investigation.record(.answered(try Self.json(machine)), for: asked[0])
            investigation.record(.answered(try Self.json(extensions)), for: asked[1])
            investigation.record(.answered(try Self.json(view)), for: asked[2])
            #expect(investigation.pending.isEmpty)
            return try #require(investigation.findings.first)
        }
        let stopped = try investigate(
            machine: #"{"location": "westus", "properties": {"storageProfile": {"osDisk": {"osType": "Windows"}}}}"#,
            extensions:
                #"{"value": [{"name": "nwAgent", "properties": {"type": "NetworkWatcherAgentWindows", "provisioningState": "Succeeded"}}]}"#,
            view: #"{"statuses": [{"code": "ProvisioningState/succeeded"}, {"code": "PowerState/deallocated"}]}"#)
        #expect(
            stopped.cause == [
                "Virtual machine App is not running (PowerState/deallocated): the agent runs inside it, so a check from it can run only while it runs."
            ])
        #expect(stopped.fixes.map(\.command) == ["post \(Self.vm)/start?api-version=2024-07-01"])
        // A VM's GET without `resources`, as Azure answers for a VM with no extensions.
        let unknown = try investigate(
            machine: #"{"location": "westus", "properties": {}}"#, extensions: #"{"value": []}"#, view: #"{"statuses": []}"#)
        #expect(unknown.cause == ["Virtual machine App has no Network Watcher agent extension."])
        #expect(
            unknown.fixes.map(\.why) == [
                "install the agent (NetworkWatcherAgentLinux), if App runs Linux",
                "install the agent (NetworkWatcherAgentWindows), if App runs Windows",
            ])
        // Running, with the agent provisioned, and still reported stopped: remove it, then install it again.
        let provisioned = try investigate(
            machine: #"{"location": "westus", "properties": {"storageProfile": {"osDisk": {"osType": "Linux"}}}}"#,
            extensions:
                #"{"value": [{"name": "nwAgent", "properties": {"type": "NetworkWatcherAgentLinux", "provisioningState": "Succeeded"}}]}"#,
            view: #"{"statuses": [{"code": "PowerState/running"}]}"#)
        #expect(
            provisioned.cause == [
                "Virtual machine App runs and its agent extension nwAgent is provisioned: the agent may have stopped inside the VM. Restart the VM, or remove the extension and install it again."
            ])
        #expect(
            provisioned.fixes.map(\.command) == [
                "delete \(Self.vm)/extensions/nwAgent?api-version=2024-07-01",
                #"put \#(Self.vm)/extensions/nwAgent?api-version=2024-07-01 '{"location":"westus","properties":{"publisher":"Microsoft.Azure.NetworkWatcher","type":"NetworkWatcherAgentLinux","typeHandlerVersion":"1.4","autoUpgradeMinorVersion":true}}'"#,
            ])
        #expect(
            provisioned.fixes.map(\.why) == [
                "remove the extension nwAgent, then install it with the command below", "install the agent (NetworkWatcherAgentLinux)",
            ])
    }

    /// The interface's own DNS servers come before its network's; an interface without a subnet
    /// leaves the network unknown.
    @Test("name resolution: the interface's own DNS servers, and an interface that names no subnet")
    func nameResolutionAtTheInterface() throws {
        let issue = ConnectivityResult.Issue(origin: "Outbound", severity: "Error", type: "DnsResolution")
        let hop = ConnectivityResult.Hop(type: "Source", id: "1", address: "10.1.1.4", resourceId: Self.nic, issues: [issue])
        let context = CheckContext(
            watcher: Self.watcher, request: CheckRequest(source: Self.vm, destination: .address("db.contoso.internal")))
        func cause(interface: String) throws -> [String] {
            var investigation = RootCauseInvestigation(result: ConnectivityResult(status: "Unreachable", hops: [hop]), context: context)
            #expect(investigation.pending.map(\.target) == ["\(Self.nic)?api-version=2024-05-01"])
            investigation.record(.answered(try Self.json(interface)), for: investigation.pending[0])
            #expect(investigation.pending.isEmpty)
            return try #require(investigation.findings.first).cause
        }
        #expect(
            try cause(interface: #"{"properties": {"dnsSettings": {"dnsServers": ["10.1.9.4", "10.1.9.5"]}}}"#) == [
                "Network interface webNic sets its own DNS servers, 10.1.9.4, 10.1.9.5; they did not resolve db.contoso.internal. Such servers must answer for the name, or forward what they do not know to a resolver that does."
            ])
        #expect(
            try cause(interface: #"{"properties": {"ipConfigurations": [{"properties": {"privateIPAddress": "10.1.1.4"}}]}}"#) == [
                "Network interface webNic names no subnet, so its virtual network's DNS servers cannot be looked up."
            ])
    }

    /// Every priority between 100 and the deciding rule's is taken in that direction: no allow
    /// rule can be placed before it, and only its removal is offered.
    @Test("no priority free before the deciding rule: said, and only the rule's delete offered")
    func noPriorityIsFree() throws {
        let issue = ConnectivityResult.Issue(
            origin: "Inbound", severity: "Error", type: "NetworkSecurityRule", context: [(key: "RuleName", value: "UserRule_NoWeb")])
        var investigation = RootCauseInvestigation(result: Self.result(issues: [issue]), context: Self.context)
        investigation.record(
            .answered(
                try Self.json(
                    #"{"results": [{"networkSecurityGroupResult": {"evaluatedNetworkSecurityGroups": [{"networkSecurityGroupId": "\#(Self.nsg)", "appliedTo": "\#(Self.nic)", "matchedRule": {"ruleName": "UserRule_NoWeb", "action": "Deny"}, "rulesEvaluationResult": []}]}}]}"#
                )), for: try #require(investigation.pending.first))
        investigation.record(
            .answered(
                try Self.json(
                    #"{"properties": {"securityRules": [{"name": "A", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Udp"}}, {"name": "B", "properties": {"priority": 101, "direction": "Inbound", "access": "Allow", "protocol": "Udp"}}, {"name": "Out", "properties": {"priority": 101, "direction": "Outbound", "access": "Allow", "protocol": "*"}}, {"name": "NoWeb", "properties": {"priority": 102, "direction": "Inbound", "access": "Deny", "protocol": "Tcp"}}]}}"#
                )), for: try #require(investigation.pending.first))
        let finding = try #require(investigation.findings.first)
        #expect(finding.cause.last == "No priority is free before NoWeb: inbound rules take every one from 100 to 101.")
        #expect(finding.fixes.map(\.command) == ["delete \(Self.nsg)/securityRules/NoWeb?api-version=2024-05-01"])
    }

    /// Every issue type has a paragraph: those without follow-ups say what they mean and where to look.
    @Test(
        "issue types without follow-ups are said in words, asking nothing",
        arguments: [
            ("PortThrottled", "Too many connections use the port"), ("Platform", "The platform reported the problem"),
            ("CPU", "The VM's CPU is highly used"), ("Memory", "The VM's memory is highly used"),
            ("Unknown", "Network Watcher could not classify the problem"),
            ("Sideways", "nwsh does not investigate Sideways issues further; 'explain' without --deep"),
        ])
    func issuesSaidInWords(type: String, start: String) {
        let issue = ConnectivityResult.Issue(origin: "Outbound", severity: "Error", type: type)
        let source = ConnectivityResult.Hop(type: "Source", id: "1", address: "10.1.1.4", issues: [issue])
        let investigation = RootCauseInvestigation(result: ConnectivityResult(hops: [source]), context: Self.context)
        #expect(investigation.pending.isEmpty)
        #expect(investigation.findings.first?.cause.first?.hasPrefix(start) == true, "\(investigation.findings)")
        #expect(investigation.findings.first?.fixes == [])
    }

    /// With the diagnostic refused, a flow to the VM's own address is asked of ipFlowVerify
    /// (https://learn.microsoft.com/rest/api/network-watcher/network-watchers/verify-ip-flow),
    /// whose local address is the VM's: the verdict now, and the rule to look for in the effective
    /// groups when it is not the one the check named.
    @Test("a refused diagnostic: ipFlowVerify for the VM's own flow, allowed now or denied by another rule")
    func aRefusedDiagnosticAsksIPFlowVerify() throws {
        let issue = ConnectivityResult.Issue(
            origin: "Inbound", severity: "Error", type: "NetworkSecurityRule", context: [(key: "RuleName", value: "UserRule_Old")])
        let web = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/Web"
        func asked(_ verdict: String) throws -> RootCauseInvestigation {
            var investigation = RootCauseInvestigation(result: Self.result(issues: [issue]), context: Self.context)
            investigation.record(.failed("HTTP 403 Forbidden"), for: try #require(investigation.pending.first))
            let second = investigation.pending
            #expect(
                second.map { "\($0.method) \($0.target)" } == [
                    "GET \(Self.nic)?api-version=2024-05-01", "POST \(Self.nic)/effectiveNetworkSecurityGroups?api-version=2024-05-01",
                ])
            investigation.record(.answered(try Self.json(#"{"properties": {"virtualMachine": {"id": "\#(web)"}}}"#)), for: second[0])
            investigation.record(
                .answered(
                    try Self.json(
                        #"{"value": [{"networkSecurityGroup": {"id": "\#(Self.nsg)"}, "association": {"networkInterface": {"id": "\#(Self.nic)"}}, "effectiveSecurityRules": [{"name": "securityRules/NoWeb"}, {"name": "defaultSecurityRules/DenyAllInBound"}]}]}"#
                    )), for: second[1])
            let verify = try #require(investigation.pending.first)
            #expect(investigation.pending.count == 1)
            #expect(verify.target == "\(Self.watcher)/ipFlowVerify?api-version=2024-05-01")
            #expect(
                verify.body
                    == (try Self.json(
                        #"{"targetResourceId": "\#(web)", "targetNicResourceId": "\#(Self.nic)", "direction": "Inbound", "protocol": "TCP", "localIPAddress": "10.1.2.4", "localPort": "443", "remoteIPAddress": "10.1.1.4", "remotePort": "*"}"#
                    )))
            investigation.record(.answered(try Self.json(verdict)), for: verify)
            return investigation
        }
        let diagnosticRefused =
            "Could not ask which security rule on network interface webNic decides inbound TCP from 10.1.1.4 to 10.1.2.4 port 443: HTTP 403 Forbidden."

        let allowed = try asked(#"{"access": "Allow", "ruleName": "securityRules/AllowWeb"}"#)
        #expect(allowed.pending.isEmpty)
        #expect(
            allowed.findings.first?.cause == [
                diagnosticRefused,
                "ipFlowVerify finds inbound TCP from 10.1.1.4 to 10.1.2.4 port 443 allowed now (rule UserRule_AllowWeb): the rules have changed since the check; check again.",
            ])
        #expect(allowed.findings.first?.fixes == [])

        var denied = try asked(#"{"access": "Deny", "ruleName": "securityRules/NoWeb"}"#)
        #expect(denied.pending.map(\.target) == ["\(Self.nsg)?api-version=2024-05-01"])
        denied.record(
            .answered(
                try Self.json(
                    #"{"properties": {"securityRules": [{"name": "NoWeb", "properties": {"priority": 200, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}]}}"#
                )), for: denied.pending[0])
        let finding = try #require(denied.findings.first)
        #expect(
            finding.cause == [
                diagnosticRefused,
                "ipFlowVerify finds rule UserRule_NoWeb denying inbound TCP from 10.1.1.4 to 10.1.2.4 port 443 now, not UserRule_Old the check named: the rules have changed since the check.",
                "Security group webNsg, on network interface webNic, denies inbound TCP from 10.1.1.4 to 10.1.2.4 port 443 with its rule NoWeb (priority 200, Inbound, Deny: Tcp from * to * port 443): which of its fields match this flow is known only from the diagnostic.",
            ])
        #expect(
            finding.fixes.map(\.command) == [
                #"put \#(Self.nsg)/securityRules/Allow-TCP-443-Inbound-nwsh?api-version=2024-05-01 '{"properties":{"priority":199,"direction":"Inbound","access":"Allow","protocol":"Tcp","sourceAddressPrefix":"10.1.1.4","sourcePortRange":"*","destinationAddressPrefix":"10.1.2.4","destinationPortRange":"443"}}'"#,
                "delete \(Self.nsg)/securityRules/NoWeb?api-version=2024-05-01",
            ])
    }

    @Test("ipFlowVerify's rule names as a check's issue names them")
    func ipFlowVerifyRuleNames() {
        #expect(RootCauseInvestigation.effectiveRuleName("securityRules/Port80") == "UserRule_Port80")
        #expect(RootCauseInvestigation.effectiveRuleName("defaultSecurityRules/DenyAllInBound") == "DefaultRule_DenyAllInBound")
        #expect(RootCauseInvestigation.effectiveRuleName("UserRule_Port80") == "UserRule_Port80")
        #expect(RootCauseInvestigation.effectiveRuleName("other/a/b") == "other/a/b")
    }

    @Test("both groups deny: each is named, with its own fix")
    func bothGroupsDeny() throws {
        let issue = ConnectivityResult.Issue(
            origin: "Inbound", severity: "Error", type: "NetworkSecurityRule", context: [(key: "RuleName", value: "UserRule_NoWeb")])
        var investigation = RootCauseInvestigation(result: Self.result(issues: [issue]), context: Self.context)
        let subnetGroup = "\(Self.network)/networkSecurityGroups/subnetNsg"
        investigation.record(
            .answered(
                try Self.json(
                    #"{"results": [{"networkSecurityGroupResult": {"securityRuleAccessResult": "Deny", "evaluatedNetworkSecurityGroups": [{"networkSecurityGroupId": "\#(subnetGroup)", "appliedTo": "\#(Self.subnet)", "matchedRule": {"ruleName": "DefaultRule_DenyAllInBound", "action": "Deny"}, "rulesEvaluationResult": []}, {"networkSecurityGroupId": "\#(Self.nsg)", "appliedTo": "\#(Self.nic)", "matchedRule": {"ruleName": "UserRule_NoWeb", "action": "Deny"}, "rulesEvaluationResult": []}]}}]}"#
                )), for: try #require(investigation.pending.first))
        #expect(investigation.pending.map(\.target) == ["\(subnetGroup)?api-version=2024-05-01", "\(Self.nsg)?api-version=2024-05-01"])
        investigation.record(.failed("HTTP 404 Not Found"), for: investigation.pending[0])
        investigation.record(
            .answered(
                try Self.json(
                    #"{"properties": {"securityRules": [{"name": "NoWeb", "properties": {"priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}]}}"#
                )), for: investigation.pending[0])
        let finding = try #require(investigation.findings.first)
        // The subnet's group could not be read: it is named with its rule all the same, without an allow rule.
        #expect(
            finding.cause == [
                "Could not ask the rules of security group subnetNsg: HTTP 404 Not Found.",
                "Security group subnetNsg, on subnet web of virtual network hub, denies inbound TCP from 10.1.1.4 to 10.1.2.4 port 443 with its default rule DenyAllInBound: its protocol, source, source port, destination and destination port all match this flow.",
                "Security group webNsg, on network interface webNic, denies inbound TCP from 10.1.1.4 to 10.1.2.4 port 443 with its rule NoWeb (priority 100, Inbound, Deny: Tcp from * to * port 443): its protocol, source, source port, destination and destination port all match this flow.",
                "No rule can come before NoWeb: its priority, 100, is the first Azure allows.",
            ])
        #expect(finding.fixes.map(\.command) == ["delete \(Self.nsg)/securityRules/NoWeb?api-version=2024-05-01"])
    }

    @Test("a route entry with several prefixes, and another user route as what applies without it")
    func routesWithSeveralPrefixesAndAUserFallback() throws {
        var investigation = RootCauseInvestigation(result: Self.routeIssueAtSource, context: Self.context)
        let asked = investigation.pending
        investigation.record(
            .answered(try Self.json(#"{"nextHopType": "None", "routeTableId": "\#(Self.network)/routeTables/appRoutes"}"#)), for: asked[0])
        investigation.record(
            .answered(
                try Self.json(
                    #"{"value": [{"source": "Default", "state": "Active", "addressPrefix": ["10.0.0.0/16", "10.1.0.0/16"], "nextHopIpAddress": [], "nextHopType": "VnetLocal"}, {"name": "AllToFirewall", "source": "User", "state": "Active", "addressPrefix": ["10.1.0.0/20"], "nextHopIpAddress": ["10.0.9.4"], "nextHopType": "VirtualAppliance"}, {"name": "Quarantine", "source": "User", "state": "Active", "addressPrefix": ["10.1.2.0/24"], "nextHopIpAddress": [], "nextHopType": "None"}]}"#
                )), for: asked[1])
        let finding = try #require(investigation.findings.first)
        #expect(
            finding.cause == [
                "Route Quarantine of route table appRoutes (10.1.2.0/24, next hop None) drops traffic from network interface appNic to 10.1.2.4.",
                "Without it, the user route AllToFirewall for 10.1.0.0/20 would apply: next hop VirtualAppliance 10.0.9.4.",
            ])
        // Removing it is the fix; a put sending the traffic where a system route would is not offered.
        #expect(finding.fixes.map(\.command) == ["delete \(Self.network)/routeTables/appRoutes/routes/Quarantine?api-version=2024-05-01"])
        // The system entry's second prefix covers the destination (10.1.2.4): without AllToFirewall, it would apply.
        var withoutFirewall = RootCauseInvestigation(result: Self.routeIssueAtSource, context: Self.context)
        withoutFirewall.record(.failed("HTTP 403 Forbidden"), for: asked[0])
        withoutFirewall.record(
            .answered(
                try Self.json(
                    #"{"value": [{"source": "Default", "state": "Active", "addressPrefix": ["10.0.0.0/16", "10.1.0.0/16"], "nextHopIpAddress": [], "nextHopType": "VnetLocal"}, {"name": "Quarantine", "source": "User", "state": "Active", "addressPrefix": ["10.1.2.0/24"], "nextHopIpAddress": [], "nextHopType": "None"}]}"#
                )), for: asked[1])
        let pending = withoutFirewall.pending
        #expect(pending.map(\.target) == ["\(Self.network)/networkInterfaces/appNic?api-version=2024-05-01"])
        withoutFirewall.record(.failed("HTTP 403 Forbidden"), for: pending[0])
        #expect(
            withoutFirewall.findings.first?.cause.suffix(2) == [
                "Route Quarantine of the subnet's route table (10.1.2.0/24, next hop None) drops traffic from network interface appNic to 10.1.2.4.",
                "Without it, the system route for 10.1.0.0/16 would apply: next hop VnetLocal.",
            ])
        #expect(withoutFirewall.findings.first?.fixes == [])
    }

    @Test(
        "the host a destination names, for the private zone lookup",
        arguments: [
            ("nowhere.example", "nowhere.example"), ("https://api.contoso.internal:8443/x?y", "api.contoso.internal"),
            ("http://user@db.contoso.internal/", "db.contoso.internal"), ("bing.com.", "bing.com"),
        ])
    func hostNames(destination: String, host: String) {
        #expect(RootCauseInvestigation.hostName(destination) == host)
    }

    @Test("two groups deny and both are read: each group's fixes are its own, not alternatives to the other's")
    func eachGroupsFixesAreItsOwn() throws {
        let issue = ConnectivityResult.Issue(
            origin: "Inbound", severity: "Error", type: "NetworkSecurityRule", context: [(key: "RuleName", value: "UserRule_NoWeb")])
        var investigation = RootCauseInvestigation(result: Self.result(issues: [issue]), context: Self.context)
        let subnetGroup = "\(Self.network)/networkSecurityGroups/subnetNsg"
        investigation.record(
            .answered(
                try Self.json(
                    #"{"results": [{"networkSecurityGroupResult": {"evaluatedNetworkSecurityGroups": [{"networkSecurityGroupId": "\#(subnetGroup)", "appliedTo": "\#(Self.subnet)", "matchedRule": {"ruleName": "UserRule_Block", "action": "Deny"}}, {"networkSecurityGroupId": "\#(Self.nsg)", "appliedTo": "\#(Self.nic)", "matchedRule": {"ruleName": "UserRule_NoWeb", "action": "Deny"}}]}}]}"#
                )), for: try #require(investigation.pending.first))
        let groups = investigation.pending
        investigation.record(
            .answered(
                try Self.json(
                    #"{"properties": {"securityRules": [{"name": "Block", "properties": {"priority": 500, "direction": "Inbound", "access": "Deny", "protocol": "*"}}]}}"#
                )),
            for: groups[0])
        investigation.record(
            .answered(
                try Self.json(
                    #"{"properties": {"securityRules": [{"name": "NoWeb", "properties": {"priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp"}}]}}"#
                )),
            for: groups[1])
        #expect(
            investigation.findings.first?.fixes.map(\.why) == [
                "allow only this flow, at priority 499, before Block", "or remove the rule Block, if nothing else needs it",
                "remove the rule NoWeb, if nothing else needs it",
            ])
    }

    /// What the investigation says where it cannot go on, each sentence as the user reads it.
    @Test("where an analysis cannot go on, it says why")
    func whereAnAnalysisStops() throws {
        func issue(_ type: String, _ origin: String = "Outbound") -> ConnectivityResult.Issue {
            ConnectivityResult.Issue(origin: origin, severity: "Error", type: type, context: [(key: "RuleName", value: "UserRule_Web")])
        }
        func cause(_ hop: ConnectivityResult.Hop, context: CheckContext? = Self.context, status: String = "Unreachable") -> [String] {
            RootCauseInvestigation(result: ConnectivityResult(status: status, hops: [hop]), context: context).findings.first?.cause ?? []
        }
        let bare = { (type: String) in ConnectivityResult.Hop(type: "Source", id: "1", address: "10.1.1.4", issues: [issue(type)]) }
        #expect(cause(bare("NetworkSecurityRule")) == ["The hop names no network interface, so its security groups cannot be looked up."])
        #expect(cause(bare("UserDefinedRoute")) == ["The hop names no network interface, so its routes cannot be looked up."])
        let atNIC = ConnectivityResult.Hop(
            type: "VirtualAppliance", id: "1", address: "10.1.1.4", resourceId: Self.nic, issues: [issue("NetworkSecurityRule")])
        let icmp = CheckContext(
            watcher: Self.watcher, request: CheckRequest(source: Self.vm, destination: .address("10.1.2.4"), protocolName: "Icmp"))
        #expect(
            cause(atNIC, context: icmp) == [
                "The check has no port (an Icmp check, or none given), which the rules' diagnostic needs: check the same destination with a TCP port to see which rule decides."
            ])
        let platform = ConnectivityResult.Hop(type: "VNetPeering", id: "1", address: "10.9.1.4", issues: [issue("Platform", "Inbound")])
        #expect(cause(platform) == [RootCauseInvestigation.platformAdvice])
        let silent = ConnectivityResult.Hop(type: "Source", id: "1", address: "10.1.1.4")
        #expect(
            cause(silent, context: icmp) == [
                "No hop on the path reports a problem, so what is left is at the destination: it may not answer ICMP, or a firewall there drops it without answering."
            ])
        #expect(cause(silent, status: "Degraded") == [])
    }
}
