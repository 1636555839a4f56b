import ARMPaths
import JSON
import ShellLanguage

/// What Tab offers for an ARM path, segment by segment, where `get`, `post`, `put`, `patch`,
/// `delete`, `cd` and `ls` take one (inside `"..."` and after `$var/` too): at `/`, `subscriptions`
/// and `providers`; subscription IDs (a display name completes to its ID); a subscription's
/// `resourceGroups`, `providers` and `resources`; group names; the namespaces and types present in
/// a group; a provider's types; resource names; what is under a resource (``ResourceTree``:
/// collections, views, actions); and after `?api-version=`, the versions of the path's type.
/// Pure: the session looks up what ``Source/lookup(_:_:)`` asks for.
enum PathCompletion {
    /// The commands whose first argument is a path.
    static let pathCommands: Set = ["get", "post", "put", "patch", "delete", "cd", "ls"]

    /// The word being completed, taken apart. `/` breaks words (as do spaces, quotes and `=`),
    /// so the word is the segment being typed and the path before it ends the line before it.
    struct Request: Equatable {
        /// The path to list, as written (relative, absolute or an absolute URL), variables
        /// substituted; its children are the candidates.
        var directory: String
        /// What is typed of the segment being completed.
        var partial: String
        /// Completing the value of `api-version=` for this path.
        var versions: Bool
    }

    /// One thing under a place: its name, whether things lie under it (a `/` follows it when
    /// completed), and another name that completes to it (a subscription's display name).
    struct Child: Equatable {
        var name: String
        var hasChildren = true
        var alias: String?
    }

    /// Where a place's children come from.
    enum Source {
        /// Known without asking.
        case fixed([Child])
        /// From a GET of this path, read by the function.
        case lookup(ARMPath, @Sendable (JSONValue) -> [Child])
    }

    /// The request for a word, or nil when it is not a path argument of a path command (or a
    /// variable is being typed, which the variables' completion offers).
    static func request(lineBeforeWord: String, word: String, variables: Variables) -> Request? {
        guard !word.hasPrefix("$"), !word.hasPrefix("-") else { return nil }
        var line = Substring(lineBeforeWord)
        let versions = line.lowercased().hasSuffix("api-version=")
        if versions {
            line = line.dropLast("api-version=".count)
            guard line.hasSuffix("?") || line.hasSuffix("&") else { return nil }
            line = line.dropLast()
        }
        // The path typed so far: the end of the line after its last space.
        let spaced = line.last.map { $0 == " " || $0 == "\t" } ?? true
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var path = spaced ? "" : words.removeLast()
        if words.first?.lowercased() == "armclient" { words.removeFirst() }
        if words.count >= 2, words[1] == "=", words[0].hasPrefix("$") { words.removeFirst(2) }
        // The command, and no argument before the path but flags that take no value (`ls --json`).
        guard let command = words.first?.lowercased(), pathCommands.contains(command), let spec = CommandRegistry.spec(named: command),
            words.dropFirst().allSatisfy({ spec.option(named: $0).map { $0.value == nil } ?? false })
        else { return nil }
        while path.first == "\"" || path.first == "'" { path.removeFirst() }
        if versions {
            if let question = path.firstIndex(of: "?") { path = String(path[..<question]) }
            return Request(directory: substituted(path, variables: variables), partial: word, versions: true)
        }
        guard !path.contains("?") else { return nil }
        // `/subscriptions/` lists `/subscriptions`; `/` lists the top; `` the location.
        var directory = path
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        return Request(directory: substituted(directory, variables: variables), partial: word, versions: false)
    }

    /// A leading `$var` (or `${var}`) replaced by its value: a string, or a resource's `id`.
    static func substituted(_ text: String, variables: Variables) -> String {
        guard text.hasPrefix("$") else { return text }
        var rest = text.dropFirst()
        let braced = rest.hasPrefix("{")
        if braced { rest = rest.dropFirst() }
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        rest = rest.dropFirst(name.count)
        if braced {
            guard rest.hasPrefix("}") else { return text }
            rest = rest.dropFirst()
        }
        guard let value = variables[String(name)], let base = value.stringValue ?? value["id"]?.stringValue else { return text }
        return base + rest
    }

