import Foundation
import Testing

/// The network lab through the binaries: a copy of a network taken with a few GETs (recorded on
/// the sandbox, or imported from an Azure CLI recording) loads with `--lab`, and the checks run
/// against what was copied.
@Suite struct LabTests {
    static let subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"

    /// The GETs the README gives for copying a network: each type's list across the
    /// subscription, and each VM's extensions (the Network Watcher agent).
    static let copyScript = """
        $s = "\(subscription)"
        get "$s/providers/Microsoft.Network/virtualNetworks?api-version=2024-05-01"
        get "$s/providers/Microsoft.Network/networkSecurityGroups?api-version=2024-05-01"
        get "$s/providers/Microsoft.Network/routeTables?api-version=2024-05-01"
        get "$s/providers/Microsoft.Network/networkInterfaces?api-version=2024-05-01"
        get "$s/providers/Microsoft.Network/networkWatchers?api-version=2024-05-01"
        get "$s/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01"
        """

    /// The README's walkthrough: the check blames a rule, the rule is deleted, the check again is
    /// reachable, and `diff` says fixed.
    @Test("the troubleshooting loop through the binary")
    func troubleshootingLoop() async throws {
        let rule =
            "\(Self.subscription)/resourceGroups/ContosoRG/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg/securityRules/Port80"
        let script = "check MultiTierApp0 10.1.4.4:80\ndelete \(rule)?api-version=2024-05-01\ncheck MultiTierApp0 10.1.4.4:80\ndiff"
        let result = try await Binary.runOffThePool(Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", "-c", script])
        // The first check was unreachable: the script went on, and its status says so.
        #expect(result.status == 3, "\(result.err)")
        #expect(
            result.out.hasSuffix(
                """
                The last two checks of MultiTierApp0 to 10.1.4.4 port 80 (Tcp):
                Verdict: Unreachable → Reachable: fixed.
                Probes failed: 100 of 100 → 0 of 100.
                Latency: min none → 0 ms, avg none → 3 ms, max none → 21 ms.

                Issues resolved:
                  - Error at hop 3 (VirtualAppliance 10.1.3.4, network interface auNic): outbound traffic is denied by the network security rule UserRule_Port80.

                """), "\(result.out)")
    }

    @Test("a copy recorded on the sandbox after a fix loads as the lab, and the check runs against the copy")
    func copyRecordedOnTheSandbox() async throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("copy.cassette.json").path
        let rule =
            "\(Self.subscription)/resourceGroups/ContosoRG/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg/securityRules/Port80"
        let recorded = try await Binary.runOffThePool(
            Binary.nwsh,
            [
                "--sandbox", "--sandbox-retry-after", "0", "--record", cassette, "-c",
                "delete \(rule)?api-version=2024-05-01\n" + Self.copyScript,
            ])
        #expect(recorded.status == 0, "\(recorded.err)")

        let check = "check MultiTierApp0 10.1.4.4:80"
        let bundled = try await Binary.runOffThePool(Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", "-c", check])
        #expect(bundled.status == 3, "the bundled Contoso network still has the rule: \(bundled.out)")
        let copied = try await Binary.runOffThePool(
            Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", "--lab", cassette, "-c", check])
        #expect(copied.status == 0, "\(copied.out)\(copied.err)")
        #expect(copied.out.hasPrefix("Reachable"), "\(copied.out)")
        #expect(
            copied.err.hasPrefix(
                "Loaded the lab from \(cassette) (nwsh cassette): 15 resources in 1 subscription (00000000-0000-0000-0000-000000000000).\nAdded what the file did not hold: subscription 00000000-0000-0000-0000-000000000000; resource group \(Self.subscription)/resourceGroups/ContosoRG; resource group \(Self.subscription)/resourceGroups/ContosoExampleRG; resource group \(Self.subscription)/resourceGroups/NetworkWatcherRG.\n"
            ), "\(copied.err)")
    }

