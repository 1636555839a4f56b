import ARM
import Foundation
import JSON
import Sandbox
import Shell
import Testing

/// `cd`, `ls` and `pwd` over the sandbox's tree, and the verbs and `check` reading relative paths
/// from the location.
@Suite struct LocationTests {
    static let subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"
    static let group = "\(subscription)/resourceGroups/ContosoRG"

    @Test("from the top to ContosoAppNsg's rules with cd and ls: each level's table, exactly")
    func fromTheTopToTheRules() async throws {
        let fixture = try await SessionFixture.start()
        let script = """
            ls
            cd ~
            ls
            cd resourceGroups/ContosoRG
            ls providers
            cd providers/Microsoft.Network
            ls
            cd networkSecurityGroups/ContosoAppNsg
            ls
            cd securityRules
            ls
            pwd
            """
        #expect(await fixture.run(script) == .success, "\(fixture.output.err)")
        #expect(
            fixture.output.out == """
                NAME                    ID                                    STATE
                Contoso Sandbox (nwsh)  00000000-0000-0000-0000-000000000000  Enabled
                NAME              LOCATION       STATE
                ContosoExampleRG  westcentralus  Succeeded
                ContosoRG         westcentralus  Succeeded
                NetworkWatcherRG  westcentralus  Succeeded
                NAMESPACE          COUNT
                Microsoft.Compute  4
                Microsoft.Network  8
                TYPE                   COUNT
                networkInterfaces      4
                networkSecurityGroups  1
                routeTables            2
                virtualNetworks        1
                NAME                   WHAT
                securityRules/         1 item
                defaultSecurityRules/  6 items
                PRIORITY  NAME    DIRECTION  ACCESS  PROTOCOL  SOURCE  DESTINATION  PORTS
                100       Port80  Outbound   Deny    Tcp       *       10.1.4.0/24  80
                \(Self.group)/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg/securityRules

                """)
        #expect(await fixture.session.promptLocation(width: 40) == "…/ContosoAppNsg/securityRules")
        #expect(await fixture.session.promptLocation(width: 60) == "ContosoRG/networkSecurityGroups/ContosoAppNsg/securityRules")
    }

    @Test("the columns people look at: default rules by direction and priority, routes, subnets, interfaces, a resource group's resources")
    func perTypeColumns() async throws {
        let fixture = try await SessionFixture.start()
        let network = "\(Self.group)/providers/Microsoft.Network"
        let script = """
            cd \(network)
            ls networkSecurityGroups/ContosoAppNsg/defaultSecurityRules
            ls routeTables/ContosoAppRoutes/routes
            ls virtualNetworks/ContosoVNet/subnets
            ls networkInterfaces
            ls networkInterfaces/appNic0
            ls ~/resourceGroups/NetworkWatcherRG
            """
        #expect(await fixture.run(script) == .success, "\(fixture.output.err)")
        #expect(
            fixture.output.out == """
                PRIORITY  NAME                           DIRECTION  ACCESS  PROTOCOL  SOURCE             DESTINATION     PORTS
                65000     AllowVnetInBound               Inbound    Allow   *         VirtualNetwork     VirtualNetwork  *
                65001     AllowAzureLoadBalancerInBound  Inbound    Allow   *         AzureLoadBalancer  *               *
                65500     DenyAllInBound                 Inbound    Deny    *         *                  *               *
                65000     AllowVnetOutBound              Outbound   Allow   *         VirtualNetwork     VirtualNetwork  *
                65001     AllowInternetOutBound          Outbound   Allow   *         *                  Internet        *
                65500     DenyAllOutBound                Outbound   Deny    *         *                  *               *
                NAME                       PREFIX          NEXT HOP
                ToDatabaseThroughFirewall  10.1.4.0/24     VirtualAppliance 10.1.2.4
                BlockBingRange             13.107.21.0/24  None
                NAME                  PREFIX       NSG  ROUTE TABLE
                multitierapp0-subnet  10.1.1.0/24       ContosoAppRoutes
                firewall0-subnet      10.1.2.0/24       ContosoFirewallRoutes
                auditor0-subnet       10.1.3.0/24
                database0-subnet      10.1.4.0/24
                contosovm-subnet      10.2.1.0/24
                NAME     PRIVATE IP  SUBNET                            NSG
                appNic0  10.1.1.4    ContosoVNet/multitierapp0-subnet
                auNic    10.1.3.4    ContosoVNet/auditor0-subnet       ContosoAppNsg
                dbNic0   10.1.4.4    ContosoVNet/database0-subnet
                fwNic    10.1.2.4    ContosoVNet/firewall0-subnet
                NAME                            WHAT
                ipConfigurations/               1 item
                effectiveRouteTable             action (post)
                effectiveNetworkSecurityGroups  action (post)
                NAME                          TYPE                               LOCATION
                NetworkWatcher_westcentralus  Microsoft.Network/networkWatchers  westcentralus

                """)
    }

    @Test("verbs and check read relative paths from the location; $r = ls stores the JSON, --json prints it")
    func relativePaths() async throws {
        let fixture = try await SessionFixture.start()
        let script = """
            cd ~/resourceGroups/ContosoRG/providers/Microsoft.Network/virtualNetworks
            $v = get ContosoVNet
            $v.name
            $s = get ContosoVNet/subnets/database0-subnet
            $s.properties.addressPrefix
            cd ~/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus
            $hop = post nextHop '{"targetResourceId": "\(Self.group)/providers/Microsoft.Compute/virtualMachines/MultiTierApp0", "sourceIPAddress": "10.1.1.4", "destinationIPAddress": "13.107.21.200"}'
            $hop.nextHopType
            cd ~/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines
            $r = ls
            $r.value.count
            cd MultiTierApp0
            check . 10.1.4.4:80 --watcher ../../../../../NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus
            $check.hops[0].address
            cd -
            pwd
            """
        #expect(await fixture.run(script) == .unreachable, "\(fixture.output.err)")
        let out = fixture.output.out
        #expect(out.hasPrefix("ContosoVNet\n10.1.4.0/24\nNone\n4\n"), "\(out)")
        #expect(out.hasSuffix("10.1.1.4\n\(Self.group)/providers/Microsoft.Compute/virtualMachines\n"), "\(out)")
        #expect(!out.contains("NAME "), "an assigned ls prints no table")
        #expect(await fixture.run("ls --json") == .success)
        let json = try JSONParser.parse(String(fixture.output.out.dropFirst(out.count)))
        #expect(json["value"]?.arrayValue?.count == 4)
    }

    @Test("cd refuses what does not exist, naming the segment and a close name; cd - and ~ without a home explained")
    func cdRefusesWhatDoesNotExist() async throws {
        let fixture = try await SessionFixture.start()
        let cases: [(String, String)] = [
            (
                "cd ~/resourceGroups/ContosRG",
                "error: cd: nothing is named 'ContosRG' in \(Self.subscription)/resourceGroups. Did you mean 'ContosoRG'?\n"
            ),
            (
                "cd \(Self.group)/providers/Microsoft.Network/virtualNetworks/ContosoVNt/subnets",
                "error: cd: nothing is named 'ContosoVNt' in \(Self.group)/providers/Microsoft.Network/virtualNetworks. Did you mean 'ContosoVNet'?\n"
            ),
            (
                "cd \(Self.group)/providers/Microsoft.Netwrk",
                "error: cd: nothing is named 'Microsoft.Netwrk' in \(Self.group)/providers. Did you mean 'Microsoft.Network'?\n"
            ),
            (
                "ls /subscriptions/11111111-0000-0000-0000-000000000000",
                "error: ls: nothing is named '11111111-0000-0000-0000-000000000000' in /subscriptions. 'ls /subscriptions' lists what is there.\n"
            ),
            (
                "cd ~/resourceGrups/ContosoRG",
                "error: cd: nothing is named 'resourceGrups' in \(Self.subscription). Did you mean 'resourceGroups'?\n"
            ),
            (
                "ls \(Self.group)/providers/Microsoft.Network/virtualNetworks/ContosoVNet/subnet",
                "error: ls: nothing is named 'subnet' in \(Self.group)/providers/Microsoft.Network/virtualNetworks/ContosoVNet. Did you mean 'subnets'?\n"
            ),
            ("cd -", "error: cd -: there is no earlier location yet.\n"),
            ("cd a//b", "error: 'a//b' has an empty segment (//); write each segment once.\n"),
        ]
        for (command, error) in cases {
            let before = fixture.output.err.count
            #expect(await fixture.run(command) == .failure, "\(command)")
            #expect(String(fixture.output.err.dropFirst(before)) == error)
        }
        #expect(await fixture.session.location.description == "/")
    }

    @Test("an empty URL is refused, not sent to the location; a query reaches ls's request and is refused by cd")
    func emptyURLsAndQueries() async throws {
        let fixture = try await SessionFixture.start(style: OutputStyle(verbose: true))
        let tables = "\(Self.group)/providers/Microsoft.Network/routeTables"
        #expect(await fixture.run("cd \(tables)/ContosoAppRoutes") == .success)
        #expect(await fixture.run("$x = $null\ndelete $x") == .failure)
        #expect(
            fixture.output.err.hasSuffix(
                "error: The path is empty (did a variable hold $null or nothing?): write '.' for where cd has gone, or a path.\n"))
        #expect(await !fixture.server.arm.log.contains { $0.hasPrefix("DELETE") })
        #expect(await fixture.run("ls '..?$top=1'") == .success)
        #expect(fixture.output.err.contains("> GET http://sandbox.localhost\(tables)?$top=1&api-version=2024-05-01\n"))
        #expect(await fixture.run("cd '..?$top=1'") == .failure)
        #expect(fixture.output.err.hasSuffix("error: cd: unexpected argument '?$top=1'. Usage: cd [PATH]\n"))
    }

    @Test("cd and ls take absolute URLs on the endpoint, and refuse another host")
    func absoluteURLs() async throws {
        let fixture = try await SessionFixture.start()
        #expect(
            await fixture.run("cd https://management.azure.com\(Self.group)\npwd\nls https://management.azure.com/subscriptions")
                == .success)
        #expect(fixture.output.out.hasPrefix("\(Self.group)\nNAME "), "\(fixture.output.out)")
        #expect(await fixture.run("cd https://example.com/subscriptions") == .failure)
        #expect(fixture.output.err.hasPrefix("error: Refusing to send a request to example.com: "), "\(fixture.output.err)")
    }

    @Test("cd asks one thing to know a place exists: the subscription or group itself, the provider, a first page")
    func cdAsksLittle() async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run("cd ~\ncd resourceGroups/ContosoRG\ncd providers/Microsoft.Network\ncd virtualNetworks") == .success)
        let asked = await fixture.server.arm.log.filter { !$0.contains("/oauth2/") }
        #expect(
            asked == [
                "GET /subscriptions", "GET \(Self.subscription)", "GET \(Self.group)", "GET \(Self.group)",
                "GET \(Self.subscription)/providers/Microsoft.Network",
                "GET \(Self.group)/providers/Microsoft.Network/virtualNetworks",
            ])
    }

    @Test("a mistyped namespace deeper in the path is named, with the close one")
    func aMistypedNamespaceDeeper() async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run("cd ~/resourceGroups/Nowhere/providers/Microsoft.Network") == .failure)
        #expect(
            fixture.output.err
                == "error: cd: nothing is named 'Nowhere' in \(Self.subscription)/resourceGroups. 'ls \(Self.subscription)/resourceGroups' lists what is there.\n"
        )
        #expect(await fixture.run("cd \(Self.group)/providers/Microsoft.Netwrk/virtualNetworks") == .failure)
        #expect(
            fixture.output.err.hasSuffix(
                "error: cd: nothing is named 'Microsoft.Netwrk' in \(Self.group)/providers. Did you mean 'Microsoft.Network'?\n"))
    }

    @Test("a GET that ARM does not find says which segment names nothing; a PUT's 404 is ARM's alone")
    func aVerbsNotFoundNamesTheSegment() async throws {
        let fixture = try await SessionFixture.start()
        let vnets = "\(Self.group)/providers/Microsoft.Network/virtualNetworks"
        #expect(await fixture.run("cd \(vnets)\nget ContosoVNt/subnets/App") == .failure)
        #expect(
            fixture.output.err.hasSuffix(
                "\n  Nothing is named 'ContosoVNt' in \(vnets). Did you mean 'ContosoVNet'?\n"), "\(fixture.output.err)")
        #expect(
            fixture.output.err.hasPrefix(
                "error: GET http://sandbox.localhost\(vnets)/ContosoVNt/subnets/App?api-version=2024-05-01 failed: HTTP 404 Not Found\n"))
    }

    @Test("at a VM: a collection its GET does not hold is said as one, with its view and actions")
    func whatIsUnderAVirtualMachine() async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run("ls \(Self.group)/providers/Microsoft.Compute/virtualMachines/MultiTierApp0") == .success)
        #expect(
            fixture.output.out == """
                NAME          WHAT
                extensions/   collection
                instanceView  view (get)
                start         action (post)
                restart       action (post)
                powerOff      action (post)
                deallocate    action (post)
                runCommand    action (post)

                """)
    }

    @Test("~ with no $subscriptionId and not one subscription: said, with what to do")
    func noHomeIsExplained() {
        #expect(
            ShellError.noHome(subscriptions: 2).description
                == "~ stands for your subscription, and this sign-in sees 2 subscriptions: set $subscriptionId = \"ID\" ('ls /subscriptions' lists them), or cd /subscriptions/ID."
        )
        #expect(
            ShellError.noHome(subscriptions: 0).description.hasPrefix(
                "~ stands for your subscription, and this sign-in sees no subscription: "))
    }

    @Test("~ is $subscriptionId when it is set")
    func homeIsTheSubscriptionVariable() async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run("$subscriptionId = \"00000000-0000-0000-0000-000000000000\"\ncd ~\npwd") == .success)
        #expect(fixture.output.out == "\(Self.subscription)\n")
        #expect(await !fixture.server.arm.log.contains("GET /subscriptions"))
    }
}
