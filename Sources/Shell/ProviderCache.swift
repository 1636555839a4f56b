import ARMPaths
import Foundation
import JSON

/// Provider metadata kept between sessions: `$XDG_CACHE_HOME/nwsh` (else `~/.cache/nwsh`), one
/// file per endpoint and subscription (`providers-HOST-SUBSCRIPTION.json`), each namespace with
/// when it was read; renewed after a day. A file that cannot be read or parsed is ignored and
/// written again; one that cannot be written is left alone (the session has the metadata anyway).
struct ProviderCache: Sendable {
    let directory: String
    /// How long a namespace's metadata is used before it is asked again.
    static let lifetime: TimeInterval = 86_400

    /// The cache directory the environment names, if any.
    static func directory(environment: [String: String]) -> String? {
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/nwsh" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/nwsh" }
        return nil
    }

    /// The file for an endpoint (`http://127.0.0.1:8080`) and subscription (nil: the tenant).
    func file(endpoint: String, subscription: String?) -> String {
        let host = endpoint.split(separator: "://").last.map(String.init) ?? endpoint
        let name = "providers-\(host)-\(subscription ?? "tenant")".map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        return directory + "/" + String(name) + ".json"
    }

    /// A namespace's metadata and when it was read, if the file has it.
    func read(endpoint: String, subscription: String?, namespace: String) -> (provider: ProviderVersions, fetched: Date)? {
        guard let entry = entries(endpoint: endpoint, subscription: subscription)[namespace.lowercased()],
            let seconds = entry["fetched"]?.numberValue?.doubleValue, let types = entry["types"]?.objectValue
        else { return nil }
        var versions: [String: [String]] = [:]
        for member in types.members { versions[member.key] = member.value.arrayValue?.compactMap(\.stringValue) ?? [] }
        return (
            ProviderVersions(namespace: entry["namespace"]?.stringValue ?? namespace, types: versions), Date(timeIntervalSince1970: seconds)
        )
    }

    /// Writes a namespace's metadata, keeping the file's other namespaces.
    func write(endpoint: String, subscription: String?, provider: ProviderVersions, fetched: Date) {
        var all = entries(endpoint: endpoint, subscription: subscription)
        var types = JSONObject()
        for key in provider.types.keys.sorted() { types[key] = .array((provider.types[key] ?? []).map(JSONValue.string)) }
        all[provider.namespace.lowercased()] = .object(
            JSONObject([
                "namespace": .string(provider.namespace), "fetched": .number(JSONNumber(fetched.timeIntervalSince1970.rounded(.down))),
                "types": .object(types),
            ]))
        var namespaces = JSONObject()
        for key in all.keys.sorted() { namespaces[key] = all[key] }
        let document = JSONObject([
            "endpoint": .string(endpoint), "subscription": subscription.map(JSONValue.string) ?? .null, "providers": .object(namespaces),
        ])
        let path = file(endpoint: endpoint, subscription: subscription)
        // Owner-only, as the history file is: it names the subscriptions a person works in.
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try? Data(JSONFormatter().bytes(.object(document))).write(to: URL(fileURLWithPath: path), options: .atomic)
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    private func entries(endpoint: String, subscription: String?) -> [String: JSONValue] {
        let path = file(endpoint: endpoint, subscription: subscription)
        guard let data = FileManager.default.contents(atPath: path), let json = try? JSONParser.parse(bytes: Array(data)),
            let providers = json["providers"]?.objectValue
        else { return [:] }
        var entries: [String: JSONValue] = [:]
        for member in providers.members { entries[member.key] = member.value }
        return entries
    }
}