    /// Where the children of a place come from.
    static func source(for path: ARMPath) -> Source {
        let lowered = path.segments.map { $0.lowercased() }
        switch lowered.count {
        case 0: return .fixed([Child(name: "subscriptions"), Child(name: "providers")])
        case 1 where lowered[0] == "subscriptions":
            return .lookup(path) { json in
                (json["value"]?.arrayValue ?? []).compactMap { subscription in
                    subscription["subscriptionId"]?.stringValue.map { Child(name: $0, alias: subscription["displayName"]?.stringValue) }
                }
            }
        case 2 where lowered[0] == "subscriptions":
            return .fixed([Child(name: "resourceGroups"), Child(name: "providers"), Child(name: "resources", hasChildren: false)])
        case 4 where lowered[0] == "subscriptions" && lowered[2] == "resourcegroups":
            return .fixed([Child(name: "providers"), Child(name: "resources", hasChildren: false)])
        default: break
        }
        switch Listing.at(path) {
        case .resourceGroups, .collection: return .lookup(path, names)
        case .namespaces:
            return .lookup(Listing.request(for: path)) { json in
                unique(
                    (json["value"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue?.split(separator: "/").first.map(String.init) }
                )
                .map { Child(name: $0) }
            }
        case .types(let namespace):
            return .lookup(Listing.request(for: path)) { json in
                let prefix = namespace.lowercased() + "/"
                return unique(
                    (json["value"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }.filter { $0.lowercased().hasPrefix(prefix) }
                        .map { String($0.dropFirst(prefix.count)) }
                ).map { Child(name: $0) }
            }
        case .providers:
            return .lookup(path) { json in
                (json["value"]?.arrayValue ?? []).compactMap { $0["namespace"]?.stringValue.map { Child(name: $0) } }
            }
        case .provider:
            return .lookup(path) { json in
                (json["resourceTypes"]?.arrayValue ?? []).compactMap { $0["resourceType"]?.stringValue }.filter { !$0.contains("/") }
                    .map { Child(name: $0) }
            }
        case .resource(let type):
            let children = ResourceTree.children(ofType: type)
            return .fixed(
                children.collections.map { Child(name: $0) }
                    + (children.views + children.actions).map { Child(name: $0, hasChildren: false) })
        case .subscriptions, .resources, .other: return .fixed([])
        }
    }

    /// The names of a list's items.
    @Sendable static func names(_ json: JSONValue) -> [Child] {
        (json["value"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue.map { Child(name: $0) } }
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0.lowercased()).inserted }
    }

    /// The candidates among a place's children: those whose name (or alias) starts with what is
    /// typed, ignoring case, each followed by `/` when things lie under it.
    static func candidates(_ children: [Child], for request: Request) -> [String] {
        let typed = request.partial.lowercased()
        var matching = children.filter { $0.name.lowercased().hasPrefix(typed) }
        // A display name completes to its ID only when it names one, and no ID starts so: libedit
        // would otherwise put the IDs' common start in place of the name typed.
        let byAlias = children.filter { $0.alias?.lowercased().hasPrefix(typed) ?? false }
        if matching.isEmpty, byAlias.count == 1 { matching = byAlias }
        return matching.map { $0.name + ($0.hasChildren ? "/" : "") }
            .sorted { $0.lowercased() < $1.lowercased() }
    }

    /// The api-version values for a path's type: a fixed version, or every version its provider
    /// lists, newest stable first.
    static func versions(_ provider: ProviderVersions?, for path: ARMPath, typed: String) -> [String] {
        var listed: [String] = []
        switch APIVersionChoice.choose(for: path) {
        case .fixed(let version, _): listed = [version]
        case .provider(_, let types, _):
            guard let provider, let chosen = provider.choose(types: types) else { return [] }
            let all = provider.types[chosen.type] ?? []
            listed = all.filter(APIVersionChoice.isStable).sorted(by: >) + all.filter { !APIVersionChoice.isStable($0) }.sorted(by: >)
        case .unknown: return []
        }
        return listed.filter { $0.hasPrefix(typed) }
    }
}
