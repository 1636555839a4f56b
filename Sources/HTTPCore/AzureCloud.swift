/// An Azure cloud: where its Resource Manager and its Entra ID sign-in are, and so what a token
/// for its Resource Manager is asked for.
///
/// nwsh knows the three clouds the Azure CLI ships with, by the names `az cloud list` gives them.
/// The values are the ones the Azure SDKs and the Azure CLI use (azure-sdk-for-go
/// `sdk/azcore/cloud/clouds.go`; azure-cli `azure/cli/core/cloud.py`) and that Microsoft's pages
/// on Azure Government and Azure operated by 21Vianet list
/// (https://learn.microsoft.com/azure/azure-government/compare-azure-government-global-azure,
/// https://learn.microsoft.com/azure/china/resources-developer-guide).
public struct AzureCloud: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The name `az cloud set --name` takes: `AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`.
    public let name: String
    /// The cloud in words, for messages ("Azure Government", "the public Azure cloud").
    public let displayName: String
    /// Its Resource Manager, without a trailing slash.
    public let resourceManager: String
    /// The host of its Resource Manager (`management.azure.com`), which every absolute URL a
    /// session resolves is compared with.
    public let resourceManagerHost: String
    /// Its Entra ID authority host, without a trailing slash.
    public let authorityHost: String
    /// The older audience its Resource Manager also accepts, which the Azure CLI asks tokens for
    /// (`active_directory_resource_id`: `https://management.core.windows.net`), without a trailing
    /// slash.
    public let managementCoreAudience: String

    /// The public cloud.
    public static let azureCloud = AzureCloud(
        name: "AzureCloud", displayName: "the public Azure cloud", resourceManager: "https://management.azure.com",
        authorityHost: "https://login.microsoftonline.com", managementCoreAudience: "https://management.core.windows.net")
    /// Azure Government (US).
    public static let azureUSGovernment = AzureCloud(
        name: "AzureUSGovernment", displayName: "Azure Government", resourceManager: "https://management.usgovcloudapi.net",
        authorityHost: "https://login.microsoftonline.us", managementCoreAudience: "https://management.core.usgovcloudapi.net")
    /// Azure operated by 21Vianet (China).
    public static let azureChinaCloud = AzureCloud(
        name: "AzureChinaCloud", displayName: "Azure operated by 21Vianet", resourceManager: "https://management.chinacloudapi.cn",
        authorityHost: "https://login.chinacloudapi.cn", managementCoreAudience: "https://management.core.chinacloudapi.cn")

    /// Every cloud nwsh knows, the public one first.
    public static let all: [AzureCloud] = [.azureCloud, .azureUSGovernment, .azureChinaCloud]

    /// The cloud with this name, compared without regard to case (as `az cloud set` does); nil
    /// for a name nwsh does not know.
    public static func named(_ name: String) -> AzureCloud? {
        let lowered = name.lowercased()
        return all.first { $0.name.lowercased() == lowered }
    }

    /// The cloud whose Resource Manager has this (lower-case) host name, if any.
    public static func owning(resourceManagerHost host: String) -> AzureCloud? {
        all.first { $0.resourceManagerHost == host }
    }

    init(name: String, displayName: String, resourceManager: String, authorityHost: String, managementCoreAudience: String) {
        self.name = name
        self.displayName = displayName
        self.resourceManager = resourceManager
        self.resourceManagerHost = String(resourceManager.dropFirst("https://".count))
        self.authorityHost = authorityHost
        self.managementCoreAudience = managementCoreAudience
    }

    /// The OAuth scope of a token for its Resource Manager: the Resource Manager's URL, one of the
    /// token audiences that cloud's ARM accepts, with `/.default`.
    public var resourceManagerScope: String { resourceManager + "/.default" }

    /// The audience a token for its Resource Manager carries (the `aud` claim).
    public var resourceManagerAudience: String { resourceManager + "/" }

    /// Whether this is the public cloud, which cassettes do not name.
    public var isPublic: Bool { name == AzureCloud.azureCloud.name }

    public var description: String { name }
}
