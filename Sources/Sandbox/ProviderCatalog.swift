import JSON

/// ARM's provider metadata, as the sandbox serves it: `GET /subscriptions/S/providers` (the list),
/// `GET /subscriptions/S/providers/NS` (one provider, its resource types and their api-versions),
/// and the same at the tenant (`/providers`, `/providers/NS`)
/// (https://learn.microsoft.com/rest/api/resources/providers). Namespaces compare ignoring case,
/// as ARM's do.
struct ProviderCatalog: Sendable {
    let providers: [JSONValue]

    /// The answer for a GET of `path` (its segments), or nil when the path is not provider
    /// metadata. `subscriptionExists` says whether a subscription in the path is the sandbox's.
    func answer(_ segments: [String], subscriptionExists: (String) -> Bool) -> SandboxResponse? {
        // Every GET passes here: a path longer than a provider's is let through before anything else.
        guard segments.count <= 4 else { return nil }
        let lowered = segments.map { $0.lowercased() }
        let scope: String
        let rest: ArraySlice<String>
        if lowered.count >= 3, lowered.count <= 4, lowered[0] == "subscriptions", lowered[2] == "providers" {
            guard subscriptionExists(segments[1]) else { return nil }
            scope = "/subscriptions/\(segments[1])"
            rest = segments[3...]
        } else if lowered.count >= 1, lowered.count <= 2, lowered[0] == "providers" {
            scope = ""
            rest = segments[1...]
        } else {
            return nil
        }
        guard let namespace = rest.first else {
            return SandboxARM.json(200, .object(JSONObject(["value": .array(providers.map { provider($0, in: scope) })])))
        }
        guard let found = providers.first(where: { $0["namespace"]?.stringValue?.lowercased() == namespace.lowercased() }) else {
            // As ARM answers a namespace it does not know.
            return SandboxARM.error(404, "InvalidResourceNamespace", "The resource namespace '\(namespace)' is invalid.")
        }
        return SandboxARM.json(200, provider(found, in: scope))
    }

    /// A provider as ARM gives it: with its ID in the scope asked.
    private func provider(_ json: JSONValue, in scope: String) -> JSONValue {
        guard case .object(let object) = json else { return json }
        var answer = JSONObject(["id": .string("\(scope)/providers/\(object["namespace"]?.stringValue ?? "")")])
        for member in object.members where member.key != "id" { answer[member.key] = member.value }
        return .object(answer)
    }
}
