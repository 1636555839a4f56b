import ARMPaths
import JSON
import Testing

@Suite struct ARMPathTests {
    static let vnet = "/subscriptions/S/resourceGroups/ContosoRG/providers/Microsoft.Network/virtualNetworks/ContosoVNet"

    @Test(
        "paths taken apart: subscription, group, and the provider's namespace, types and names",
        arguments: [
            ("/", nil, nil, nil),
            ("/subscriptions", nil, nil, nil),
            ("/subscriptions/S/", "S", nil, nil),
            ("/subscriptions/S/resourceGroups/ContosoRG", "S", "ContosoRG", nil),
            ("\(vnet)/subnets/App?api-version=1", "S", "ContosoRG", "Microsoft.Network/virtualNetworks/subnets [ContosoVNet,App]"),
            ("\(vnet)/subnets", "S", "ContosoRG", "Microsoft.Network/virtualNetworks/subnets [ContosoVNet]"),
            ("/subscriptions/S/providers/Microsoft.Compute/virtualMachines", "S", nil, "Microsoft.Compute/virtualMachines []"),
            ("/providers/Microsoft.Network", nil, nil, "Microsoft.Network []"),
            // An extension resource: the last provider part is the one its type is read from.
            (
                "\(vnet)/providers/Microsoft.Insights/diagnosticSettings/d", "S", "ContosoRG",
                "Microsoft.Insights/diagnosticSettings [d]"
            ),
            // A resource group named "providers" is a name, not a provider part.
            ("/subscriptions/S/resourceGroups/providers/providers/NS/things/t", "S", "providers", "NS/things [t]"),
        ])
    func takenApart(path: String, subscription: String?, group: String?, provider: String?) throws {
        let parsed = try #require(ARMPath(path))
        #expect(parsed.subscription == subscription)
        #expect(parsed.resourceGroup == group)
        #expect(parsed.provider.map { "\($0.resourceType) [\($0.names.joined(separator: ","))]" } == provider)
    }

    @Test("what is not a path: no leading slash, an empty segment")
    func notPaths() {
        #expect(ARMPath("subscriptions/S") == nil)
        #expect(ARMPath("/subscriptions//resourceGroups") == nil)
        #expect(ARMPath("https://management.azure.com/subscriptions") == nil)
        #expect(ARMPath("/subscriptions/S///")?.description == "/subscriptions/S")
    }

    @Test(
        "the api-version choice for a path",
        arguments: [
            ("/subscriptions", "fixed 2022-12-01 (the subscriptions API)"),
            ("/subscriptions/S", "fixed 2022-12-01 (the subscriptions API)"),
            ("/subscriptions/S/locations", "fixed 2022-12-01 (the subscriptions API)"),
            ("/tenants", "fixed 2022-12-01 (the subscriptions API)"),
            ("/subscriptions/S/resourceGroups", "fixed 2021-04-01 (the resources API)"),
            ("/subscriptions/S/resourceGroups/G", "fixed 2021-04-01 (the resources API)"),
            ("/subscriptions/S/resourceGroups/G/resources", "fixed 2021-04-01 (the resources API)"),
            ("/subscriptions/S/resources", "fixed 2021-04-01 (the resources API)"),
            ("/subscriptions/S/providers", "fixed 2021-04-01 (the resources API)"),
            ("/subscriptions/S/providers/Microsoft.Network", "fixed 2021-04-01 (the resources API)"),
            ("/providers/Microsoft.Network", "fixed 2021-04-01 (the resources API)"),
            ("/subscriptions/S/resourceGroups/G/providers/Microsoft.Resources/deployments/d", "fixed 2021-04-01 (the resources API)"),
            (
                "/subscriptions/S/resourceGroups/G/providers/Microsoft.Resources/templateSpecs/t",
                "provider Microsoft.Resources templateSpecs in S"
            ),
            ("\(vnet)/subnets/App", "provider Microsoft.Network virtualNetworks/subnets in S"),
            ("/providers/Microsoft.Network/operations", "provider Microsoft.Network operations at the tenant"),
            ("/subscriptions/S/somethingElse", "unknown"),
            ("/nothing", "unknown"),
            ("/", "unknown"),
        ])
    func choice(path: String, expected: String) throws {
        let choice = APIVersionChoice.choose(for: try #require(ARMPath(path)))
        let said =
            switch choice {
            case .fixed(let version, let api): "fixed \(version) (\(api))"
            case .provider(let namespace, let types, let subscription):
                "provider \(namespace) \(types.joined(separator: "/")) \(subscription.map { "in \($0)" } ?? "at the tenant")"
            case .unknown: "unknown"
            }
        #expect(said == expected)
    }

    @Test("the newest version: stable before preview, dates compared; only previews give the newest preview")
    func newest() {
        #expect(
            APIVersionChoice.newest(of: ["2014-04-01-preview", "2024-05-01", "2025-01-01-preview", "2018-12-01-alpha", "2014-04"])?
                .version == "2024-05-01")
        #expect(APIVersionChoice.newest(of: ["2023-01-01-preview", "2024-02-01-preview"])! == ("2024-02-01-preview", false))
        #expect(APIVersionChoice.newest(of: ["2014-04", "latest"]) == nil)
        #expect(APIVersionChoice.newest(of: []) == nil)
    }

