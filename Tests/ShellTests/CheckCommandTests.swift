import Diagnostics
import Foundation
import JSON
import Sandbox
import Shell
import Testing

/// `check` and `diff` against the sandbox, over loopback HTTP.
@Suite struct CheckCommandTests {
    static let preamble = """
        $src = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"
        $db = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/Database0"
        """
    static let watcher =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus"

    /// The page's four examples, typed: verdict, where the issue is, and what was posted.
    @Test(arguments: [
        (
            "check --source $src --dest-resource $db --dest-port 80", Outcome.unreachable,
            "Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is denied by the network security rule UserRule_Port80.",
            #"{"source":{"resourceId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"},"destination":{"resourceId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/Database0","port":80}}"#
        ),
        (
            "check $src 13.107.21.200:80", .unreachable,
            "Error at hop 1 (Source 10.1.1.4, network interface appNic0): outbound traffic is dropped by a user-defined route (route type User).",
            #"{"source":{"resourceId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"},"destination":{"address":"13.107.21.200","port":80}}"#
        ),
        (
            "check $src http://bing.com", .success, "2. Internet 204.79.197.200",
            #"{"source":{"resourceId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"},"destination":{"address":"http://bing.com","port":80}}"#
        ),
        (
            "check $src https://build2017nwdiag360.blob.core.windows.net/ --protocol Https --method get --valid-status 200", .success,
            "2. Internet 13.71.200.248",
            #"{"source":{"resourceId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"},"destination":{"address":"https://build2017nwdiag360.blob.core.windows.net/","port":443},"protocol":"Https","protocolConfiguration":{"HTTPConfiguration":{"method":"Get","validStatusCodes":[200]}}}"#
        ),
    ])
    func thePagesExamplesAsChecks(command: String, outcome expected: Outcome, line: String, body: String) async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(Self.preamble + "\n" + command + "\n$check.connectionStatus")
        #expect(outcome == expected, "\(fixture.output.err)")
        #expect(fixture.output.out.contains(line), "\(fixture.output.out)")
        #expect(fixture.output.out.hasSuffix(expected == .success ? "Reachable\n" : "Unreachable\n"))
        #expect(
            fixture.output.err == """
                check: using network watcher NetworkWatcher_westcentralus (region westcentralus, the VM's).
                The result is in $check; 'explain' says what to look at next.

                """)
        // The VM's GET for its region, the watcher list, then the check itself, posted as typed.
        let log = await fixture.server.arm.log.filter { !$0.contains("/oauth2/") && !$0.contains("operationResults") }
        #expect(
            log == [
                "GET /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0",
                "GET /subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Network/networkWatchers",
                "POST \(Self.watcher)/connectivityCheck",
            ])
        #expect(await fixture.server.arm.lastBody == body)
        await fixture.server.stop()
    }

    @Test func theSummaryIsOneScreenAndTheValueIsNotPrintedAgain() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(Self.preamble + "\n$r = check $src 13.107.21.200:80 --watcher \(Self.watcher)\n$r.hops[0].type")
        #expect(outcome == .unreachable)
        #expect(
            fixture.output.out == """
                Unreachable: the destination did not answer.
                100 of 100 probes failed.

                Path (✗ marks a hop with an issue):
                  1. Source 10.1.1.4 — network interface appNic0 ✗
                  2. Destination 13.107.21.200

                Issues:
                  Error at hop 1 (Source 10.1.1.4, network interface appNic0): outbound traffic is dropped by a user-defined route (route type User).
                Source

                """)
        // --watcher: no discovery.
        #expect(!fixture.output.err.contains("using network watcher"))
        #expect(await fixture.server.arm.log.filter { $0.hasPrefix("GET /subscriptions/") && !$0.contains("operationResults") }.isEmpty)
        await fixture.server.stop()
    }

    /// The follow-ups `explain` suggests, pasted as they are, get the sandbox's answers: the same
    /// rule, on the interface of the hop the check blamed, and which of its fields matched.
    @Test func explainAfterACheckSuggestsFollowUpsThatNameTheRule() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(Self.preamble + "\ncheck $src $db --dest-port 80\n$steps = explain --json")
        #expect(outcome == .unreachable, "\(fixture.output.err)")
        let steps = await fixture.session.variables["steps"]?["nextSteps"]?.arrayValue ?? []
        let commands = steps.compactMap { $0["command"]?.stringValue }
        #expect(commands.count == 2)
        let diagnostic = try #require(commands.last)
        #expect(diagnostic.hasPrefix("post \(Self.watcher)/networkConfigurationDiagnostic?api-version=2024-05-01 '"))
        let more = await fixture.run(
            "$d = " + diagnostic
                + "\n$g = $d.results[0].networkSecurityGroupResult\n$g.securityRuleAccessResult\n$g.evaluatedNetworkSecurityGroups[0].matchedRule.ruleName"
        )
        #expect(more == .success, "\(fixture.output.err)")
        #expect(fixture.output.out.hasSuffix("Deny\nUserRule_Port80\n"))
        let rules = await fixture.run("$nsg = " + commands[0] + "\n$nsg.value[0].effectiveSecurityRules[0].name")
        #expect(rules == .success, "\(fixture.output.err)")
        #expect(fixture.output.out.hasSuffix("securityRules/Port80\n"))
        await fixture.server.stop()
    }

    /// VMs you got work as well as their IDs, on both ends.
    @Test func resourcesYouGotStandForTheirIDs() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(
            Self.preamble + """

                $vm = get "${src}?api-version=2024-07-01"
                $target = get "${db}?api-version=2024-07-01"
                check $vm $target --dest-port 80
                check --source $vm --dest-address $vm.properties --dest-port 80
                """)
        #expect(outcome == .failure)
        #expect(fixture.output.out.contains("network security rule UserRule_Port80"))
        #expect(
            fixture.output.err.hasSuffix(
                "error: check: --dest-address: 'an object' is not a resource ID or an address, or a resource you got ($vm = get ...). Nothing was sent. See 'help check'.\n"
            ))
        await fixture.server.stop()
    }

    @Test func anUnreachableCheckDoesNotStopTheScript() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(Self.preamble + "\ncheck $src 13.107.21.200:80\n$after = 'still running'\n$after")
        #expect(outcome == .unreachable)
        #expect(fixture.output.out.hasSuffix("still running\n"))
        await fixture.server.stop()
    }

    /// A NIC in ContosoRG on MultiTierApp0's subnet, then a VM in `location` that uses it.
    static func newVM(_ name: String, group: String = "ContosoRG", location: String) -> String {
        let rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/\(group)"
        let subnet =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Network/virtualNetworks/ContosoVNet/subnets/multitierapp0-subnet"
        return """
            $nic = put "\(rg)/providers/Microsoft.Network/networkInterfaces/\(name)Nic?api-version=2024-05-01" "{ 'location': 'westcentralus', 'properties': { 'ipConfigurations': [ { 'name': 'ipconfig1', 'properties': { 'subnet': { 'id': '\(subnet)' } } } ] } }"
            $vm = put "\(rg)/providers/Microsoft.Compute/virtualMachines/\(name)?api-version=2024-07-01" "{ 'location': '\(location)', 'properties': { 'networkProfile': { 'networkInterfaces': [ { 'id': '$($nic.id)' } ] } } }"
            """
    }

    @Test func aRegionWithoutAWatcherIsNamedWithTheFix() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(
            Self.newVM("Far", location: "eastus") + """

                check $vm 10.1.4.4:80
                """)
        #expect(outcome == .failure)
        #expect(
            fixture.output.err == """
                error: check: subscription 00000000-0000-0000-0000-000000000000 has no network watcher in eastus, the region of VM Far.
                  Network Watcher is enabled per region. Enable it there:
                    put /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_eastus?api-version=2024-05-01 '{"location": "eastus"}'
                  or name a watcher in the VM's region with --watcher ID.

                """)
        #expect(await fixture.server.arm.log.allSatisfy { !$0.contains("connectivityCheck") })
        await fixture.server.stop()
    }

    /// ARM gives every VM a location; a lab loaded from a file that lacks one still gets an answer.
    @Test func aVMWithoutALocationAsksForTheWatcher() async throws {
        var data = try SandboxData.bundled()
        data.resources.append(
            try JSONParser.parse(
                #"{"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/Nowhere", "type": "Microsoft.Compute/virtualMachines", "properties": {}}"#
            ))
        let fixture = try await SessionFixture.start(data: data)
        let outcome = await fixture.run(
            """
            $vm = get "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/Nowhere?api-version=2024-07-01"
            check $vm 10.1.4.4:80
            """)
        #expect(outcome == .failure)
        #expect(
            fixture.output.err
                == "error: check: VM Nowhere has no location, so nwsh cannot find its region's network watcher; name one with --watcher ID.\n"
        )
        await fixture.server.stop()
    }

    @Test func anAnswerThatIsNotAResultIsNamed() async throws {
        let fixture = try await SessionFixture.start()
        await fixture.server.arm.inject(Fault(.malformedJSON, pathContains: "connectivityCheck", method: "POST"))
        let outcome = await fixture.run(Self.preamble + "\ncheck $src 10.1.4.4:80 --watcher \(Self.watcher)")
        #expect(outcome == .failure)
        #expect(
            fixture.output.err
                == "warning: the response to POST \(fixture.server.baseURL)\(Self.watcher)/connectivityCheck?api-version=2024-05-01 is not valid JSON (expected a member name or '}', found the end of the text at line 1, column 29); it is kept as text.\n"
                + "error: This is not a connectivity check result: the value is a string, not an object. explain takes what check, or a POST to .../connectivityCheck, returned.\n"
        )
        await fixture.server.stop()
    }

    /// Bad input is refused before anything reaches the network.
    @Test(arguments: [
        (
            "check",
            "error: check: a source VM is required: --source ID (or $vm, a VM you got), or the short form check $vm HOST:PORT. Nothing was sent. See 'help check'."
        ),
        (
            "check $src",
            "error: check: a destination is required: --dest-address HOST or --dest-resource ID (or the short form check $vm HOST:PORT). Nothing was sent. See 'help check'."
        ),
        (
            "check $src 10.1.4.4",
            "error: check: a destination port is required for Tcp: --dest-port N, or HOST:PORT in the short form (only Icmp needs none). Nothing was sent. See 'help check'."
        ),
        (
            "check $src 10.1.4.4:80 --protocol Icmp",
            "error: check: Icmp has no ports: drop --dest-port and --source-port, or use --protocol Tcp. Nothing was sent. See 'help check'."
        ),
        (
            "check $src $src --dest-port 22",
            "error: check: the source and the destination are the same VM; name another destination. Nothing was sent. See 'help check'."
        ),
        (
            "check $src 10.1.4.4:80 --header 'X-A: b'",
            "error: check: --header applies to HTTP probes only, and the protocol is Tcp: add --protocol Http or --protocol Https, or drop --header. Nothing was sent. See 'help check'."
        ),
        (
            "check $src 10.1.4.4:80 --protocol Udp",
            "error: check: --protocol: 'Udp' is not one of Tcp, Http, Https, Icmp. Nothing was sent. See 'help check'."
        ),
        (
            "check $src 10.1.4.4:80 --method Post --protocol Http",
            "error: check: --method: 'Post' is not Get. Nothing was sent. See 'help check'."
        ),
        (
            "check --source $src --dest-address a --dest-resource $db --dest-port 1",
            "error: check: give one destination: --dest-address or --dest-resource, not both. Nothing was sent. See 'help check'."
        ),
        (
            "check $src 10.1.4.4:80 --dest-port 81",
            "error: check: --dest-port: '81' is not the port the destination names (80). Nothing was sent. See 'help check'."
        ),
        (
            "check $src 10.1.4.4:80 $db",
            "error: check: unexpected argument '\(preamble.split(separator: "\"")[3])'. Usage: check --source VM (--dest-address HOST | --dest-resource ID) [--dest-port N] [--deep] [options], or check VM HOST:PORT"
        ),
        ("check --dest-adress 10.1.4.4:80", "error: check: unknown option '--dest-adress'. Did you mean '--dest-address'?"),
        ("check $src 10.1.4.4:80 --watcher", "error: check: --watcher needs a value. See 'help check'."),
        (
            "check $src 10.1.4.4:80 --watcher NetworkWatcher_westcentralus",
            "error: check: --watcher: 'NetworkWatcher_westcentralus' is not a network watcher's resource ID (/subscriptions/…/providers/Microsoft.Network/networkWatchers/NAME). Nothing was sent. See 'help check'."
        ),
        (
            "check 42 10.1.4.4:80",
            "error: check: the source must be a virtual machine: its resource ID (/subscriptions/…/providers/Microsoft.Compute/virtualMachines/NAME) or its name, not '42'. Nothing was sent. See 'help check'."
        ),
        // A VM's name is looked up only when everything else is right.
        (
            "check MultiTierApp0 10.1.4.4",
            "error: check: a destination port is required for Tcp: --dest-port N, or HOST:PORT in the short form (only Icmp needs none). Nothing was sent. See 'help check'."
        ),
        (
            "check --source MultiTierApp0 --dest-address 10.1.4.4 --dest-port 80 --method Get",
            "error: check: --method applies to HTTP probes only, and the protocol is Tcp: add --protocol Http or --protocol Https, or drop --method. Nothing was sent. See 'help check'."
        ),
        (
            "check $nothing 10.1.4.4:80",
            "error: Variable $nothing is not defined (at line 3, column 7). Assign it first: $nothing = \"...\"; 'vars' lists the defined ones."
        ),
    ])
    func badInputIsRefusedBeforeSending(command: String, message: String) async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(Self.preamble + "\n" + command)
        #expect(outcome == .failure)
        #expect(fixture.output.err == message + "\n")
        #expect(await fixture.server.arm.log.isEmpty)
        await fixture.server.stop()
    }

    /// A VM can be named: it is looked up in the subscriptions the sign-in can see.
    @Test func aSourceVMCanBeGivenByName() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run("check multitierapp0 13.107.21.200:80")
        #expect(outcome == .unreachable, "\(fixture.output.err)")
        #expect(
            fixture.output.err == """
                check: multitierapp0 is /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0.
                check: using network watcher NetworkWatcher_westcentralus (region westcentralus, the VM's).
                The result is in $check; 'explain' says what to look at next.

                """)
        let log = await fixture.server.arm.log.filter { !$0.contains("/oauth2/") && !$0.contains("operationResults") }
        // The subscriptions, their VMs (a page at a time), the watchers, the check. The list gave
        // the VM's region: the VM is not fetched again.
        let vms = "GET /subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Compute/virtualMachines"
        #expect(log.first == "GET /subscriptions")
        #expect(log.dropFirst().prefix { $0 == vms }.count == log.count - 3)
        #expect(
            log.suffix(2) == [
                "GET /subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Network/networkWatchers",
                "POST \(Self.watcher)/connectivityCheck",
            ])
        #expect(
            await fixture.server.arm.lastBody?.contains(
                #""source":{"resourceId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"}"#
            ) == true)
        await fixture.server.stop()
    }

    @Test func aNameNoVMHasOrSeveralHaveIsRefused() async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run("check NoSuchVM 10.1.4.4:80") == .failure)
        #expect(
            fixture.output.err
                == "error: check: no VM is named 'NoSuchVM' in the one subscription this sign-in can see. Give the VM's resource ID (--source /subscriptions/…/providers/Microsoft.Compute/virtualMachines/NAME), or sign in to the tenant it is in.\n"
        )
        // With a second subscription, both are searched.
        let second = "/subscriptions/11111111-1111-1111-1111-111111111111"
        #expect(
            await fixture.run("$s = put \(second)?api-version=2022-12-01 \"{ 'displayName': 'Second' }\"") == .success,
            "\(fixture.output.err)")
        #expect(await fixture.run("check NoSuchVM 10.1.4.4:80") == .failure)
        #expect(
            fixture.output.err.hasSuffix(
                "error: check: no VM is named 'NoSuchVM' in the 2 subscriptions this sign-in can see. Give the VM's resource ID (--source /subscriptions/…/providers/Microsoft.Compute/virtualMachines/NAME), or sign in to the tenant it is in.\n"
            ))
        #expect(await fixture.server.arm.log.contains("GET \(second)/providers/Microsoft.Compute/virtualMachines"))
        // A second MultiTierApp0, in another resource group.
        let twin =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/OtherRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"
        #expect(
            await fixture.run(
                "put /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/OtherRG?api-version=2021-04-01 \"{ 'location': 'eastus' }\"\n"
                    + Self.newVM("MultiTierApp0", group: "OtherRG", location: "eastus")) == .success, "\(fixture.output.err)")
        #expect(await fixture.run("check MultiTierApp0 10.1.4.4:80") == .failure)
        #expect(
            fixture.output.err.hasSuffix(
                """
                error: check: 2 VMs are named 'MultiTierApp0'; give the one you mean by its resource ID:
                    /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0
                    \(twin)

                """))
        #expect(await fixture.server.arm.log.allSatisfy { !$0.hasPrefix("POST") || $0.contains("/oauth2/") })
        await fixture.server.stop()
    }

    /// The troubleshooting loop on the lab: the check blames a rule, the rule is deleted, the
    /// same check again is reachable, and `diff` alone says it is fixed.
    @Test func deletingTheBlamedRuleFixesTheCheckAndDiffSaysSo() async throws {
        let fixture = try await SessionFixture.start()
        let rule =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg/securityRules/Port80"
        #expect(await fixture.run(Self.preamble + "\ncheck $src 10.1.4.4:80\ndiff") == .failure)
        #expect(
            fixture.output.err.contains(
                "error: diff: the last check (MultiTierApp0 to 10.1.4.4 port 80 (Tcp)) is the first of its kind in this session. Run it again after the change, then diff; or compare two results: diff $before $after.\n"
            ))
        let outcome = await fixture.run(
            """
            check $src 10.1.4.4:443
            delete \(rule)?api-version=2024-05-01
            check $src 10.1.4.4:80
            diff
            """)
        #expect(outcome == .success, "\(fixture.output.err)")
        #expect(
            fixture.output.out.hasSuffix(
                """
                The last two checks of MultiTierApp0 to 10.1.4.4 port 80 (Tcp):
                Verdict: Unreachable → Reachable: fixed.
                Probes failed: 100 of 100 → 0 of 100.
                Latency: min none → 0 ms, avg none → 3 ms, max none → 21 ms.

                Issues resolved:
                  - Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is denied by the network security rule UserRule_Port80.

                """), "\(fixture.output.out)")
        await fixture.server.stop()
    }

    @Test func diffShowsThatTheFixWorked() async throws {
        let fixture = try await SessionFixture.start()
        // Before: the page's example 2 (a route drops the traffic); after: its reachable example 3.
        let outcome = await fixture.run(
            Self.preamble + """

                $before = check $src 13.107.21.200:80
                $after = check $src http://bing.com
                diff $before $after
                """)
        // The first check was unreachable: the script went on, and says so at the end.
        #expect(outcome == .unreachable, "\(fixture.output.err)")
        #expect(
            fixture.output.out.hasSuffix(
                """
                Verdict: Unreachable → Reachable: fixed.
                Probes failed: 100 of 100 → 0 of 100.
                Latency: min none → 0 ms, avg none → 1 ms, max none → 7 ms.

                Hops no longer on the path:
                  - hop 2 (Destination 13.107.21.200)

                Hops new on the path:
                  + hop 2 (Internet 204.79.197.200)

                Issues resolved:
                  - Error at hop 1 (Source 10.1.1.4, network interface appNic0): outbound traffic is dropped by a user-defined route (route type User).

                """))
        await fixture.server.stop()
    }

    @Test(arguments: [
        (
            "diff",
            "error: diff: no check has run in this session yet. Run a check, change something, run it again, then diff; or compare two results: diff $before $after."
        ),
        ("diff $a", "error: diff: missing the second result. Usage: diff [$before $after]"),
        ("diff $a $a $a", "error: diff: unexpected argument '{\"hops\":[]}'. Usage: diff [$before $after]"),
        (
            "diff $a '{\"hops\": 3}'",
            "error: diff: the second result: This is not a connectivity check result: hops is a number, not an array. explain takes what check, or a POST to .../connectivityCheck, returned."
        ),
    ])
    func diffRefusesWhatItCannotCompare(command: String, message: String) async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run("$a = '{\"hops\":[]}'\n" + command)
        #expect(outcome == .failure)
        #expect(fixture.output.err == message + "\n")
        await fixture.server.stop()
    }

    /// Diagnostics reports a problem by field; the check command's message names the flag.
    @Test func problemsSayWhatToDoNamingTheFlags() {
        let said = { (problem: CheckProblem) in ShellError.invalidCheck(problem).description }
        let wrap = { (text: String) in "check: \(text) Nothing was sent. See 'help check'." }
        #expect(
            said(.sourceNameNotResolved("app"))
                == wrap(
                    "the source 'app' is a VM's name; its resource ID is needed (check looks names up: /subscriptions/…/providers/Microsoft.Compute/virtualMachines/app)."
                ))
        #expect(
            said(.sourceNotAVirtualMachine("42"))
                == wrap(
                    "the source must be a virtual machine: its resource ID (/subscriptions/…/providers/Microsoft.Compute/virtualMachines/NAME) or its name, not '42'."
                ))
        #expect(
            said(.missingPort(protocolName: "Tcp"))
                == wrap("a destination port is required for Tcp: --dest-port N, or HOST:PORT in the short form (only Icmp needs none)."))
        #expect(
            said(.httpSettingWithoutHTTP(field: .method, protocolName: "Tcp"))
                == wrap(
                    "--method applies to HTTP probes only, and the protocol is Tcp: add --protocol Http or --protocol Https, or drop --method."
                ))
        #expect(
            said(.httpSettingWithoutHTTP(field: .validStatusCodes, protocolName: "Icmp"))
                == wrap(
                    "--valid-status applies to HTTP probes only, and the protocol is Icmp: add --protocol Http or --protocol Https, or drop --valid-status."
                ))
        #expect(
            said(.invalidValue(field: .shortFormDestinationPort, value: "0", expected: "a port number from 1 to 65535"))
                == wrap("the destination's port: '0' is not a port number from 1 to 65535."))
    }
}
