import ARM
import Diagnostics
import Foundation
import HTTPCore
import JSON
import ShellLanguage

/// `get|post|put|patch|delete URL [BODY] [-h "Name: value"]... [--no-wait] [--no-paging]`: one
/// ARM request, its long-running operation polled and its pages followed.
struct VerbCommand: ShellCommand {
    /// The HTTP method, lower-cased, which is also the command's name.
    let method: String
    let spec: CommandSpec

    /// Whether the method sends a body (`post` may, `put` and `patch` must).
    private var takesBody: Bool { method != "get" && method != "delete" }

    static let get = VerbCommand(
        method: "get", usage: "get URL [-h \"Name: value\"]... [--no-paging]", summary: "GET an ARM resource or list")
    static let post = VerbCommand(
        method: "post", usage: "post URL [BODY] [-h \"Name: value\"]... [--no-wait]",
        summary: "POST to ARM (actions such as connectivityCheck)")
    static let put = VerbCommand(
        method: "put", usage: "put URL BODY [-h \"Name: value\"]... [--no-wait]", summary: "PUT (create or replace) a resource")
    static let patch = VerbCommand(
        method: "patch", usage: "patch URL BODY [-h \"Name: value\"]... [--no-wait]", summary: "PATCH (update) a resource")
    static let delete = VerbCommand(
        method: "delete", usage: "delete URL [-h \"Name: value\"]... [--no-wait]", summary: "DELETE a resource")

    private init(method: String, usage: String, summary: String) {
        self.method = method
        spec = CommandSpec(name: method, usage: usage, summary: summary, detail: Self.detail, optionSpecs: VerbOption.specs)
    }

    private static let detail = """
          URL is a path (/subscriptions/...) resolved against the endpoint, or an absolute URL;
          https://management.azure.com/... goes to the configured endpoint, so Azure scripts run
          unchanged on the sandbox. A URL without ?api-version= gets one: ARM's own paths a fixed
          version, a resource the newest stable version its provider lists (-v says which and why).
          BODY is a string or here-string, $var, or @file.json; relaxed JSON
          (single quotes, trailing commas) is sent as strict JSON, and a body that is not JSON is
          refused before anything is sent.
          Long-running operations are polled to completion, honouring Retry-After; 429 and 5xx
          answers are retried. $r = <verb> ... stores the final body.
        """

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        var headers = HTTPHeaders()
        var wait = true
        var paging = true
        let parsed = try VerbOption.parse(arguments, command: method)
        for (option, word, value) in parsed.options {
            switch option {
            case .header:
                // A valued option always has its value (the parser saw to it).
                let header = try CommandArguments.header(try evaluator.string(value ?? word))
                headers.add(header.name, header.value)
            case .noWait: wait = false
            case .noPaging: paging = false
            }
        }
        let positional = parsed.positional
        guard let urlWord = positional.first else { throw spec.missing("the URL") }
        // A path not starting with / (nor an absolute URL) is read from the location `cd` went to.
        let url = try await session.target(try evaluator.string(urlWord))
        let allowed = takesBody ? 2 : 1
        if positional.count > allowed { throw spec.unexpected(positional[allowed], evaluator: evaluator) }
        let body = try positional.dropFirst().first.map { try requestBody($0, evaluator: evaluator, in: session.directory) } ?? nil
        if method == "put" || method == "patch", body == nil { throw spec.missing("the request body") }

        let call = ARMCall(method: method, target: url, headers: headers, body: body, waitForCompletion: wait, followPages: paging)
        let result: CommandResult
        do {
            result = try await session.sender.send(call)
        } catch let error as ShellError {
            // A GET or DELETE of something not found: which segment of its path names nothing.
            guard method == "get" || method == "delete", case .httpStatus(_, _, 404, _, _, _, _) = error,
                let path = APIVersionFiller.path(of: url), path.segments.count > 1,
                case .noSuchSegment(_, let segment, let collection, let suggestion)? = await ARMTreeReader.missingSegment(
                    path, command: method, in: session)
            else { throw error }
            throw ShellError.segmentNotFound(error, segment: segment, collection: collection, suggestion: suggestion)
        }
        // A write can change what lies where: Tab completion asks again.
        if method != "get" { session.forgetCompletions() }
        if let value = result.value {
            session.lastResult = value
            // The page's `armclient post .../connectivityCheck $requestBody`: remember the check,
            // so `explain` can ask about the same flow.
            if method == "post", let body, let watcher = CheckContext.watcher(ofCheckURL: url),
                let json = try? JSONParser.parse(bytes: body), let request = CheckRequest(body: json)
            {
                session.remember(check: CheckContext(watcher: watcher, request: request), result: value)
            }
        }
        return result
    }

    /// The body to send: JSON from a string, a here-string, `$var` or `@file`, validated as relaxed
    /// JSON and sent as strict JSON; nil for an empty string.
    private func requestBody(_ word: Word, evaluator: Evaluator, in directory: WorkingDirectory) throws -> [UInt8]? {
        if let (path, bytes) = try directory.fileArgument(word) {
            do {
                return Array(JSONFormatter.compact.format(try JSONParser.parse(bytes: bytes, mode: .relaxed)).utf8)
            } catch {
                throw LanguageError.invalidJSON(what: "request body from \(path)", failure: error)
            }
        }
        let value = try evaluator.value(word)
        switch value {
        case .string(let text):
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            do {
                return Array(JSONFormatter.compact.format(try JSONParser.parse(text, mode: .relaxed)).utf8)
            } catch {
                throw LanguageError.invalidJSON(what: "request body", failure: error)
            }
        case .null:
            return nil
        default:
            return Array(JSONFormatter.compact.format(value).utf8)
        }
    }
}

/// The options of `get`, `post`, `put`, `patch` and `delete`.
enum VerbOption: CommandOption {
    case header, noWait, noPaging

    var spec: OptionSpec {
        switch self {
        case .header:
            OptionSpec("--header", aliases: ["-h", "-header"], value: "\"Name: value\"", help: "add a request header (repeatable)")
        case .noWait:
            OptionSpec("--no-wait", aliases: ["-nowait"], help: "stop at 201/202 instead of polling the long-running operation")
        case .noPaging:
            OptionSpec(
                "--no-paging",
                help: "GET: return the first page only (by default nextLink pages are followed and their 'value' arrays merged)")
        }
    }
}
