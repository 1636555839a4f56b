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
              or - (where you were before). cd asks ARM for the place first and refuses one that does not
              exist, naming the segment and a close name. The prompt shows where you are.
            """)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        if arguments.count > 1 { throw spec.unexpected(arguments[1], evaluator: evaluator) }
        let written = try arguments.first.map { try evaluator.string($0) } ?? "~"
        let (path, _) = try await session.resolve(written)
        if !(path.segments.isEmpty || path.segments.map({ $0.lowercased() }) == ["subscriptions"]) {
            _ = try await ARMTreeReader.read(path, command: spec.name, in: session)
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
        let (path, _) = try await session.resolve(written)
        let json = try await ARMTreeReader.read(path, command: spec.name, in: session)
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
/// answers 404.
enum ARMTreeReader {
    static func read(_ path: ARMPath, command: String, in session: isolated Session) async throws -> JSONValue {
        let request = Listing.request(for: path)
        let json: JSONValue
        do {
            json = try await session.sender.value(ARMCall(method: "get", target: request.description)) ?? .null
        } catch let error as ShellError {
            // ARM's 404 (or 400, for a path it cannot place) says what it did not find in its own
            // words; the segment is named when a place up the path does not hold it.
            if case .httpStatus(_, _, let status, _, _, _, _) = error, status == 400 || status == 404,
                let missing = await missingSegment(path, command: command, in: session)
            {
                throw missing
            }
            throw error
        }
        // A namespace in a group: the group's resources must have one of that namespace.
        if case .types(let namespace) = Listing.at(path) {
            let present = Set(
                (json["value"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue?.split(separator: "/").first.map(String.init) })
            if !present.contains(where: { $0.lowercased() == namespace.lowercased() }) {
                throw ShellError.noSuchSegment(
                    command: command, segment: namespace, collection: path.parent?.description ?? "/",
                    suggestion: Suggestion.closest(to: namespace, in: present.sorted()))
            }
        }
        return json
    }

    /// The first segment of the path that the place before it does not hold, with the closest
    /// name there: a word where only some are possible (`resourceGroups`, `providers`, a
    /// resource's collections), a subscription, group, namespace, type or resource name that
    /// ARM's list of the place does not have. Nil when each is found, or a place cannot be listed.
    static func missingSegment(_ path: ARMPath, command: String, in session: isolated Session) async -> ShellError? {
        let segments = path.segments
        for position in segments.indices {
            let place = ARMPath(segments: Array(segments[..<position]))
            let names: [String]
            switch PathCompletion.source(for: place) {
            case .fixed(let children):
                guard !children.isEmpty else { return nil }
                names = children.map(\.name)
            case .lookup(let listed, let read):
                guard let json = try? await session.sender.value(ARMCall(method: "get", target: listed.description)) else { return nil }
                names = read(json ?? .null).map(\.name)
            }
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
