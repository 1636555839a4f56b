import ARM
import ARMPaths
import JSON

extension Session {
    /// The location as a prompt shows it (``ARMPath/shortened(toFit:)``); empty at the root.
    public var promptLocation: String { location.shortened(toFit: 40) }

    /// What a person wrote for a URL, as the target to send: an absolute URL or a path starting
    /// with `/` as written; anything else read relative to the location (`subnets/App`, `..`,
    /// `~/resourceGroups`), its query kept.
    func target(_ written: String) async throws -> String {
        if written.hasPrefix("/") || written.contains("://") { return written }
        let (path, query) = try await resolve(written)
        return path.description + (query.map { "?" + $0 } ?? "")
    }

    /// A resource written relative to the location, as its path (`check ../virtualMachines/Database0`,
    /// `check . 10.1.4.4:80` at a VM); anything else as written: an ID, an address, a VM's name
    /// (which has no `/`), a URL.
    func relative(_ written: String) async throws -> String {
        let isRelative =
            !written.hasPrefix("/") && !written.contains("://")
            && (written == "." || written == ".." || written == "~" || written.hasPrefix("~/") || written.contains("/"))
        return isRelative ? try await target(written) : written
    }

    /// A path written relative to the location (or absolute), with its query.
    func resolve(_ written: String) async throws -> (path: ARMPath, query: String?) {
        let home = written == "~" || written.hasPrefix("~/") ? try await home() : nil
        do {
            return try ARMPath.resolve(written, from: location, previous: previousLocation, home: home)
        } catch {
            throw ShellError.path(error)
        }
    }

    /// The subscription `~` stands for: `$subscriptionId` when it is set (as the page's scripts
    /// set it), else the one subscription the sign-in sees.
    func home() async throws -> ARMPath {
        if case .string(let id)? = variables["subscriptionId"], !id.isEmpty, !id.contains("/") {
            return ARMPath(segments: ["subscriptions", id])
        }
        if let homeLocation { return homeLocation }
        let listed = try await sender.value(ARMCall(method: "get", target: "/subscriptions"))
        let ids = (listed?["value"]?.arrayValue ?? []).compactMap { $0["subscriptionId"]?.stringValue }
        guard ids.count == 1 else { throw ShellError.noHome(subscriptions: ids.count) }
        let home = ARMPath(segments: ["subscriptions", ids[0]])
        homeLocation = home
        return home
    }

    /// Moves to a location (`cd`), remembering the one before for `cd -`.
    func move(to path: ARMPath) {
        if path != location { previousLocation = location }
        location = path
    }
}
