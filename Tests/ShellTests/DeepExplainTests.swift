import Diagnostics
import Foundation
import JSON
import NetworkLab
import Sandbox
import Shell
import Testing

/// `check --deep` and `explain --deep` against the network lab: the follow-ups each issue needs,
/// the root cause named, and the suggested fix pasted back making the next check reachable.
@Suite struct DeepExplainTests {
    static let preamble = CheckCommandTests.preamble
    static let group = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Network"
    static let nsg = "\(group)/networkSecurityGroups/ContosoAppNsg"
    static let routes = "\(group)/routeTables/ContosoAppRoutes"

    /// The end of the route's root cause in the page's second example: the route, what would apply
    /// without it, and the fixes.
    static let routeCauseAndFixes = """
            Route BlockBingRange of route table ContosoAppRoutes (13.107.21.0/24, next hop None) drops traffic from network interface appNic0 to 13.107.21.200.
            Without it, the system route for 0.0.0.0/0 would apply: next hop Internet.
            To paste (printed, not run):
              # remove the route BlockBingRange, if nothing else needs it
              delete \(routes)/routes/BlockBingRange?api-version=2024-05-01
              # or keep the route and send the traffic where the system would (Internet)
              put \(routes)/routes/BlockBingRange?api-version=2024-05-01 '{"properties":{"addressPrefix":"13.107.21.0/24","nextHopType":"Internet"}}'

        """

