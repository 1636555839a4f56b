import ARM
import HTTPCore
import JSON
import Synchronization
import Testing

/// The lookups' own logic, over canned listings: which GETs they send and what they conclude.
/// (`check` runs them against the sandbox in ShellTests.)
@Suite struct ResourceLookupTests {
    /// Answers GETs from a table of path prefixes, and remembers what was asked.
    final class Listings: Sendable {
        let answers: [(String, String)]
        let asked = Mutex<[String]>([])
        init(_ answers: [(String, String)]) { self.answers = answers }

        var lookup: ResourceLookup {
            ResourceLookup { [self] target in
                asked.withLock { $0.append(target) }
                let path = String(target.prefix { $0 != "?" })
                guard let text = answers.first(where: { $0.0 == path })?.1 else { return nil }
                return try JSONParser.parse(text)
            }
        }
    }

    static let subscriptions = (#"/subscriptions"#, #"{"value": [{"subscriptionId": "s1"}, {"subscriptionId": "s2"}]}"#)

    @Test func aVMIsFoundByNameIgnoringCaseAcrossSubscriptions() async throws {
        let listings = Listings([
            Self.subscriptions,
            (
                "/subscriptions/s1/providers/Microsoft.Compute/virtualMachines",
                #"{"value": [{"name": "web", "id": "/subscriptions/s1/vm/web"}]}"#
            ),
            (
                "/subscriptions/s2/providers/Microsoft.Compute/virtualMachines",
                #"{"value": [{"name": "App0", "id": "/subscriptions/s2/vm/App0", "location": "westus"}]}"#
            ),
        ])
        let vm = try await listings.lookup.virtualMachine(named: "app0")
        #expect(vm == ResourceLookup.VirtualMachine(id: "/subscriptions/s2/vm/App0", location: "westus"))
        #expect(
            listings.asked.withLock { $0 } == [
                "/subscriptions?api-version=\(ARMAPIVersion.subscriptions)",
                "/subscriptions/s1/providers/Microsoft.Compute/virtualMachines?api-version=\(ARMAPIVersion.compute)",
                "/subscriptions/s2/providers/Microsoft.Compute/virtualMachines?api-version=\(ARMAPIVersion.compute)",
            ])
    }

    @Test func aNameNoVMOrSeveralHaveIsRefused() async throws {
        let listings = Listings([
            Self.subscriptions,
            ("/subscriptions/s1/providers/Microsoft.Compute/virtualMachines", #"{"value": [{"name": "db", "id": "/a/db"}]}"#),
            ("/subscriptions/s2/providers/Microsoft.Compute/virtualMachines", #"{"value": [{"name": "DB", "id": "/b/DB"}]}"#),
        ])
        await #expect(throws: LookupError.noVirtualMachineNamed("web", subscriptions: 2)) {
            try await listings.lookup.virtualMachine(named: "web")
        }
        await #expect(throws: LookupError.virtualMachineNameIsAmbiguous("db", ids: ["/a/db", "/b/DB"])) {
            try await listings.lookup.virtualMachine(named: "db")
        }
    }

    @Test func theWatcherIsTheOneInTheVMsRegionWrittenEitherWay() async throws {
        let vm = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/app"
        let listings = Listings([
            (vm, #"{"location": "West US"}"#),
            (
                "/subscriptions/s1/providers/Microsoft.Network/networkWatchers",
                """
                {"value": [{"name": "NetworkWatcher_eastus", "id": "/w/east", "location": "eastus"},
                           {"name": "NetworkWatcher_westus", "id": "/w/west", "location": "westus"}]}
                """
            ),
        ])
        let found = try await listings.lookup.networkWatcher(forVirtualMachine: vm)
        #expect(found == ResourceLookup.NetworkWatcher(id: "/w/west", name: "NetworkWatcher_westus", region: "West US"))
        // A known region is not asked for again.
        let known = Listings(listings.answers)
        _ = try await known.lookup.networkWatcher(forVirtualMachine: vm, location: "eastus")
        #expect(
            known.asked.withLock { $0 } == [
                "/subscriptions/s1/providers/Microsoft.Network/networkWatchers?api-version=\(ARMAPIVersion.network)"
            ])
    }

    @Test func noRegionOrNoWatcherThereIsSaidAsSuch() async throws {
        let vm = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/app"
        let listings = Listings([(vm, #"{}"#), ("/subscriptions/s1/providers/Microsoft.Network/networkWatchers", #"{"value": []}"#)])
        await #expect(throws: LookupError.noRegion(vm: "app")) { try await listings.lookup.networkWatcher(forVirtualMachine: vm) }
        await #expect(throws: LookupError.noWatcher(region: "northeurope", subscription: "s1", vm: "app")) {
            try await listings.lookup.networkWatcher(forVirtualMachine: vm, location: "northeurope")
        }
    }
}