    /// The messages as ARM writes them (quoted in azure-cli issue 28496 and pulumi-azure-native
    /// issue 584 for NoRegisteredProviderFound, hashicorp/vault-plugin-secrets-azure issue 13 for
    /// InvalidApiVersionParameter).
    @Test("the versions a refusal lists")
    func supportedVersions() {
        #expect(
            APIVersionChoice.supportedVersions(
                inMessage:
                    "No registered resource provider found for location 'eastus' and API version '2099-01-01' for type 'networkInterfaces'. The supported api-versions are '2014-12-01-preview, 2015-06-15, 2024-05-01'. The supported locations are 'westus, eastus'."
            ) == ["2014-12-01-preview", "2015-06-15", "2024-05-01"])
        #expect(
            APIVersionChoice.supportedVersions(
                inMessage: "The api-version '2018-01-01-preview' is invalid. The supported versions are '2018-08-01,2018-07-01,2014-04'.")
                == ["2018-08-01", "2018-07-01", "2014-04"])
        #expect(APIVersionChoice.supportedVersions(inMessage: "The resource type could not be found.") == [])
    }

    @Test("a provider's metadata: a type's own versions, else its parent's; nothing for a type it does not list")
    func providerVersions() throws {
        let json = try JSONParser.parse(
            #"{"namespace": "Microsoft.Network", "resourceTypes": [{"resourceType": "virtualNetworks", "apiVersions": ["2025-01-01-preview", "2024-05-01", "2023-09-01"]}, {"resourceType": "networkWatchers/connectionMonitors", "apiVersions": ["2024-03-01"]}, {"resourceType": "networkWatchers", "apiVersions": ["2024-05-01"]}]}"#
        )
        let provider = try #require(ProviderVersions(json: json))
        #expect(provider.choose(types: ["virtualNetworks"])! == ("virtualNetworks", "2024-05-01", true))
        #expect(provider.choose(types: ["VirtualNetworks", "subnets"])! == ("virtualNetworks", "2024-05-01", true))
        #expect(
            provider.choose(types: ["networkWatchers", "connectionMonitors"])! == ("networkWatchers/connectionMonitors", "2024-03-01", true)
        )
        #expect(provider.choose(types: ["networkwatchers", "connectivityCheck"])! == ("networkWatchers", "2024-05-01", true))
        #expect(provider.choose(types: ["widgets"]) == nil)
        #expect(ProviderVersions(json: try JSONParser.parse(#"{"value": []}"#)) == nil)
    }
}

@Suite struct RelativePathTests {
    static let group = ARMPath("/subscriptions/S/resourceGroups/ContosoRG")!
    static let home = ARMPath("/subscriptions/S")!

