import NetworkLab

/// A resource ID taken apart: `/subscriptions/S/resourceGroups/G/providers/NS/type/name[/child/name]...`.
///
/// Parsed once, over the ID's UTF-8 bytes (a lab of a hundred thousand resources parses every
/// ID it loads).
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
    /// The ID of the parent of a child resource (`.../virtualNetworks/V` for a subnet), else nil.
    var parent: String?

    /// The lower-cased ID, as the store keys resources.
    var key: String { id.lowercased() }

    /// The ID of the resource group that holds it (nil for subscriptions and groups themselves).
    var resourceGroupID: String? {
        guard let resourceGroup, type != "Microsoft.Resources/resourceGroups" else { return nil }
        return "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)"
    }

    /// Parses an ID; nil when it is not one (a collection, an action, another shape).
    init?(_ path: String) {
        let bytes = Array(path.utf8)
        var end = bytes.count
        while end > 1, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        guard end > 0, bytes[0] == UInt8(ascii: "/") else { return nil }
        // Segment boundaries: the start and end of each segment after the leading slash.
        var ranges: [Range<Int>] = []
        var start = 1
        for index in 1...end where index == end || bytes[index] == UInt8(ascii: "/") {
            guard index > start else { return nil }  // an empty segment
            ranges.append(start..<index)
            start = index + 1
        }
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func equals(_ range: Range<Int>, _ lowered: StaticString) -> Bool {
            guard range.count == lowered.utf8CodeUnitCount else { return false }
            return lowered.withUTF8Buffer { expected in
                zip(bytes[range], expected).allSatisfy { ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 }
            }
        }
        guard ranges.count >= 2, equals(ranges[0], "subscriptions") else { return nil }
        id = String(decoding: bytes[0..<end], as: UTF8.self)
        subscription = text(ranges[1])
        name = text(ranges[ranges.count - 1])
        parent = nil
        if ranges.count == 2 {
            resourceGroup = nil
            type = nil
            return
        }
        guard ranges.count >= 4, equals(ranges[2], "resourcegroups") else { return nil }
        resourceGroup = text(ranges[3])
        if ranges.count == 4 {
            type = "Microsoft.Resources/resourceGroups"
            return
        }
        // providers/NS/type/name, then pairs of child type and name.
        guard ranges.count >= 8, equals(ranges[4], "providers"), ranges.count % 2 == 0 else { return nil }
        var typeText = text(ranges[5]) + "/" + text(ranges[6])
        var index = 8
        while index + 1 < ranges.count {
            typeText += "/" + text(ranges[index])
            index += 2
        }
        type = Self.canonical(typeText)
        if ranges.count > 8 { parent = String(decoding: bytes[0..<(ranges[ranges.count - 3].upperBound)], as: UTF8.self) }
    }

    /// Whether the lab models the type (checks its bodies, answers its writes as long-running
    /// operations); any other type is stored and served as it is written.
    static func isModelled(_ type: String) -> Bool {
        let lowered = type.lowercased()
        return lowered == "microsoft.resources/resourcegroups" || modelled[lowered] != nil
    }

    /// The spelling ARM gives a modelled type, whatever case the path used.
    static func canonical(_ type: String) -> String { modelled[type.lowercased()] ?? type }

    /// The modelled types by their lower-cased spelling.
    private static let modelled: [String: String] = Dictionary(
        uniqueKeysWithValues: [
            "Microsoft.Network/virtualNetworks", "Microsoft.Network/virtualNetworks/subnets",
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "Microsoft.Network/networkSecurityGroups",
            "Microsoft.Network/networkSecurityGroups/securityRules", "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
            "Microsoft.Network/routeTables", "Microsoft.Network/routeTables/routes", "Microsoft.Network/networkInterfaces",
            "Microsoft.Network/networkInterfaces/ipConfigurations", "Microsoft.Network/applicationSecurityGroups",
            "Microsoft.Network/publicIPAddresses", "Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachines/extensions",
            "Microsoft.Network/networkWatchers",
        ].map { ($0.lowercased(), $0) })
}
