import ARM
import ARMPaths
import JSON

extension Session {
    /// The location as a prompt shows it (``ARMPath/shortened(toFit:)``), in at most `width`
    /// characters; empty at the root.
    public func promptLocation(width: Int) -> String { location.shortened(toFit: width) }

    /// What a person wrote for a URL, as the target to send: an absolute URL or a path starting
    /// with `/` as written; anything else read relative to the location (`subnets/App`, `..`,
    /// `~/resourceGroups`, `.` for the location itself), its query kept. Nothing at all is refused:
    /// a variable that held `$null` must not send a request to wherever `cd` has gone.
    func target(_ written: String) async throws -> String {
        let path = ARMPath.splitQuery(written).path
        if ARMPath.isAbsolute(path) || path.contains("://") { return written }
        let (resolved, query) = try await resolve(written)
        return resolved.description + (query.map { "?" + $0 } ?? "")
    }

    /// A resource written relative to the location, as its path (`check ../virtualMachines/Database0`,
    /// `check . 10.1.4.4:80` at a VM); anything else as written: an ID, an address, a VM's name
    /// (which has no `/`), a URL, nothing.
    func relative(_ written: String) async throws -> String {
        let path = ARMPath.splitQuery(written).path
        let isRelative =
            !ARMPath.isAbsolute(path) && !path.contains("://")
            && (path == "." || path == ".." || path == "~" || path.hasPrefix("~/") || path.contains("/"))
        return isRelative ? try await target(written) : written
    }

    /// A path written relative to the location, absolute, or as an absolute URL on the endpoint
    /// (`https://management.azure.com/subscriptions/...`), with its query. `quietly`, when given,
    /// is the client a lookup of `~` goes through (Tab completion's, which shows nothing).
    func resolve(_ written: String, quietly client: ARMClient? = nil) async throws -> (path: ARMPath, query: String?) {
        guard written.contains(where: { !$0.isWhitespace }) else { throw ShellError.emptyPath }
        let (path, query) = ARMPath.splitQuery(written)
        if path.contains("://") {
            do {
                _ = try sender.client.configuration.endpoint.resolve(written)
            } catch {
                throw ShellError.arm(error)
            }
            return (APIVersionFiller.path(of: written) ?? .root, query)
        }
        let home = written == "~" || written.hasPrefix("~/") ? try await home(quietly: client) : nil
        do {
            return try ARMPath.resolve(written, from: location, previous: previousLocation, home: home)
        } catch {
            throw ShellError.path(error)
        }
    }

    /// The subscription `~` stands for: `$subscriptionId` when it is set (as the page's scripts
    /// set it), else the one subscription the sign-in sees (asked through `client` when given).
    func home(quietly client: ARMClient? = nil) async throws -> ARMPath {
        if case .string(let id)? = variables["subscriptionId"], !id.isEmpty, !id.contains("/") {
            return ARMPath(segments: ["subscriptions", id])
        }
        if let homeLocation { return homeLocation }
        let target = "/subscriptions?api-version=\(APIVersionChoice.subscriptionsVersion)"
        let call = ARMCall(method: "get", target: target)
        let listed: JSONValue?
        if let client {
            listed = try await client.perform(call).body
        } else {
            listed = try await sender.value(call)
        }
        let ids = (listed?["value"]?.arrayValue ?? []).compactMap { $0["subscriptionId"]?.stringValue }
        guard ids.count == 1 else { throw ShellError.noHome(subscriptions: ids.count) }
        let home = ARMPath(segments: ["subscriptions", ids[0]])
        homeLocation = home
        return home
    }

    /// Forgets what Tab completion looked up: a write can change what lies where.
    func forgetCompletions() {
        completionCache.removeAll()
        completionGeneration += 1
    }

    /// Moves to a location (`cd`), remembering the one before for `cd -`.
    func move(to path: ARMPath) {
        if path != location { previousLocation = location }
        location = path
    }
}
