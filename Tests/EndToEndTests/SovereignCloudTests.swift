import Foundation
import Testing

/// `--cloud`, `NWSH_CLOUD` and the Azure CLI's cloud, with the sandbox standing in for each cloud:
/// its Resource Manager, its Entra ID and the audience of its tokens.
@Suite struct SovereignCloudTests {
    struct Cloud: Sendable, CustomTestStringConvertible {
        var name: String
        var resourceManager: String
        var authority: String
        var testDescription: String { name }
    }

    static let clouds = [
        Cloud(name: "AzureCloud", resourceManager: "https://management.azure.com", authority: "https://login.microsoftonline.com"),
        Cloud(
            name: "AzureUSGovernment", resourceManager: "https://management.usgovcloudapi.net",
            authority: "https://login.microsoftonline.us"),
        Cloud(name: "AzureChinaCloud", resourceManager: "https://management.chinacloudapi.cn", authority: "https://login.chinacloudapi.cn"),
    ]

    /// A session on the sandbox standing in for a cloud reads that cloud's URLs, asks its tokens
    /// for that cloud's Resource Manager, and records the cloud's hosts; the recording replays
    /// offline in the cloud it names, with no --cloud.
    @Test(arguments: clouds)
    func theSandboxStandsInForEachCloud(cloud: Cloud) async throws {
        let directory = try temporaryDirectory()
        let cassette = directory.appendingPathComponent("cloud.cassette.json").path
        let command = "$r = get \(cloud.resourceManager)/subscriptions?api-version=2022-12-01; $r.value[0].displayName"
        let recorded = try await Binary.runOffThePool(
            Binary.nwsh, ["--sandbox", "--sandbox-retry-after", "0", "--cloud", cloud.name, "--record", cassette, "-c", command])
        #expect(recorded.status == 0, "\(recorded.err)")
        #expect(recorded.out == "Contoso Sandbox (nwsh)\n")

        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cassette))) as? [String: Any])
        let metadata = try #require(document["metadata"] as? [String: Any])
        let interactions = (document["events"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "interaction" }
        let requests = interactions.compactMap { $0["request"] as? [String: Any] }
        let urls = requests.compactMap { $0["url"] as? String }
        if cloud.name == "AzureCloud" {
            #expect(metadata["cloud"] == nil)
            #expect(metadata["description"] as? String == "Recorded from nwsh's built-in ARM sandbox, not from Azure.")
        } else {
            #expect(metadata["cloud"] as? String == cloud.name)
            #expect((metadata["description"] as? String)?.hasPrefix("Recorded from nwsh's built-in ARM sandbox standing in for ") == true)
        }
        #expect(urls.count == 2)
        #expect(urls.first?.hasPrefix(cloud.authority + "/") == true, "\(urls)")
        #expect(urls.first?.hasSuffix("/oauth2/v2.0/token") == true, "\(urls)")
        #expect(urls.last == cloud.resourceManager + "/subscriptions?api-version=2022-12-01")
        let form = (requests.first?["body"] as? [String: Any])?["text"] as? String ?? ""
        let scope = (cloud.resourceManager + "/.default").addingPercentEncoding(
            withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~")))
        #expect(form.contains("scope=" + (scope ?? "")), "\(form)")

        let replayed = try await Binary.runOffThePool(Binary.nwsh, ["--replay", cassette, "-c", command])
        #expect(replayed.status == 0, "\(replayed.err)")
        #expect(replayed.out == recorded.out)

        // Added to with new_episodes, with no --cloud, it stays in its cloud and still replays.
        let groups =
            "$g = get \(cloud.resourceManager)/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups?api-version=2021-04-01; $g.value.Count"
        let added = try await Binary.runOffThePool(
            Binary.nwsh, ["--sandbox", "--replay", cassette, "--record-mode", "new_episodes", "-c", command + "; " + groups])
        #expect(added.status == 0, "\(added.err)")
        let addedDocument = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cassette))) as? [String: Any])
        #expect((addedDocument["metadata"] as? [String: Any])?["cloud"] as? String == (cloud.name == "AzureCloud" ? nil : cloud.name))
        let rerun = try await Binary.runOffThePool(Binary.nwsh, ["--replay", cassette, "--rerun"])
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(rerun.out == recorded.out + added.out)
    }

    @Test func aURLWrittenForAnotherCloudIsRefused() throws {
        let result = try Binary.run(
            Binary.nwsh,
            ["--sandbox", "--cloud", "AzureUSGovernment", "-c", "get https://management.azure.com/subscriptions?api-version=2022-12-01"])
        #expect(result.status == 1)
        #expect(
            result.err
                == "error: -c:1: Refusing to send a request to management.azure.com: it is the Resource Manager of the public Azure cloud (AzureCloud), and this session is for Azure Government (AzureUSGovernment). Start nwsh with --cloud AzureCloud to work there.\n"
        )
    }

    /// `nwsh-sandbox --cloud` issues tokens for that cloud's Resource Manager only, as each cloud's
    /// Entra ID does: an nwsh for another cloud is refused with Entra ID's AADSTS500011.
    @Test func eachCloudsSignInGivesTokensForItsOwnResourceManagerOnly() async throws {
        let sandbox = try SandboxProcess.start(["--cloud", "AzureChinaCloud"])
        defer { sandbox.stop() }
        #expect(sandbox.banner == "nwsh-sandbox listening on \(sandbox.baseURL), standing in for Azure operated by 21Vianet\n")
        let environment = [
            "AZURE_TENANT_ID": sandbox.tenantID, "AZURE_CLIENT_ID": sandbox.clientID,
            "AZURE_CLIENT_SECRET": sandbox.clientSecret, "AZURE_AUTHORITY_HOST": sandbox.baseURL,
        ]
        let command = "$r = get https://management.chinacloudapi.cn/subscriptions?api-version=2022-12-01; whoami"
        let china = try await Binary.runOffThePool(
            Binary.nwsh, ["--cloud", "AzureChinaCloud", "--endpoint", sandbox.baseURL, "-c", command], environment: environment)
        #expect(china.status == 0, "\(china.err)")
        #expect(china.out.hasPrefix("Signed in to Azure operated by 21Vianet with service principal (AZURE_CLIENT_ID) as "), "\(china.out)")

        let publicCloud = try await Binary.runOffThePool(
            Binary.nwsh, ["--endpoint", sandbox.baseURL, "-c", "get /subscriptions?api-version=2022-12-01"], environment: environment)
        #expect(publicCloud.status == 1)
        #expect(
            publicCloud.err
                == "error: -c:1: Sign-in with service principal (AZURE_CLIENT_ID) was refused: invalid_resource: AADSTS500011: The resource principal named https://management.azure.com was not found in the tenant named \(sandbox.tenantID). This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.\n"
        )
    }

    /// With no --cloud or NWSH_CLOUD, a session that borrows the Azure CLI's sign-in is in the
    /// cloud the CLI is set to; a cloud named otherwise that the CLI is not set to is said plainly.
    @Test func theAzureCLIsCloudIsFollowedWhenItsSignInIsBorrowed() async throws {
        let directory = try temporaryDirectory()
        let log = directory.appendingPathComponent("arguments").path
        let script = """
            #!/bin/sh
            echo "$@" > '\(log)'
            echo '{"accessToken": "cli-token", "expires_on": 1893456000}'
            """
        try writeExecutable(script, to: directory.appendingPathComponent("az").path)
        try "[cloud]\nname = AzureChinaCloud\n".write(to: directory.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let environment = ["PATH": directory.path + ":/usr/bin:/bin", "AZURE_CONFIG_DIR": directory.path]

        let borrowed = try await Binary.runOffThePool(Binary.nwsh, ["-c", "login"], environment: environment)
        #expect(borrowed.status == 0, "\(borrowed.err)")
        #expect(
            borrowed.err.hasPrefix("Signed in to Azure operated by 21Vianet with Azure CLI (az account get-access-token); "),
            "\(borrowed.err)")
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("--resource https://management.chinacloudapi.cn/ "))

        var government = environment
        government["NWSH_CLOUD"] = "AzureUSGovernment"
        let refused = try await Binary.runOffThePool(Binary.nwsh, ["-c", "login"], environment: government)
        #expect(refused.status == 1)
        #expect(
            refused.err
                == "error: -c:1: The Azure CLI is set to the cloud AzureChinaCloud, and this session is for Azure Government (AzureUSGovernment), so its sign-in cannot be borrowed. Run 'az cloud set --name AzureUSGovernment' and 'az login', or start nwsh with --cloud AzureChinaCloud; or sign in another way (NWSH_ACCESS_TOKEN, or a service principal in AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET).\n"
        )
    }

    @Test func anEndpointOfAnotherCloudThanTheOneNamedStopsTheRun() throws {
        let result = try Binary.run(
            Binary.nwsh, ["--cloud", "AzureUSGovernment", "--endpoint", "https://management.azure.com", "-c", "exit"])
        #expect(result.status == 2)
        #expect(
            result.err
                == "error: --endpoint is the Resource Manager of the public Azure cloud (AzureCloud), and --cloud names Azure Government (AzureUSGovernment). Name one cloud: leave out one of them, or make them agree.\n"
        )
    }

    @Test func nwshSandboxRefusesACloudItDoesNotKnow() throws {
        let result = try Binary.run(Binary.sandbox, ["--cloud", "Mars"])
        #expect(result.status == 64)
        #expect(
            result.err.hasPrefix(
                "Error: The value 'Mars' is invalid for '--cloud <CLOUD>'. Please provide one of 'AzureCloud', 'AzureUSGovernment' or 'AzureChinaCloud'.\n"
            ), "\(result.err)")
    }

    @Test func anUnknownCloudInTheEnvironmentStopsTheRun() throws {
        let result = try Binary.run(Binary.nwsh, ["-c", "exit"], environment: ["NWSH_CLOUD": "AzureGov"])
        #expect(result.status == 2)
        #expect(
            result.err
                == "error: NWSH_CLOUD names the cloud 'AzureGov', which nwsh does not know. Name AzureCloud, AzureUSGovernment or AzureChinaCloud with --cloud (or NWSH_CLOUD). Did you mean 'AzureUSGovernment'?\n"
        )
    }
}