    @Test(
        "what is written, resolved against the location",
        arguments: [
            ("/subscriptions", "/subscriptions", nil),
            (
                "providers/Microsoft.Network/virtualNetworks",
                "/subscriptions/S/resourceGroups/ContosoRG/providers/Microsoft.Network/virtualNetworks", nil
            ),
            ("..", "/subscriptions/S/resourceGroups", nil),
            ("../../..", "/subscriptions", nil),
            ("../../../../../..", "/", nil),
            ("./providers/../resources/", "/subscriptions/S/resourceGroups/ContosoRG/resources", nil),
            ("~", "/subscriptions/S", nil),
            ("~/resourceGroups", "/subscriptions/S/resourceGroups", nil),
            ("-", "/subscriptions/S/resourceGroups/Other", nil),
            ("ipFlowVerify?api-version=2024-05-01", "/subscriptions/S/resourceGroups/ContosoRG/ipFlowVerify", "api-version=2024-05-01"),
        ])
    func resolved(written: String, path: String, query: String?) throws {
        let previous = ARMPath("/subscriptions/S/resourceGroups/Other")
        let resolved = try ARMPath.resolve(written, from: Self.group, previous: previous, home: Self.home)
        #expect(resolved.path.description == path)
        #expect(resolved.query == query)
    }

    /// Found by the `paths` fuzz target: a segment that starts with a combining mark makes one
    /// character of the slash and the mark, so splitting by characters lost the slash.
    @Test("a segment that starts with a combining mark keeps its slash")
    func combiningMarks() throws {
        let resolved = try ARMPath.resolve("\u{59F}/x?q=\u{301}", from: .root)
        #expect(resolved.path.segments == ["\u{59F}", "x"])
        #expect(resolved.query == "q=\u{301}")
        #expect(ARMPath(resolved.path.description) == resolved.path)
        #expect(ARMPath("/a/\u{301}b/")?.segments == ["a", "\u{301}b"])
        #expect(ARMPath.splitQuery("/a?\u{301}=1").query == "\u{301}=1")
    }

    @Test("what cannot be resolved")
    func problems() {
        #expect(throws: PathProblem.noPreviousLocation) { try ARMPath.resolve("-", from: Self.group) }
        #expect(throws: PathProblem.noHome) { try ARMPath.resolve("~/x", from: Self.group) }
        #expect(throws: PathProblem.emptySegment("a//b")) { try ARMPath.resolve("a//b", from: Self.group) }
    }

    @Test(
        "the location in a prompt: without the subscription, resourceGroups and providers/NAMESPACE; shortened to fit",
        arguments: [
            ("/", 40, ""),
            ("/subscriptions", 40, "subscriptions"),
            ("/subscriptions/00000000-0000-0000-0000-000000000000", 40, "subscriptions/00000000…"),
            (
                "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Network", 40,
                "00000000…/providers/Microsoft.Network"
            ),
            ("/subscriptions/S/resourceGroups/ContosoRG", 40, "ContosoRG"),
            (
                "/subscriptions/S/resourceGroups/ContosoRG/providers/Microsoft.Network/virtualNetworks/ContosoVNet", 40,
                "ContosoRG/virtualNetworks/ContosoVNet"
            ),
            (
                "/subscriptions/S/resourceGroups/ContosoRG/providers/Microsoft.Network/networkSecurityGroups/ContosoAppNsg/securityRules",
                40,
                "…/ContosoAppNsg/securityRules"
            ),
            ("/subscriptions/S/resourceGroups/ContosoRG/providers", 40, "ContosoRG/providers"),
            ("/subscriptions/S/resourceGroups/G/providers/Microsoft.Network", 40, "G/providers/Microsoft.Network"),
            (
                "/subscriptions/S/resourceGroups/ContosoRG/providers/Microsoft.Network/networkSecurityGroups/averyveryveryverylongname", 20,
                "…eryveryverylongname"
            ),
        ])
    func shortened(path: String, width: Int, shown: String) throws {
        #expect(try #require(ARMPath(path)).shortened(toFit: width) == shown)
    }

    @Test("what is under a type: collections, views and actions, whatever the case")
    func children() {
        #expect(ResourceTree.children(ofType: "microsoft.network/virtualNetworks").collections == ["subnets", "virtualNetworkPeerings"])
        #expect(ResourceTree.children(ofType: "Microsoft.Compute/virtualMachines").views == ["instanceView"])
        #expect(ResourceTree.children(ofType: "Microsoft.Network/networkWatchers").actions.first == "connectivityCheck")
        #expect(ResourceTree.children(ofType: "Microsoft.Storage/storageAccounts") == ResourceTree.Children())
    }
}