    @Test("an Azure CLI recording (vcrpy) of a network loads as the lab; what cannot be read is named and left out")
    func copyImportedFromVcrpy() async throws {
        let fixture = Binary.fixtures.appendingPathComponent("lab-cli-network.yaml").path
        let result = try await Binary.runOffThePool(
            Binary.nwsh,
            ["--sandbox", "--sandbox-retry-after", "0", "--lab", fixture, "-c", "check vmApp 10.20.2.4:443\ncheck vmApp 10.20.2.4:80"])
        #expect(result.status == 3, "\(result.err)")
        #expect(
            result.err.hasPrefix(
                """
                Loaded the lab from \(fixture) (vcrpy YAML): 6 resources in 1 subscription (00000000-0000-0000-0000-000000000000).
                Added what the file did not hold: subscription 00000000-0000-0000-0000-000000000000; resource group \(Self.subscription)/resourceGroups/cli_lab; resource group \(Self.subscription)/resourceGroups/NetworkWatcherRG; network watcher \(Self.subscription)/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westus.
                1 could not be read and was left out:
                  GET \(Self.subscription)/resourceGroups/cli_lab/providers/Microsoft.Network/networkInterfaces, item 3: a resource without an 'id'

                """), "\(result.err)")
        #expect(result.out.hasPrefix("Reachable"), "\(result.out)")
        #expect(result.out.contains("inbound traffic is denied by the network security rule UserRule_DenyWeb"), "\(result.out)")
    }

    @Test("nwsh-sandbox --lab serves a JSON list of ARM resources, as az resource list prints it")
    func sandboxServesAResourceList() throws {
        let directory = try temporaryDirectory()
        let file = directory.appendingPathComponent("resources.json")
        let group = "\(Self.subscription)/resourceGroups/json_lab"
        try Data(
            #"""
            {"value": [{"id": "\#(group)/providers/Microsoft.Network/networkSecurityGroups/onlyNsg", "name": "onlyNsg", "type": "Microsoft.Network/networkSecurityGroups", "location": "northeurope", "properties": {"securityRules": []}},
                       {"id": "\#(group)/providers/Microsoft.Web/sites/app", "name": "app", "type": "Microsoft.Web/sites", "location": "northeurope", "kind": "app"}]}
            """#.utf8
        ).write(to: file)
        let server = try SandboxProcess.start(["--lab", file.path])
        defer { server.stop() }
        let script = """
            get "\(group)/providers/Microsoft.Web/sites/app?api-version=2023-12-01"
            $nsg = get "\(group)/providers/Microsoft.Network/networkSecurityGroups/onlyNsg?api-version=2024-05-01"
            $nsg.properties.defaultSecurityRules.Count
            """
        let environment = [
            "NWSH_ENDPOINT": server.baseURL, "AZURE_AUTHORITY_HOST": server.baseURL,
            "AZURE_TENANT_ID": "72f988bf-0000-0000-0000-000000000000",
            "AZURE_CLIENT_ID": "11111111-2222-3333-4444-555555555555", "AZURE_CLIENT_SECRET": "nwsh-sandbox-secret", "NWSH_HISTORY": "",
        ]
        let result = try Binary.run(Binary.nwsh, ["-c", script], environment: environment)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("\"kind\": \"app\""))
        // Recorded without its default rules, the group gets Azure's six.
        #expect(result.out.hasSuffix("\n6\n"), "\(result.out)")
    }

    @Test(
        "a lab file that cannot be read stops the start with the reason",
        arguments: [
            ("missing.json", nil, "no such file"),
            ("list.json", "[1, 2", "it is not valid JSON: "),
            (
                "other.json", #"{"name": "x"}"#,
                "it is JSON, but not a cassette, a HAR file, a list of ARM resources ([...] or {\"value\": [...]}) or one resource"
            ),
        ])
    func unreadableLabFiles(name: String, content: String?, reason: String) throws {
        let directory = try temporaryDirectory()
        let file = directory.appendingPathComponent(name)
        if let content { try Data(content.utf8).write(to: file) }
        let result = try Binary.run(Binary.nwsh, ["--sandbox", "--lab", file.path, "-c", "whoami"])
        #expect(result.status == 2)
        #expect(result.err.contains("Cannot load the lab from \(file.path): \(reason)"), "\(result.err)")
    }

    @Test func nwshSandboxSaysWhyItCannotLoadALab() throws {
        let missing = try temporaryDirectory().appendingPathComponent("missing.json").path
        let result = try Binary.run(Binary.sandbox, ["--port", "0", "--lab", missing])
        #expect(result.status == 2)
        #expect(result.err == "nwsh-sandbox: Cannot load the lab from \(missing): no such file.\n")
    }

    @Test func labWithoutSandboxIsAUsageError() throws {
        let result = try Binary.run(Binary.nwsh, ["--lab", "x.json", "-c", "whoami"])
        #expect(result.status == 64)
        #expect(result.err.hasPrefix("error: --lab loads a network into the sandbox; give --sandbox too.\n"))
    }
}