    /// The commands the root cause suggests, in order (the line after each `# why`).
    static func fixes(in text: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "Root cause:") else { return [] }
        return lines[start...].indices.compactMap { index in
            lines[index].hasPrefix("      # ") && index + 1 < lines.count ? lines[index + 1].trimmingCharacters(in: .whitespaces) : nil
        }
    }

    /// The Network Watcher requests a session made (polls and sign-in left out).
    static func asked(_ fixture: SessionFixture) async -> [String] {
        await fixture.server.arm.log.filter { !$0.contains("/oauth2/") && !$0.contains("operationResults") }
    }

    @Test("the page's first example: the rule Port80 of ContosoAppNsg, and its removal pasted back makes the check reachable")
    func thePagesFirstExampleNamesPort80() async throws {
        let fixture = try await SessionFixture.start()
        let check = "check --source $src --dest-resource $db --dest-port 80 --watcher \(CheckCommandTests.watcher) --deep"
        #expect(await fixture.run(Self.preamble + "\n" + check) == .unreachable, "\(fixture.output.err)")
        let out = fixture.output.out
        #expect(
            out.hasSuffix(
                """

                Root cause:
                  Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is denied by the network security rule UserRule_Port80.
                    Security group ContosoAppNsg, on network interface auNic, denies outbound TCP from 10.1.1.4 to 10.1.4.4 port 80 with its rule Port80 (priority 100, Outbound, Deny: Tcp from * to 10.1.4.0/24 port 80): its protocol, source, source port, destination and destination port all match this flow.
                    No rule can come before Port80: its priority, 100, is the first Azure allows.
                    To paste (printed, not run):
                      # remove the rule Port80, if nothing else needs it
                      delete \(Self.nsg)/securityRules/Port80?api-version=2024-05-01

                """), "\(out)")
        // The check, then the diagnostic of the auditor's interface and the group's GET: once each.
        #expect(
            await Self.asked(fixture).suffix(3) == [
                "POST \(CheckCommandTests.watcher)/connectivityCheck", "POST \(CheckCommandTests.watcher)/networkConfigurationDiagnostic",
                "GET \(Self.nsg)",
            ])
        let fixes = Self.fixes(in: out)
        #expect(fixes.count == 1)
        #expect(await fixture.run(fixes.joined(separator: "\n")) == .success, "\(fixture.output.err)")
        #expect(await fixture.run(check.replacing(" --deep", with: "") + "\n$check.connectionStatus") == .success)
        #expect(fixture.output.out.hasSuffix("Reachable\n"))
    }

    @Test("a rule after priority 100: an allow rule just before it, scoped to the flow, pasted back makes the check reachable")
    func anAllowRuleBeforeTheDecidingOne() async throws {
        let fixture = try await SessionFixture.start()
        let moved =
            #"put \#(Self.nsg)/securityRules/Port80?api-version=2024-05-01 '{"properties": {"priority": 300, "direction": "Outbound", "access": "Deny", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "10.1.4.0/24", "destinationPortRange": "80"}}'"#
        let check = "check $src 10.1.4.4:80 --watcher \(CheckCommandTests.watcher) --deep"
        #expect(await fixture.run(Self.preamble + "\n" + moved + "\n" + check) == .unreachable, "\(fixture.output.err)")
        let out = fixture.output.out
        #expect(
            out.contains(
                """
                    To paste (printed, not run):
                      # allow only this flow, at priority 299, before Port80
                      put \(Self.nsg)/securityRules/Allow-TCP-80-Outbound-nwsh?api-version=2024-05-01 '{"properties":{"priority":299,"direction":"Outbound","access":"Allow","protocol":"Tcp","sourceAddressPrefix":"10.1.1.4","sourcePortRange":"*","destinationAddressPrefix":"10.1.4.4","destinationPortRange":"80"}}'
                      # or remove the rule Port80, if nothing else needs it
                      delete \(Self.nsg)/securityRules/Port80?api-version=2024-05-01

                """), "\(out)")
        let fixes = Self.fixes(in: out)
        #expect(fixes.count == 2)
        #expect(await fixture.run(fixes[0]) == .success, "\(fixture.output.err)")
        #expect(await fixture.run(check.replacing(" --deep", with: "") + "\n$check.connectionStatus") == .success)
        #expect(fixture.output.out.hasSuffix("Reachable\n"))
    }

    @Test("the page's second example: the route of ContosoAppRoutes, and its removal pasted back makes the check reachable")
    func thePagesSecondExampleNamesTheRoute() async throws {
        let fixture = try await SessionFixture.start()
        let check = "check $src 13.107.21.200:80 --watcher \(CheckCommandTests.watcher)"
        #expect(await fixture.run(Self.preamble + "\n" + check + "\nexplain --deep") == .unreachable, "\(fixture.output.err)")
        let out = fixture.output.out
        #expect(
            out.hasSuffix(
                """

                Root cause:
                  Error at hop 1 (Source 10.1.1.4, network interface appNic0): outbound traffic is dropped by a user-defined route (route type User).
                """ + "\n" + Self.routeCauseAndFixes), "\(out)")
        #expect(
            await Self.asked(fixture).suffix(2) == [
                "POST \(CheckCommandTests.watcher)/nextHop",
                "POST /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Network/networkInterfaces/appNic0/effectiveRouteTable",
            ])
        #expect(await fixture.run(Self.fixes(in: out)[0]) == .success, "\(fixture.output.err)")
        #expect(await fixture.run(check + "\n$check.connectionStatus") == .success)
        #expect(fixture.output.out.hasSuffix("Reachable\n"))
    }

    @Test("a follow-up refused with 403 is said in one line, and the rest of the investigation goes on")
    func aFailedFollowUpIsSaidAndTheRestGoesOn() async throws {
        let fixture = try await SessionFixture.start()
        await fixture.server.arm.inject(Fault(.status(403, retryAfter: nil), pathContains: "/nextHop", method: "POST"))
        let check = "check $src 13.107.21.200:80 --watcher \(CheckCommandTests.watcher) --deep"
        #expect(await fixture.run(Self.preamble + "\n" + check) == .unreachable, "\(fixture.output.err)")
        #expect(
            fixture.output.out.hasSuffix(
                """
                    Could not ask where MultiTierApp0 sends packets for 13.107.21.200: HTTP 403 Forbidden (InjectedFault: The sandbox injected HTTP 403 for this request.).
                """ + "\n" + Self.routeCauseAndFixes), "\(fixture.output.out)")
        // Without nextHop, the route table is found from the interface's subnet.
        #expect(
            await Self.asked(fixture).suffix(3) == [
                "POST \(Self.group)/networkInterfaces/appNic0/effectiveRouteTable", "GET \(Self.group)/networkInterfaces/appNic0",
                "GET \(Self.group)/virtualNetworks/ContosoVNet/subnets/multitierapp0-subnet",
            ])
    }

    @Test("a reachable result asks nothing, and --json carries the root cause")
    func aResultWithoutIssuesAsksNothing() async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run(Self.preamble + "\ncheck $src http://bing.com --watcher \(CheckCommandTests.watcher)") == .success)
        let before = await Self.asked(fixture).count
        #expect(await fixture.run("$j = explain --deep --json\n$j.rootCause") == .success, "\(fixture.output.err)")
        #expect(await Self.asked(fixture).count == before)
        #expect(fixture.output.out.hasSuffix("[]\n"))
    }

    @Test("a VM without the agent: the extension's put for its OS, pasted back, lets the check run")
    func aMissingAgentIsInstalled() async throws {
        let fixture = try await SessionFixture.start()
        let vm =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"
        let removal = "delete \(vm)/extensions/AzureNetworkWatcherExtension?api-version=2024-07-01"
        let check = "check $src 10.1.4.4:443 --watcher \(CheckCommandTests.watcher)"
        #expect(await fixture.run(Self.preamble + "\n" + removal + "\n" + check + " --deep") == .unreachable, "\(fixture.output.err)")
        let out = fixture.output.out
        #expect(
            out.hasSuffix(
                """

                Root cause:
                  Error at hop 1 (Source 10.1.1.4, network interface appNic0): the Network Watcher agent on the VM is stopped, so the check could not run there.
                    Virtual machine MultiTierApp0 has no Network Watcher agent extension.
                    To paste (printed, not run):
                      # install the agent (NetworkWatcherAgentLinux)
                      put \(vm)/extensions/AzureNetworkWatcherExtension?api-version=2024-07-01 '{"location":"westcentralus","properties":{"publisher":"Microsoft.Azure.NetworkWatcher","type":"NetworkWatcherAgentLinux","typeHandlerVersion":"1.4","autoUpgradeMinorVersion":true}}'

                """), "\(out)")
        #expect(await fixture.run(Self.fixes(in: out)[0]) == .success, "\(fixture.output.err)")
        #expect(await fixture.run(check + "\n$check.hops[0].issues") == .success)
        #expect(fixture.output.out.hasSuffix("[]\n"))
    }

    @Test("a name that does not resolve: the DNS servers the VM uses, from its interface or its virtual network")
    func nameResolutionSaysWhichResolver() async throws {
        let fixture = try await SessionFixture.start()
        let check = "check $src nowhere.example:80 --watcher \(CheckCommandTests.watcher) --deep"
        #expect(await fixture.run(Self.preamble + "\n" + check) == .unreachable, "\(fixture.output.err)")
        #expect(
            fixture.output.out.hasSuffix(
                """
                    Neither network interface appNic0 nor virtual network ContosoVNet sets DNS servers, so the VM uses Azure-provided DNS (168.63.129.16), which did not resolve nowhere.example: a public name must be in public DNS, and a private one in a private DNS zone linked to ContosoVNet.
                    No private DNS zone of the subscription is named for nowhere.example or a domain it is in.

                """), "\(fixture.output.out)")
        // A private zone for the name's domain, linked to another network only: the link to paste.
        let zone = "\(Self.group)/privateDnsZones/example"
        let other = "\(Self.group)/virtualNetworks/OtherVNet"
        let setUp = [
            #"put \#(zone)?api-version=2020-06-01 '{"location": "global"}'"#,
            #"put \#(zone)/virtualNetworkLinks/other?api-version=2020-06-01 '{"location": "global", "properties": {"virtualNetwork": {"id": "\#(other)"}}}'"#,
        ]
        #expect(await fixture.run((setUp + [check]).joined(separator: "\n")) == .unreachable, "\(fixture.output.err)")
        #expect(
            fixture.output.out.hasSuffix(
                """
                    Private DNS zone example could answer for nowhere.example, but it is not linked to virtual network ContosoVNet.
                    To paste (printed, not run):
                      # link private DNS zone example to virtual network ContosoVNet
                      put \(zone)/virtualNetworkLinks/ContosoVNet-link?api-version=2020-06-01 '{"location":"global","properties":{"virtualNetwork":{"id":"\(Self.group)/virtualNetworks/ContosoVNet"},"registrationEnabled":false}}'

                """), "\(fixture.output.out)")
        #expect(await fixture.run(Self.fixes(in: fixture.output.out).last ?? "") == .success, "\(fixture.output.err)")
        #expect(await fixture.run(check) == .unreachable)
        #expect(
            fixture.output.out.hasSuffix(
                """
                    Private DNS zone example is linked to virtual network ContosoVNet: look for a record of nowhere.example in it ('get \(zone)/ALL?api-version=2020-06-01').

                """), "\(fixture.output.out)")
        let servers =
            #"patch \#(Self.group)/virtualNetworks/ContosoVNet?api-version=2024-05-01 '{"properties": {"dhcpOptions": {"dnsServers": ["10.1.0.10"]}}}'"#
        #expect(await fixture.run(servers + "\n" + check) == .unreachable, "\(fixture.output.err)")
        #expect(
            fixture.output.out.hasSuffix(
                """
                    Virtual network ContosoVNet sets DNS servers 10.1.0.10, which network interface appNic0 uses; they did not resolve nowhere.example. Such servers must answer for the name, or forward what they do not know to a resolver that does.

                """), "\(fixture.output.out)")
    }

    @Test("a guest's firewall: ARM cannot see it, so the commands for the guest and the runCommand request for its OS")
    func aGuestFirewallGetsTheGuestsCommands() async throws {
        var data = try SandboxData.bundled()
        let db =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/Database0"
        data.facts.guests[db.lowercased()] = LabFacts.Guest(listeningPorts: nil, firewallBlockedPorts: [443])
        let fixture = try await SessionFixture.start(data: data)
        let check = "check $src --dest-resource $db --dest-port 443 --watcher \(CheckCommandTests.watcher) --deep"
        #expect(await fixture.run(Self.preamble + "\n" + check) == .unreachable, "\(fixture.output.err)")
        #expect(
            fixture.output.out.hasSuffix(
                """
                    To paste (printed, not run):
                      # list the listening ports and firewall rules inside Database0 (runs a command in the guest)
                      post \(db)/runCommand?api-version=2024-07-01 '{"commandId":"RunShellScript","script":["ss -ltnp","iptables -S"]}'

                """), "\(fixture.output.out)")
        #expect(fixture.output.out.contains("operating system blocks inbound traffic.\n\nRoot cause:"))
    }

    @Test("an appliance that does not forward: its interface's put with IP forwarding on, pasted back, makes the check reachable")
    func anApplianceThatDoesNotForward() async throws {
        let fixture = try await SessionFixture.start()
        let nic = "\(Self.group)/networkInterfaces/fwNic"
        let off = #"patch \#(nic)?api-version=2024-05-01 '{"properties": {"enableIPForwarding": false}}'"#
        let check = "check $src 10.1.4.4:443 --watcher \(CheckCommandTests.watcher)"
        #expect(await fixture.run(Self.preamble + "\n" + off + "\n" + check + " --deep") == .unreachable, "\(fixture.output.err)")
        let out = fixture.output.out
        #expect(
            out.contains(
                """
                  Error at hop 2 (VirtualAppliance 10.1.2.4, network interface fwNic): the Azure platform reported a problem with inbound traffic.
                    Network interface fwNic of the appliance has IP forwarding off, so Azure drops traffic that reaches it for another address instead of passing it on.
                    To paste (printed, not run):
                      # turn IP forwarding on (the interface as it is, with enableIPForwarding true)
                      put \(nic)?api-version=2024-05-01 '{"name":"fwNic",
                """), "\(out)")
        let fixes = Self.fixes(in: out)
        #expect(fixes.count == 1)
        #expect(fixes.first?.contains(#""enableIPForwarding":true"#) == true)
        #expect(await fixture.run(fixes.joined()) == .success, "\(fixture.output.err)")
        #expect(await fixture.run(check + "\n$check.connectionStatus") == .success)
        #expect(fixture.output.out.hasSuffix("Reachable\n"))
    }

    /// Where the diagnostic is refused: from an appliance (a forwarded flow), the effective security
    /// groups name the group and the rule; from the VM's own address, ipFlowVerify is asked first.
    @Test(
        "where the diagnostic is refused, the effective security groups still name the group and the rule",
        arguments: [
            (
                "check --source $src --dest-resource $db --dest-port 80", "10.1.1.4",
                ["POST networkConfigurationDiagnostic", "POST auNic/effectiveNetworkSecurityGroups", "GET nsg"]
            ),
            (
                "check /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/Auditor0 10.1.4.4:80",
                "10.1.3.4",
                [
                    "POST networkConfigurationDiagnostic", "GET auNic", "POST auNic/effectiveNetworkSecurityGroups", "POST ipFlowVerify",
                    "GET nsg",
                ]
            ),
        ])
    func aRefusedDiagnosticFallsBackToTheEffectiveRules(check: String, source: String, asked: [String]) async throws {
        let fixture = try await SessionFixture.start()
        await fixture.server.arm.inject(
            Fault(.status(403, retryAfter: nil), pathContains: "/networkConfigurationDiagnostic", method: "POST"))
        let command = "\(check) --watcher \(CheckCommandTests.watcher) --deep"
        #expect(await fixture.run(Self.preamble + "\n" + command) == .unreachable, "\(fixture.output.err)")
        #expect(
            fixture.output.out.hasSuffix(
                """
                    Could not ask which security rule on network interface auNic decides outbound TCP from \(source) to 10.1.4.4 port 80: HTTP 403 Forbidden (InjectedFault: The sandbox injected HTTP 403 for this request.).
                    Security group ContosoAppNsg, on network interface auNic, denies outbound TCP from \(source) to 10.1.4.4 port 80 with its rule Port80 (priority 100, Outbound, Deny: Tcp from * to 10.1.4.0/24 port 80): which of its fields match this flow is known only from the diagnostic.
                    No rule can come before Port80: its priority, 100, is the first Azure allows.
                    To paste (printed, not run):
                      # remove the rule Port80, if nothing else needs it
                      delete \(Self.nsg)/securityRules/Port80?api-version=2024-05-01

                """), "\(fixture.output.out)")
        let short = [
            "\(CheckCommandTests.watcher)/": "", "\(Self.group)/networkInterfaces/": "", Self.nsg: "nsg",
        ]
        let seen = await Self.asked(fixture).suffix(asked.count).map { line in
            short.reduce(line) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        #expect(Array(seen) == asked)
    }

    @Test("on a terminal, a progress line says what each follow-up asks, and is cleared after it")
    func theProgressLineSaysWhatIsAsked() async throws {
        let fixture = try await SessionFixture.start(style: OutputStyle(progress: true))
        let check = "check --source $src --dest-resource $db --dest-port 80 --watcher \(CheckCommandTests.watcher) --deep"
        #expect(await fixture.run(Self.preamble + "\n" + check) == .unreachable, "\(fixture.output.err)")
        let clear = "\r\u{1B}[K"
        for purpose in [
            "which security rule on network interface auNic decides outbound TCP from 10.1.1.4 to 10.1.4.4 port 80",
            "the rules of security group ContosoAppNsg",
        ] {
            #expect(fixture.output.err.contains("\(clear)asking \(purpose)…\(clear)"), "\(fixture.output.err.debugDescription)")
        }
        // The diagnostic is a long-running operation: while it is polled, the line still says what it asks.
        #expect(
            fixture.output.err.contains(
                "\(clear)asking which security rule on network interface auNic decides outbound TCP from 10.1.1.4 to 10.1.4.4 port 80… 0 s, 1 poll"
            ), "\(fixture.output.err.debugDescription)")
        let followUps = fixture.output.err.components(separatedBy: "asking ").dropFirst().joined()
        #expect(!followUps.contains("waiting for the long-running operation"), "\(followUps.debugDescription)")
    }

    /// Not only refusals: a connection that drops on every try ends in the client's own error,
    /// which is said in one line too, and the explanation before it is not lost.
    @Test("a follow-up whose connection drops is said in one line, after the explanation")
    func aDroppedFollowUpIsSaid() async throws {
        let fixture = try await SessionFixture.start()
        await fixture.server.arm.inject(Fault(.dropConnection, pathContains: "/effectiveRouteTable", method: "POST", count: 50))
        let check = "check $src 13.107.21.200:80 --watcher \(CheckCommandTests.watcher)"
        #expect(await fixture.run(Self.preamble + "\n" + check + "\nexplain --deep") == .unreachable, "\(fixture.output.err)")
        let out = fixture.output.out
        #expect(out.contains("Next steps:\n"), "\(out)")
        let line = out.components(separatedBy: "\n").first {
            $0.hasPrefix("    Could not ask the routes in effect on network interface appNic0: ")
        }
        #expect(line != nil, "\(out)")
        #expect(out.hasSuffix("\(line ?? "")\n"))
    }

    @Test("unreachable with no issue on any hop: nothing listens, or a firewall drops silently; nothing is asked")
    func aSilentDropAsksNothing() async throws {
        var data = try SandboxData.bundled()
        let db =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/Database0"
        data.facts.guests[db.lowercased()] = LabFacts.Guest(listeningPorts: [22], firewallBlockedPorts: [])
        let fixture = try await SessionFixture.start(data: data)
        let check = "check --source $src --dest-resource $db --dest-port 443 --watcher \(CheckCommandTests.watcher)"
        #expect(await fixture.run(Self.preamble + "\n" + check) == .unreachable, "\(fixture.output.err)")
        let before = await Self.asked(fixture).count
        #expect(await fixture.run("explain --deep") == .success, "\(fixture.output.err)")
        #expect(await Self.asked(fixture).count == before)
        #expect(
            fixture.output.out.hasSuffix(
                """

                Root cause:
                  No hop reports an issue, yet the destination did not answer.
                    No hop on the path reports a problem, so what is left is at the destination: often nothing listens on port 443, or a firewall there drops the traffic without answering. ARM cannot see inside a VM: run, in it, 'sudo ss -ltnp' and 'sudo iptables -S' (Linux) or 'Get-NetTCPConnection -State Listen' and 'Get-NetFirewallRule -Enabled True' (Windows).

                """), "\(fixture.output.out)")
    }

    /// Ctrl-C cancels the command's task: a follow-up waiting on a slow answer stops, and no
    /// further follow-up is asked.
    @Test("cancelling during a slow follow-up stops the investigation at once")
    func cancellingStopsTheFollowUps() async throws {
        let fixture = try await SessionFixture.start()
        let check = "check --source $src --dest-resource $db --dest-port 80 --watcher \(CheckCommandTests.watcher)"
        #expect(await fixture.run(Self.preamble + "\n" + check) == .unreachable)
        await fixture.server.arm.inject(Fault(.delay(30), pathContains: "/networkConfigurationDiagnostic", method: "POST"))
        let started = ContinuousClock.now
        let explaining = Task { await fixture.run("explain --deep") }
        // Cancelled once the sandbox has the diagnostic, however busy the machine is.
        while await Self.asked(fixture).last?.hasSuffix("/networkConfigurationDiagnostic") != true {
            try await Task.sleep(for: .milliseconds(20))
        }
        explaining.cancel()
        _ = await explaining.value
        #expect(ContinuousClock.now - started < .seconds(20))
        // The explanation came before the follow-ups; no root cause after the cancel.
        #expect(fixture.output.out.hasSuffix("\nNext steps:\n") == false)
        #expect(fixture.output.out.components(separatedBy: "Issues:").count == 3, "\(fixture.output.out)")
        #expect(!fixture.output.out.contains("Root cause:"))
        #expect(await Self.asked(fixture).last == "POST \(CheckCommandTests.watcher)/networkConfigurationDiagnostic")
    }

    @Test("--json carries each issue's cause and fixes, as the text says them")
    func theJSONCarriesTheRootCause() async throws {
        let fixture = try await SessionFixture.start()
        let check = "check --source $src --dest-resource $db --dest-port 80 --watcher \(CheckCommandTests.watcher)"
        let script = [check, "$j = explain --deep --json", "$j.rootCause[0].fixes[0].command", "$j.rootCause[0].cause[1]"]
        #expect(await fixture.run(Self.preamble + "\n" + script.joined(separator: "\n")) == .unreachable, "\(fixture.output.err)")
        #expect(
            fixture.output.out.hasSuffix(
                """
                delete \(Self.nsg)/securityRules/Port80?api-version=2024-05-01
                No rule can come before Port80: its priority, 100, is the first Azure allows.

                """), "\(fixture.output.out)")
    }
}
