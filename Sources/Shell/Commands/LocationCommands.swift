import ARM
import ARMPaths
import JSON
import ShellLanguage

/// `cd [PATH]`: moves to a place in ARM's tree, once it is known to exist; relative paths in every
/// command are read from there. Without a path, to `~`, the subscription.
struct CdCommand: ShellCommand {
    let spec = CommandSpec(
        name: "cd", usage: "cd [PATH]", summary: "move to a place in ARM's tree (relative paths are read from there)",
        detail: """
              PATH is absolute (/subscriptions/...), relative (providers/Microsoft.Network/virtualNetworks,
              subnets/App, ..), ~ (the subscription: $subscriptionId, else the one the sign-in sees), ~/...,
              or - (where you were before). cd asks ARM for the place first (one request: the place itself,
              or the first page of a collection) and refuses one that does not exist, naming the segment
              and a close name. The prompt shows where you are.
            """)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        if arguments.count > 1 { throw spec.unexpected(arguments[1], evaluator: evaluator) }
        let written = try arguments.first.map { try evaluator.string($0) } ?? "~"
        let (path, query) = try await session.resolve(written)
        // A place has no query; one given would be dropped, so it is refused.
        if let query { throw spec.unexpected("?" + query) }
        if !(path.segments.isEmpty || path.segments.map({ $0.lowercased() }) == ["subscriptions"]) {
            try await ARMTreeReader.checkExists(path, command: spec.name, in: session)
        }
        session.move(to: path)
        return .none
    }
}

/// `pwd`: the location, in full.
struct PwdCommand: ShellCommand {
    let spec = CommandSpec(name: "pwd", usage: "pwd", summary: "print where cd has gone", detail: "")

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        if let extra = arguments.first { throw spec.unexpected(extra, evaluator: Evaluator(variables: session.variables)) }
        return CommandResult(value: .string(session.location.description))
    }
}

/// `ls [PATH] [--json]`: what is under a place in ARM's tree, as a table (``Listing``).
struct LsCommand: ShellCommand {
    let spec = CommandSpec(
        name: "ls", usage: "ls [PATH] [--json]", summary: "list what is under a place in ARM's tree",
        detail: """
              At the top: subscriptions (name, ID, state); in a subscription: resource groups (name,
              location, state); in a group: its resources (name, type, location); in a collection: its
              items, with priority, direction, access, protocol, addresses and ports for security rules,
              prefix and next hop for routes, prefix, NSG and route table for subnets, address, subnet
              and NSG for network interfaces; at a resource: its child collections, views and actions.
              Lists follow nextLink. $r = ls stores the listed JSON; --json prints it.
            """, optionSpecs: LsOption.specs)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        let parsed = try LsOption.parse(arguments, command: spec.name)
        let asJSON = !parsed.options.isEmpty
        if parsed.positional.count > 1 { throw spec.unexpected(parsed.positional[1], evaluator: evaluator) }
        let written = try parsed.positional.first.map { try evaluator.string($0) } ?? "."
        let (path, query) = try await session.resolve(written)
        let json = try await ARMTreeReader.read(path, query: query, command: spec.name, in: session)
        // The whole list of a place is what Tab would look up there: kept for it.
        if query == nil, case .lookup(let listed, let read) = PathCompletion.source(for: path), listed == Listing.request(for: path) {
            session.completionCache[path.description.lowercased()] = read(json)
        }
        if asJSON { return CommandResult(value: json) }
        return CommandResult(value: json, display: Listing.at(path).table(json).text(header: session.style.bold))
    }
}

/// The options of `ls`.
enum LsOption: CommandOption {
    case json

    var spec: OptionSpec { OptionSpec("--json", help: "print the listed JSON instead of the table") }
}

/// Reads a place in ARM's tree for `cd` and `ls`, and says which segment names nothing when ARM
/// does not find it.
enum ARMTreeReader {
    /// What `ls` lists at a place: every page of its list (with the query given, if any).
    static func read(_ path: ARMPath, query: String? = nil, command: String, in session: isolated Session) async throws -> JSONValue {
        let request = Listing.request(for: path).description + (query.map { "?" + $0 } ?? "")
        return try await asking(path, command: command, in: session) {
            try await session.sender.value(ARMCall(method: "get", target: request)) ?? .null
        }
    }

    /// That a place exists, for `cd`, in one request: the subscription or group itself rather
    /// than its list, the namespace's provider, the first page of a collection.
    static func checkExists(_ path: ARMPath, command: String, in session: isolated Session) async throws {
        let segments = path.segments
        let request: ARMPath
        switch Listing.at(path) {
        case .resourceGroups where segments.count == 2, .resources where path.resourceGroup != nil && segments.count == 4: request = path
        case .namespaces: request = ARMPath(segments: Array(segments.prefix(4)))
        case .types(let namespace):
            // The group, then the provider's metadata (which the versions of its types are then
            // read from).
            let group = ARMPath(segments: Array(segments.prefix(4)))
            _ = try await asking(path, command: command, in: session) {
                _ = try await session.sender.value(ARMCall(method: "get", target: group.description))
                return try await session.sender.versions.provider(
                    namespace: namespace, subscription: path.subscription, client: session.sender.client)
            }
            return
        default: request = Listing.request(for: path)
        }
        _ = try await asking(path, command: command, in: session) {
            try await session.sender.value(ARMCall(method: "get", target: request.description, followPages: false))
        }
    }

    /// Runs a request about a place; when ARM does not find it (404, or 400 for a path it cannot
    /// place, or a provider it does not know), the segment that names nothing is said instead,
    /// where a place up the path shows which.
    private static func asking<Answer>(
        _ path: ARMPath, command: String, in session: isolated Session, _ request: () async throws -> Answer
    ) async throws -> Answer {
        do {
            return try await request()
        } catch let error as ShellError {
            let notFound: Bool
            switch error {
            case .httpStatus(_, _, let status, _, _, _, _), .apiVersion(.metadataFailed(_, _, let status, _, _)):
                notFound = status == 400 || status == 404
            default: notFound = false
            }
            if notFound, let missing = await missingSegment(path, command: command, in: session) { throw missing }
            throw error
        }
    }

    /// The first segment of the path that the place before it does not hold, with the closest
    /// name there: a word where only some are possible (`resourceGroups`, `providers`, a
    /// resource's collections), a subscription, group, namespace, type or resource name that
    /// ARM's list of the place does not have. Nil when each is found, or a place cannot be listed.
    static func missingSegment(_ path: ARMPath, command: String, in session: isolated Session) async -> ShellError? {
        let segments = path.segments
        for position in segments.indices {
            let place = ARMPath(segments: Array(segments[..<position]))
            // A place nothing is known to lie under (a leaf) tells nothing.
            if case .fixed(let known) = PathCompletion.source(for: place), known.isEmpty { return nil }
            // What lies there, as Tab completes it (and from what it has looked up already).
            guard let names = try? await session.children(at: place).map(\.name) else { return nil }
            let segment = segments[position]
            if !names.contains(where: { $0.lowercased() == segment.lowercased() }) {
                return .noSuchSegment(
                    command: command, segment: segment, collection: place.description,
                    suggestion: Suggestion.closest(to: segment, in: names))
            }
        }
        return nil
    }
}
