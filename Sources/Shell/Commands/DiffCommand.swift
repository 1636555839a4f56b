import Diagnostics
import JSON
import ShellLanguage

/// `diff $before $after`: what changed between two connectivity results; `diff` alone compares
/// the session's last check with the one before it of the same flow (the troubleshooting loop:
/// check, fix, check again, diff).
struct DiffCommand: ShellCommand {
    let spec = CommandSpec(
        name: "diff", usage: "diff [$before $after]", summary: "compare two connectivity results (did the fix work?)",
        detail: """
              The verdict, probes and latency, hops no longer or newly on the path, and issues resolved or
              new. Results are $variables, @file.json or JSON text. Hops are matched by type, address and
              resource, not by their id (each check makes new ones). With no arguments: the last check
              against the one before it with the same source, destination, port and protocol.
            """)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        if arguments.isEmpty { return try lastTwoChecks(in: session) }
        guard arguments.count >= 2 else { throw spec.missing("the second result") }
        guard arguments.count == 2 else { throw spec.unexpected(arguments[2], evaluator: evaluator) }
        var results: [ConnectivityResult] = []
        for (position, word) in arguments.enumerated() {
            do {
                results.append(try CommandArguments.connectivityResult(word, evaluator: evaluator, in: session.directory).result)
            } catch let error as ResultError {
                throw ShellError.notAComparableResult(position == 0 ? "first" : "second", error)
            }
        }
        session.output.out(TerminalText.sanitized(ResultDiff(before: results[0], after: results[1]).text))
        return .none
    }

    /// The last check against the latest earlier one of the same flow.
    private func lastTwoChecks(in session: isolated Session) throws -> CommandResult {
        guard let last = session.checks.last else { throw ShellError.noEarlierCheck(flow: nil) }
        let flow = Self.flowKey(last.context.request)
        guard let earlier = session.checks.dropLast().last(where: { Self.flowKey($0.context.request) == flow }) else {
            throw ShellError.noEarlierCheck(flow: Self.describe(last.context.request))
        }
        let results: [ConnectivityResult]
        do {
            results = [try ConnectivityResult(json: earlier.result), try ConnectivityResult(json: last.result)]
        } catch {
            throw ShellError.notAComparableResult("remembered", error)
        }
        let heading = "The last two checks of \(Self.describe(last.context.request)):\n"
        session.output.out(TerminalText.sanitized(heading + ResultDiff(before: results[0], after: results[1]).text))
        return .none
    }

    /// What makes two checks the same flow: source, destination, port and protocol (IDs and
    /// addresses ignoring case, as ARM compares them).
    static func flowKey(_ request: CheckRequest) -> String {
        let destination: String
        switch request.destination {
        case .resource(let id): destination = id
        case .address(let address): destination = address
        case nil: destination = ""
        }
        return [request.source ?? "", destination, request.destinationPort.map(String.init) ?? "", request.effectiveProtocol]
            .joined(separator: "\n").lowercased()
    }

    /// A check's flow in words: `MultiTierApp0 to 10.1.4.4 port 80 (Tcp)`.
    static func describe(_ request: CheckRequest) -> String {
        func name(_ id: String) -> String { id.split(separator: "/").last.map(String.init) ?? id }
        let destination: String
        switch request.destination {
        case .resource(let id): destination = name(id)
        case .address(let address): destination = address
        case nil: destination = "?"
        }
        let port = request.destinationPort.map { " port \($0)" } ?? ""
        return "\(request.source.map(name) ?? "?") to \(destination)\(port) (\(request.effectiveProtocol))"
    }
}
