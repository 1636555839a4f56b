import JSON

/// How the `api-version` of a URL written without one is chosen: a fixed version for the paths of
/// Azure Resource Manager's own APIs, else the newest stable version the resource's provider lists
/// for its type in its metadata (`GET /subscriptions/S/providers/NAMESPACE`).
public enum APIVersionChoice: Sendable, Equatable {
    /// A fixed version, and the API it belongs to in words.
    case fixed(String, api: String)
    /// Ask the provider's metadata: its namespace, the type segments to look up (falling back to
    /// the parent type's when a child type is not listed), and the subscription to ask in (nil:
    /// at the tenant, `GET /providers/NAMESPACE`).
    case provider(namespace: String, types: [String], subscription: String?)
    /// A path nwsh cannot place in ARM's tree: it is sent as it is, and ARM says what it misses.
    case unknown

    /// The version of ARM's subscriptions API (`/subscriptions`, `/subscriptions/S`, its
    /// locations, `/tenants`), a stable one of `specification/resources/resource-manager/Microsoft.Resources/stable`
    /// in Azure/azure-rest-api-specs.
    public static let subscriptionsVersion = "2022-12-01"
    /// The version of ARM's resources API (resource groups, their resources, providers, tags,
    /// deployments), from the same specification folder.
    public static let resourcesVersion = "2021-04-01"

    /// How to choose the version for a path.
    public static func choose(for path: ARMPath) -> APIVersionChoice {
        let count = path.segments.count
        if count == 0 { return .unknown }
        if path.segment(0, is: "tenants") { return .fixed(subscriptionsVersion, api: "the subscriptions API") }
        if let provider = path.provider {
            // `/providers/NS` or `.../providers/NS` itself is the provider's metadata, and
            // `Microsoft.Resources/deployments` is ARM's own resources API. Other Microsoft.Resources
            // types (templateSpecs, deploymentScripts, ...) have versions of their own.
            let isDeployment = provider.namespace.lowercased() == "microsoft.resources" && provider.types[0].lowercased() == "deployments"
            if provider.types.isEmpty || isDeployment {
                return .fixed(resourcesVersion, api: "the resources API")
            }
            return .provider(namespace: provider.namespace, types: provider.types, subscription: path.subscription)
        }
        guard path.segment(0, is: "subscriptions") else {
            return path.segment(0, is: "providers") ? .fixed(resourcesVersion, api: "the resources API") : .unknown
        }
        // `/subscriptions`, `/subscriptions/S`, `/subscriptions/S/locations`.
        if count <= 2 || (count == 3 && path.segment(2, is: "locations")) {
            return .fixed(subscriptionsVersion, api: "the subscriptions API")
        }
        // Resource groups, a group's or the subscription's resources, providers, tags.
        let known = ["resourcegroups", "resources", "providers", "tagnames", "tags"]
        return known.contains(path.segments[2].lowercased()) ? .fixed(resourcesVersion, api: "the resources API") : .unknown
    }

    /// Whether a version is a stable one: a plain date, `YYYY-MM-DD` (not `-preview`, `-beta`, `-alpha`).
    public static func isStable(_ version: String) -> Bool {
        let bytes = Array(version.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        return bytes.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 || ($0.element >= 48 && $0.element <= 57) }
    }

    /// The newest of a list of versions: the newest stable one, else (a type with only previews)
    /// the newest of the others that start with a date. Versions are dates, so they compare as text.
    public static func newest(of versions: [String]) -> (version: String, stable: Bool)? {
        if let stable = versions.filter(isStable).max() { return (stable, true) }
        let dated = versions.filter { $0.count > 10 && isStable(String($0.prefix(10))) }
        return dated.max().map { ($0, false) }
    }

    /// The error codes with which ARM refuses a version for a type, and lists the versions it
    /// takes in the message.
    public static let refusalCodes: Set<String> = ["noregisteredproviderfound", "invalidresourcetype", "invalidapiversionparameter"]

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    /// The versions a refusal's message lists: `... The supported api-versions are '2024-05-01,
    /// 2024-03-01, ...'.` (NoRegisteredProviderFound, InvalidResourceType) or `The supported
    /// versions are '...'` (InvalidApiVersionParameter); empty when it lists none.
    public static func supportedVersions(inMessage message: String) -> [String] {
        for marker in ["supported api-versions are '", "supported versions are '"] {
            guard let range = message.firstRange(of: marker) else { continue }
            let list = message[range.upperBound...].prefix { $0 != "'" }
            return list.split(separator: ",").map(Self.trimmed).filter { !$0.isEmpty }
        }
        return []
    }
}

/// The api-versions a provider lists for each of its resource types, as its metadata gives them
/// (`GET /subscriptions/S/providers/NAMESPACE`:
/// https://learn.microsoft.com/rest/api/resources/providers/get).
public struct ProviderVersions: Sendable, Equatable {
    public let namespace: String
    /// Each type as the provider names it (`virtualNetworks/subnets`), with its versions as listed.
    public let types: [String: [String]]
    /// Lower-cased type to its name as listed: types compare ignoring case.
    private let names: [String: String]

    public init(namespace: String, types: [String: [String]]) {
        self.namespace = namespace
        self.types = types
        var names: [String: String] = [:]
        for name in types.keys { names[name.lowercased()] = name }
        self.names = names
    }

    /// Reads the provider's metadata; nil when it is not a provider (no `resourceTypes`).
    public init?(json: JSONValue) {
        guard let listed = json["resourceTypes"]?.arrayValue else { return nil }
        var types: [String: [String]] = [:]
        for entry in listed {
            guard let type = entry["resourceType"]?.stringValue else { continue }
            types[type, default: []] += (entry["apiVersions"]?.arrayValue ?? []).compactMap(\.stringValue)
        }
        self.init(namespace: json["namespace"]?.stringValue ?? "", types: types)
    }

    /// The version for a type path: its own list's newest, else its parent type's, and so on up
    /// (the metadata lists `virtualNetworks`, not always `virtualNetworks/subnets`; an action
    /// such as `networkWatchers/connectivityCheck` takes its resource's). `type` is the type as
    /// the provider names it. Nil when neither the type nor any parent is listed.
    public func choose(types path: [String]) -> (type: String, version: String, stable: Bool)? {
        var path = path.map { $0.lowercased() }
        while !path.isEmpty {
            if let name = names[path.joined(separator: "/")], let newest = APIVersionChoice.newest(of: types[name] ?? []) {
                return (name, newest.version, newest.stable)
            }
            path.removeLast()
        }
        return nil
    }
}
