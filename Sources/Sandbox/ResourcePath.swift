import NetworkLab

/// A resource ID taken apart: `/subscriptions/S/resourceGroups/G/providers/NS/type/name[/child/name]...`.
struct ResourcePath: Equatable {
    /// The ID as written, without a trailing slash.
    var id: String
    /// The subscription ID.
    var subscription: String
    /// The resource group's name (nil for the subscription itself).
    var resourceGroup: String?
    /// `Microsoft.Network/virtualNetworks/subnets`, `Microsoft.Resources/resourceGroups`; nil for a subscription.
    var type: String?
    /// The last segment.
    var name: String

    /// The lower-cased ID, as the store keys resources.
    var key: String { id.lowercased() }

    /// The ID of the parent of a child resource (`.../virtualNetworks/V` for a subnet), else nil.
    var parent: String? {
        guard let type, type.split(separator: "/").count > 2 else { return nil }
        let segments = id.split(separator: "/")
        return "/" + segments.dropLast(2).joined(separator: "/")
    }

    /// The ID of the resource group that holds it (nil for subscriptions and groups themselves).
    var resourceGroupID: String? {
        guard let resourceGroup, type?.lowercased() != "microsoft.resources/resourcegroups" else { return nil }
        return "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)"
    }

    /// Parses an ID; nil when it is not one (a collection, an action, another shape).
    init?(_ path: String) {
        var text = Substring(path)
        while text.count > 1, text.last == "/" { text.removeLast() }
        let segments = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        guard text.first == "/", segments.count >= 2, segments[0].lowercased() == "subscriptions", !segments.contains("") else {
            return nil
        }
        id = String(text)
        subscription = segments[1]
        name = segments[segments.count - 1]
        if segments.count == 2 {
            resourceGroup = nil
            type = nil
            return
        }
        guard segments.count >= 4, segments[2].lowercased() == "resourcegroups" else { return nil }
        resourceGroup = segments[3]
        if segments.count == 4 {
            type = "Microsoft.Resources/resourceGroups"
            return
        }
        // providers/NS/type/name, then pairs of child type and name.
        guard segments.count >= 8, segments[4].lowercased() == "providers", segments.count % 2 == 0 else { return nil }
        var typeParts = [segments[5], segments[6]]
        var index = 8
        while index + 1 < segments.count {
            typeParts.append(segments[index])
            index += 2
        }
        type = Self.canonical(typeParts.joined(separator: "/"))
    }

    /// Whether the lab models the type (checks its bodies, answers its writes as long-running
    /// operations); any other type is stored and served as it is written.
    static func isModelled(_ type: String) -> Bool {
        let lowered = type.lowercased()
        return lowered == "microsoft.resources/resourcegroups" || modelled.contains { $0.lowercased() == lowered }
    }

    /// The spelling ARM gives a modelled type, whatever case the path used.
    static func canonical(_ type: String) -> String {
        modelled.first { $0.lowercased() == type.lowercased() } ?? type
    }

    private static let modelled = [
        "Microsoft.Network/virtualNetworks", "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Network/networkSecurityGroups/securityRules", "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
        "Microsoft.Network/routeTables", "Microsoft.Network/routeTables/routes", "Microsoft.Network/networkInterfaces",
        "Microsoft.Network/networkInterfaces/ipConfigurations", "Microsoft.Network/applicationSecurityGroups",
        "Microsoft.Network/publicIPAddresses", "Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachines/extensions",
        "Microsoft.Network/networkWatchers",
    ]
}
