import ARMPaths
import Cassettes
import Diagnostics
import Dispatch
import Foundation
import JSON
import NetworkLab
import Sandbox
import ShellLanguage

/// What the fuzzer feeds arbitrary bytes to, one case a parser or a handler of untrusted input.
/// ``run(_:)`` must return for every input, in bounded time and memory; where two readers must
/// agree, or a value must survive a round trip, it traps when they do not, so the fuzzer reports
/// the input. `scripts/fuzz` drives each with libFuzzer; the test suite replays the committed
/// corpus (`Fuzz/Corpus/TARGET`) through the same functions.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The shell language: lexer, parser, then the evaluator over every word.
    case language
    /// The relaxed JSON parser; what it reads must print as strict JSON that reads back the same.
    case json
    /// Reading a connectivity result from bytes (piece by piece where it can) against reading it
    /// from the JSON tree: the same result or the same error.
    case reader
    /// Loading a cassette.
    case cassette
    /// Importing a HAR file.
    case har
    /// Importing a vcrpy YAML cassette.
    case vcrpy
    /// `explain` and `diff` of arbitrary JSON.
    case explain
    /// The sandbox's request handler: the first line is `METHOD PATH?QUERY`, the rest the body.
    case sandbox
    /// Loading a lab file (any of its formats), then the lab's engine over what was loaded (every
    /// VM's effective routes and rules, connectivity checks between the first VMs), then the
    /// sandbox's store over it: a GET, a PUT of what the GET gave, and a DELETE of the first
    /// resources.
    case lab
    /// ARM paths as a person types them, and what ARM says about api-versions: the first line is
    /// what was written (parsed, taken apart, resolved against the location, shortened for a
    /// prompt), the second the location, the rest a provider's metadata (JSON) and a refusal's
    /// message. A resolved path's text must read back as the same path.
    case paths

    /// Feeds one input.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .language: Self.language(bytes)
        case .json: Self.json(bytes)
        case .reader: Self.reader(bytes)
        case .cassette: _ = try? Cassette(bytes: bytes, file: "fuzz")
        case .har, .vcrpy: _ = try? CassetteImporter.read(text: String(decoding: bytes, as: UTF8.self), file: "fuzz")
        case .explain: Self.explain(bytes)
        case .sandbox: Self.sandbox(bytes)
        case .lab: Self.lab(bytes)
        case .paths: Self.paths(bytes)
        }
    }

    private static func paths(_ bytes: [UInt8]) {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        let written = String(lines.first ?? "")
        let location = lines.count > 1 ? ARMPath(String(lines[1])) ?? .root : .root
        let rest = lines.count > 2 ? String(lines[2]) : ""
        for path in [ARMPath(written), location].compactMap({ $0 }) {
            _ = (path.subscription, path.resourceGroup, path.provider, path.parent, APIVersionChoice.choose(for: path))
            for width in [1, 12, 40] { _ = path.shortened(toFit: width) }
            guard ARMPath(path.description) == path else { fatalError("'\(path)' does not read back as the same path") }
        }
        if let resolved = try? ARMPath.resolve(
            written, from: location, previous: location.parent, home: ARMPath(segments: ["subscriptions", "S"]))
        {
            guard ARMPath(resolved.path.description) == resolved.path else {
                fatalError("'\(written)' resolved to '\(resolved.path)', which does not read back as the same path")
            }
        }
        _ = APIVersionChoice.supportedVersions(inMessage: rest)
        _ = APIVersionChoice.newest(of: rest.split(separator: ",").map(String.init))
        if let json = try? JSONParser.parse(rest, mode: .relaxed), let provider = ProviderVersions(json: json) {
            _ = provider.choose(types: written.split(separator: "/").map(String.init))
        }
    }

    private static func lab(_ bytes: [UInt8]) {
        guard let file = try? LabFile.read(text: String(decoding: bytes, as: UTF8.self), file: "fuzz") else { return }
        _ = file.report(file: "fuzz")
        let network = LabNetwork(resources: file.resources)
        let answers = NetworkWatcherAnswers(network: network)
        for nic in network.networkInterfaces.values.prefix(8) {
            _ = try? answers.effectiveRouteTable(networkInterface: nic.id)
            _ = try? answers.effectiveNetworkSecurityGroups(networkInterface: nic.id)
        }
        let machines = Array(network.virtualMachines.values.prefix(3))
        for source in machines {
            for destination in machines where destination.id != source.id {
                let request = JSONValue.object(
                    JSONObject([
                        "source": .object(JSONObject(["resourceId": .string(source.id)])),
                        "destination": .object(JSONObject(["resourceId": .string(destination.id), "port": .number(JSONNumber(80))])),
                    ]))
                _ = try? answers.connectivityCheck(request)
            }
        }
        // The store, as `--lab` builds it: signed in, then written to.
        guard let bundled = try? SandboxData.bundled() else { fatalError("the sandbox's bundled data does not load") }
        let data = bundled.with(lab: file)
        let arm = SandboxARM(data: data, options: SandboxOptions(retryAfter: 0, pollsBeforeDone: 0))
        guard let token = waiting({ await arm.servicePrincipalToken() }) else { fatalError("the sandbox issued no token") }
        func send(_ method: String, _ id: String, _ body: [UInt8] = []) -> SandboxResponse {
            answer(
                SandboxRequest(
                    method: method, path: id, query: [("api-version", "2024-05-01")],
                    headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: body,
                    baseURL: "http://127.0.0.1:1"), from: arm)
        }
        for resource in file.resources.prefix(4) {
            guard let id = resource["id"]?.stringValue else { continue }
            let got = send("GET", id)
            if got.status == 200 { _ = send("PUT", id, got.body) }
            _ = send("DELETE", id)
        }
    }

    private static func language(_ bytes: [UInt8]) {
        guard let statements = try? Parser.parse(String(decoding: bytes, as: UTF8.self)) else { return }
        var evaluator = Evaluator(variables: Variables(environment: ["HOME": "/home/fuzz"]))
        for statement in statements {
            switch statement {
            case .assignment(let name, _, .word(let word)):
                if let value = try? evaluator.value(word) { evaluator.variables.set(name, to: value) }
            case .assignment(_, _, .command(let invocation)), .command(let invocation):
                for word in invocation.arguments {
                    _ = try? evaluator.value(word)
                    _ = try? evaluator.string(word)
                }
            case .show(let reference): _ = try? evaluator.value(of: reference)
            case .value(let word): _ = try? evaluator.value(word)
            }
        }
    }

    private static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes: bytes, mode: .relaxed) else { return }
        let strict = JSONFormatter.compact.format(value)
        guard let again = try? JSONParser.parse(strict) else {
            fatalError("relaxed JSON printed as strict JSON that does not parse: \(strict)")
        }
        guard again == value else { fatalError("relaxed JSON did not survive a round trip through strict JSON: \(strict)") }
        _ = JSONFormatter(indent: 2, palette: .ansi).format(value)
        _ = TerminalText.sanitized(strict)
    }

    private static func reader(_ bytes: [UInt8]) {
        let tree: Result<ConnectivityResult, ResultError>?
        if let json = try? JSONParser.parse(bytes: bytes) {
            tree = Result { () throws(ResultError) in try ConnectivityResult(json: json) }
        } else {
            tree = nil
        }
        let direct: Result<ConnectivityResult, ResultError>?
        do {
            direct = .success(try ConnectivityResult(bytes: bytes))
        } catch let error as ResultError {
            direct = .failure(error)
        } catch {
            direct = nil
        }
        guard direct == tree else { fatalError("the readers disagree: \(String(describing: direct)) vs \(String(describing: tree))") }
    }

    private static func explain(_ bytes: [UInt8]) {
        guard let json = try? JSONParser.parse(bytes: bytes, mode: .relaxed), let result = try? ConnectivityResult(json: json) else {
            return
        }
        let explanation = Explanation(result)
        _ = explanation.text
        _ = explanation.summary()
        _ = ResultDiff(before: result, after: result).text
    }

    /// One sandbox for many inputs (reading its data costs milliseconds); a new one every 10,000
    /// inputs, so what earlier inputs stored does not pile up.
    private nonisolated(unsafe) static var sandboxARM: SandboxARM?
    private nonisolated(unsafe) static var sandboxUses = 0
    /// A token the sandbox issued, so inputs reach its ARM side and not only its 401.
    private nonisolated(unsafe) static var sandboxToken = ""

    /// Runs an asynchronous call (the sandbox is an actor) from a synchronous target and waits.
    private static func waiting<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: T?
        Task {
            result = await operation()
            done.signal()
        }
        done.wait()
        return result!
    }

    /// Sends a request to the sandbox and waits for its answer.
    private static func answer(_ request: SandboxRequest, from arm: SandboxARM) -> SandboxResponse {
        waiting { await arm.handle(request) }
    }

    private static func sandbox(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        let line = String(decoding: bytes[..<newline], as: UTF8.self)
        let body = newline < bytes.endIndex ? Array(bytes[(newline + 1)...]) : []
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let target = parts.count > 1 ? parts[1] : "/"
        let question = target.firstIndex(of: "?")
        let path = String(target[..<(question ?? target.endIndex)])
        let query =
            question.map { target[target.index(after: $0)...] }.map { text in
                text.split(separator: "&").map { pair -> (name: String, value: String) in
                    let pieces = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    return (pieces.first ?? "", pieces.count > 1 ? pieces[1] : "")
                }
            } ?? []
        if sandboxARM == nil || sandboxUses >= 10_000 {
            guard let data = try? SandboxData.bundled() else { fatalError("the sandbox's bundled data does not load") }
            let arm = SandboxARM(data: data)
            guard let token = waiting({ await arm.servicePrincipalToken() }) else { fatalError("the sandbox issued no token") }
            sandboxARM = arm
            sandboxToken = token
            sandboxUses = 0
        }
        sandboxUses += 1
        guard let arm = sandboxARM else { return }
        let request = SandboxRequest(
            method: parts.first ?? "GET", path: path, query: query,
            headers: ["Authorization": "Bearer \(sandboxToken)", "Content-Type": "application/json"], body: body,
            baseURL: "http://127.0.0.1:1")
        _ = answer(request, from: arm)
    }
}
