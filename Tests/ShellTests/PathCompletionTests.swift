import ARM
import Foundation
import JSON
import Sandbox
import ShellLanguage
import Testing

@testable import Shell

/// Tab completion of ARM paths: the word taken apart (pure), and each level completed from the
/// sandbox's answers through a session.
@Suite struct PathCompletionTests {
    static let subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"
    static let group = "\(subscription)/resourceGroups/ContosoRG"

    @Test(
        "where a path is being typed, and which place lists its next segment",
        arguments: [
            ("cd ", "", "", false),
            ("cd /", "sub", "/", false),
            ("ls /subscriptions/", "", "/subscriptions", false),
            ("get \"/subscriptions/S/", "res", "/subscriptions/S", false),
            ("$x = get https://management.azure.com/subscriptions/", "", "https://management.azure.com/subscriptions", false),
            ("armclient post subnets/", "A", "subnets", false),
            ("ls --json ~/", "res", "~", false),
            ("get --no-paging $vnet/", "", "$vnet", false),
            ("get /subscriptions/S/resourceGroups/G?api-version=", "20", "/subscriptions/S/resourceGroups/G", true),
            ("get '/x/y?a=b&api-version=", "", "/x/y", true),
        ])
    func requests(line: String, word: String, directory: String, versions: Bool) throws {
        let request = try #require(PathCompletion.request(lineBeforeWord: line, word: word, variables: Variables()))
        #expect(request == PathCompletion.Request(directory: directory, partial: word, versions: versions))
    }

    @Test(
        "not a path: another command, a second argument, a variable or an option being typed",
        arguments: [
            ("explain ", ""), ("get /a ", ""), ("get /a/", "$su"), ("get ", "-h"), ("check /sub/", ""), ("", "ge"),
            ("get -h x /a/", ""), ("ls --nothing /", ""),
        ])
    func notPaths(line: String, word: String) {
        #expect(PathCompletion.request(lineBeforeWord: line, word: word, variables: Variables()) == nil)
    }

