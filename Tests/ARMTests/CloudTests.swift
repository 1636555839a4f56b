import ARM
import Foundation
import HTTPCore
import Sandbox
import Testing

/// The three Azure clouds: their endpoints, how URLs written for each are read, and the Azure
/// CLI's cloud setting.
@Suite struct CloudTests {
    /// The values the Azure CLI (`azure/cli/core/cloud.py`) and azure-sdk-for-go use.
    @Test(arguments: [
        ("AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.azure.com/.default"),
        (
            "AzureUSGovernment", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us",
            "https://management.usgovcloudapi.net/.default"
        ),
        (
            "AzureChinaCloud", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn",
            "https://management.chinacloudapi.cn/.default"
        ),
    ])
    func eachCloudHasItsResourceManagerAuthorityAndScope(name: String, resourceManager: String, authority: String, scope: String) throws {
        let cloud = try #require(AzureCloud.named(name.uppercased()))
        #expect(cloud.name == name)
        #expect(cloud.resourceManager == resourceManager)
        #expect(cloud.authorityHost == authority)
        #expect(cloud.resourceManagerScope == scope)
        #expect(AzureCloud.owning(resourceManagerHost: cloud.resourceManagerHost) == cloud)
    }

    @Test func aCloudsPublicURLsGoToTheEndpointAndAnotherCloudsAreRefused() throws {
        let endpoint = try Endpoint("http://127.0.0.1:8080", cloud: .azureUSGovernment)
        #expect(
            try endpoint.resolve("https://management.usgovcloudapi.net/subscriptions?api-version=2022-12-01")
                == "http://127.0.0.1:8080/subscriptions?api-version=2022-12-01")
        #expect(throws: ARMError.otherCloud(host: "management.azure.com", cloud: .azureCloud, sessionCloud: .azureUSGovernment)) {
            try endpoint.resolve("https://management.azure.com/subscriptions")
        }
        #expect(
            ARMError.otherCloud(host: "management.azure.com", cloud: .azureCloud, sessionCloud: .azureUSGovernment).description
                == "Refusing to send a request to management.azure.com: it is the Resource Manager of the public Azure cloud (AzureCloud), and this session is for Azure Government (AzureUSGovernment). Start nwsh with --cloud AzureCloud to work there."
        )
        // The public cloud's endpoint refuses Azure China's URLs the same way.
        #expect(throws: ARMError.otherCloud(host: "management.chinacloudapi.cn", cloud: .azureChinaCloud, sessionCloud: .azureCloud)) {
            try Endpoint("https://management.azure.com").resolve("https://management.chinacloudapi.cn/subscriptions")
        }
    }

    @Test(
        arguments: [
            ("[cloud]\nname = AzureUSGovernment\n", "AzureUSGovernment"),
            ("[core]\noutput = json\n\n[cloud]\nname=AzureChinaCloud\n[defaults]\nname = x\n", "AzureChinaCloud"),
            ("[cloud]\r\nNAME: AzureCloud\r\n", "AzureCloud"),
            ("# [cloud]\n[cloud]\n; name = AzureChinaCloud\n  name = AzureUSGovernment  \n", "AzureUSGovernment"),
            ("[defaults]\nname = AzureUSGovernment\n", nil),
            ("[cloud]\nname =\n", nil),
            ("", nil),
        ] as [(String, String?)])
    func theAzureCLIsCloudIsReadFromItsConfiguration(text: String, name: String?) {
        #expect(AzureCLIConfiguration.cloudName(configuration: text) == name)
    }

    @Test func azureCloudNameOverridesTheFileInAzureConfigDir() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-azconfig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "[cloud]\nname = AzureChinaCloud\n".write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        #expect(AzureCLIConfiguration.cloudName(environment: ["AZURE_CONFIG_DIR": directory]) == "AzureChinaCloud")
        #expect(
            AzureCLIConfiguration.cloudName(environment: ["AZURE_CONFIG_DIR": directory, "AZURE_CLOUD_NAME": "AzureUSGovernment"])
                == "AzureUSGovernment")
        // Without AZURE_CONFIG_DIR the file is ~/.azure/config.
        try FileManager.default.createDirectory(atPath: directory + "/home/.azure", withIntermediateDirectories: true)
        try "[cloud]\nname = AzureUSGovernment\n".write(toFile: directory + "/home/.azure/config", atomically: true, encoding: .utf8)
        #expect(AzureCLIConfiguration.cloudName(environment: ["HOME": directory + "/home"]) == "AzureUSGovernment")
        #expect(AzureCLIConfiguration.cloudName(environment: ["HOME": directory + "/nobody"]) == nil)
    }

    @Test func theAzureCLIsTokenIsAskedForTheCloudsResourceManager() async throws {
        let (directory, log) = try AzureCLITests.fakeAzureCLI(output: #"{"accessToken": "cli-token", "expires_on": 1893456000}"#)
        try "[cloud]\nname = AzureChinaCloud\n".write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        let source = AzureCLITokenSource(environment: ["PATH": directory, "AZURE_CONFIG_DIR": directory], cloud: .azureChinaCloud)
        let token = try await source.acquire(scope: AzureCloud.azureChinaCloud.resourceManagerScope)
        #expect(token.value == "cli-token")
        #expect(
            try String(contentsOfFile: log, encoding: .utf8)
                == "account get-access-token --resource https://management.chinacloudapi.cn/ --output json\n")
    }

    @Test func anAzureCLISetToAnotherCloudIsNotAsked() async throws {
        let (directory, log) = try AzureCLITests.fakeAzureCLI(output: #"{"accessToken": "cli-token", "expires_on": 1893456000}"#)
        // No configuration: the CLI is on the public cloud.
        let source = AzureCLITokenSource(environment: ["PATH": directory, "AZURE_CONFIG_DIR": directory], cloud: .azureUSGovernment)
        await #expect(throws: AuthError.azureCLIOtherCloud(configured: "AzureCloud", session: .azureUSGovernment)) {
            _ = try await source.acquire(scope: AzureCloud.azureUSGovernment.resourceManagerScope)
        }
        #expect(!FileManager.default.fileExists(atPath: log))
        #expect(
            AuthError.azureCLIOtherCloud(configured: "AzureCloud", session: .azureUSGovernment).description
                == "The Azure CLI is set to the cloud AzureCloud, and this session is for Azure Government (AzureUSGovernment), so its sign-in cannot be borrowed. Run 'az cloud set --name AzureUSGovernment' and 'az login', or start nwsh with --cloud AzureCloud; or sign in another way (NWSH_ACCESS_TOKEN, or a service principal in AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET)."
        )
        #expect(
            AuthError.azureCLIOtherCloud(configured: "MyAzureStack", session: .azureCloud).description
                == "The Azure CLI is set to the cloud MyAzureStack, and this session is for the public Azure cloud (AzureCloud), so its sign-in cannot be borrowed. Run 'az cloud set --name AzureCloud' and 'az login'; or sign in another way (NWSH_ACCESS_TOKEN, or a service principal in AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET)."
        )
    }

    /// Standing in for a cloud, the sandbox's Entra ID issues tokens for either audience that
    /// cloud's Resource Manager accepts, among other scopes, and refuses another cloud's.
    @Test(arguments: [
        ("https://management.usgovcloudapi.net/.default", 200),
        ("https://management.core.usgovcloudapi.net//.default", 200),
        ("openid https://management.usgovcloudapi.net/.default", 200),
        ("https://management.azure.com/.default", 400),
        ("https://management.core.windows.net//.default", 400),
    ])
    func theSandboxIssuesTokensForItsOwnCloudsResourceManager(scope: String, status: Int) async throws {
        let response = try await Self.tokenAnswer(scope: scope)
        #expect(response.status == status, "\(String(decoding: response.body, as: UTF8.self))")
    }

    @Test func aTokenAskedWithNoScopeIsRefusedAsEntraIDRefusesIt() async throws {
        let response = try await Self.tokenAnswer(scope: "")
        #expect(response.status == 400)
        #expect(
            String(decoding: response.body, as: UTF8.self).contains(
                #""error_description": "AADSTS900144: The request body must contain the following parameter: 'scope'.""#))
    }

    static func tokenAnswer(scope: String) async throws -> SandboxResponse {
        let arm = SandboxARM(data: try SandboxData.bundled(), options: SandboxOptions(cloud: .azureUSGovernment))
        let encoded = scope.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? scope
        let form = "grant_type=client_credentials&client_id=\(arm.data.clientID)&client_secret=\(arm.data.clientSecret)&scope=\(encoded)"
        return await arm.handle(
            SandboxRequest(
                method: "POST", path: "/\(arm.data.tenantID)/oauth2/v2.0/token", body: Array(form.utf8), baseURL: "http://127.0.0.1:1"))
    }
}