    @Test("a variable before the path stands for its value: a string, or a resource's id")
    func variables() {
        var variables = Variables()
        variables.set("vnet", to: .object(JSONObject(["id": .string("/subscriptions/S/x/vnet")])))
        variables.set("s", to: .string("/subscriptions/S"))
        #expect(
            PathCompletion.request(lineBeforeWord: "get $vnet/", word: "", variables: variables)?.directory == "/subscriptions/S/x/vnet")
        #expect(
            PathCompletion.request(lineBeforeWord: "get ${s}/resourceGroups/", word: "", variables: variables)?.directory
                == "/subscriptions/S/resourceGroups")
        #expect(PathCompletion.request(lineBeforeWord: "get $nothing/", word: "", variables: variables)?.directory == "$nothing")
    }

    /// Each level, as a person walks down to ContosoAppNsg's rules.
    @Test(
        "each level completes from what the sandbox holds",
        arguments: [
            ("cd ", "", ["providers/", "subscriptions/"]),
            ("cd /subscriptions/", "", ["00000000-0000-0000-0000-000000000000/"]),
            ("cd /subscriptions/", "contoso", ["00000000-0000-0000-0000-000000000000/"]),
            ("cd \(subscription)/", "", ["providers/", "resourceGroups/", "resources"]),
            ("cd \(subscription)/resourceGroups/", "contoso", ["ContosoExampleRG/", "ContosoRG/"]),
            ("cd \(group)/", "", ["providers/", "resources"]),
            ("cd \(group)/providers/", "", ["Microsoft.Compute/", "Microsoft.Network/"]),
            ("cd \(group)/providers/Microsoft.Network/", "n", ["networkInterfaces/", "networkSecurityGroups/"]),
            ("cd \(group)/providers/Microsoft.Network/networkSecurityGroups/", "", ["ContosoAppNsg/"]),
            (
                "cd \(group)/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg/", "",
                ["defaultSecurityRules/", "securityRules/"]
            ),
            ("ls \(group)/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg/securityRules/", "", ["Port80/"]),
            (
                "get \(subscription)/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus/",
                "c", ["connectionMonitors/", "connectivityCheck"]
            ),
            ("get \(subscription)/providers/", "", ["Microsoft.Compute/", "Microsoft.Network/"]),
            ("get \(subscription)/providers/Microsoft.Compute/", "v", ["virtualMachines/"]),
            ("get \(group)/providers/Microsoft.Compute/virtualMachines/MultiTierApp0?api-version=", "2024", ["2024-07-01", "2024-03-01"]),
            ("get \(group)?api-version=", "", ["2021-04-01"]),
        ])
    func levels(line: String, word: String, expected: [String]) async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.session.completePath(lineBeforeWord: line, word: word) == .candidates(expected))
    }

    @Test("relative to the location and after a variable; lookups kept for the session, asked again after a write")
    func relativeAndCached() async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run("cd \(Self.group)/providers/Microsoft.Network\n$vnet = get virtualNetworks/ContosoVNet") == .success)
        let session = fixture.session
        #expect(
            await session.completePath(lineBeforeWord: "get ../", word: "") == .candidates(["Microsoft.Compute/", "Microsoft.Network/"]))
        #expect(await session.completePath(lineBeforeWord: "get ", word: "route") == .candidates(["routeTables/"]))
        #expect(
            await session.completePath(lineBeforeWord: "ls routeTables/", word: "")
                == .candidates(["ContosoAppRoutes/", "ContosoFirewallRoutes/"]))
        #expect(await session.completePath(lineBeforeWord: "get $vnet/", word: "") == .candidates(["subnets/", "virtualNetworkPeerings/"]))
        #expect(await session.completePath(lineBeforeWord: "get $vnet/subnets/", word: "d") == .candidates(["database0-subnet/"]))
        let lookups = { await fixture.server.arm.log.filter { $0 == "GET \(Self.group)/providers/Microsoft.Network/routeTables" }.count }
        #expect(
            await session.completePath(lineBeforeWord: "ls routeTables/", word: "C")
                == .candidates(["ContosoAppRoutes/", "ContosoFirewallRoutes/"]))
        #expect(await lookups() == 1)
        #expect(await fixture.run("delete routeTables/ContosoFirewallRoutes") == .failure, "still used by a subnet")
        #expect(await fixture.run("put routeTables/Spare '{\"location\": \"westcentralus\"}'") == .success, "\(fixture.output.err)")
        #expect(
            await session.completePath(lineBeforeWord: "ls routeTables/", word: "")
                == .candidates(["ContosoAppRoutes/", "ContosoFirewallRoutes/", "Spare/"]))
        // Asked again: three tables are two of the sandbox's pages.
        #expect(await lookups() == 3)
    }

    @Test("completion writes nothing, -v or not, even when it looks up ~")
    func completionIsQuiet() async throws {
        let fixture = try await SessionFixture.start(style: OutputStyle(progress: true, verbose: true))
        #expect(await fixture.session.completePath(lineBeforeWord: "ls ~/", word: "res") == .candidates(["resourceGroups/", "resources"]))
        #expect(
            await fixture.session.completePath(lineBeforeWord: "ls ~/resourceGroups/", word: "Net") == .candidates(["NetworkWatcherRG/"]))
        #expect(fixture.output.err == "")
        #expect(fixture.output.out == "")
    }

    @Test("a lookup that fails says why in a few words")
    func aFailedLookup() async throws {
        let fixture = try await SessionFixture.start()
        await fixture.server.arm.inject(Fault(.status(403, retryAfter: nil), pathContains: "/resourceGroups", method: "GET"))
        #expect(
            await fixture.session.completePath(lineBeforeWord: "cd \(Self.subscription)/resourceGroups/", word: "")
                == .failed("HTTP 403 InjectedFault"))
    }
}
