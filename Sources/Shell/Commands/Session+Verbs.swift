import ARM
import Diagnostics
import Foundation
import HTTPCore
import JSON
import ShellLanguage

extension Session {
    /// `get|post|put|patch|delete URL [BODY] [-h "k: v"]... [--no-wait] [--no-paging]`.
    func verb(_ invocation: CommandInvocation) async throws -> CommandResult {
        let name = invocation.name
        guard let spec = CommandCatalog.spec(named: name) else { throw ShellError.unknownCommand(name, suggestion: nil) }
        let evaluator = Evaluator(variables: variables)
        var headers = HTTPHeaders()
        var wait = true
        var paging = true
        let parsed = try VerbOption.parse(invocation.arguments, command: name)
        for (option, word, value) in parsed.options {
            switch option {
            case .header:
                // A valued option always has its value (the parser saw to it).
                let header = try Self.header(try evaluator.string(value ?? word))
                headers.add(header.name, header.value)
            case .noWait: wait = false
            case .noPaging: paging = false
            }
        }
        let positional = parsed.positional
        guard let urlWord = positional.first else {
            throw ShellError.missingArgument(command: name, what: "the URL", usage: spec.usage)
        }
        let url = try evaluator.string(urlWord)
        let bodyWord = positional.dropFirst().first
        if positional.count > 2 || (bodyWord != nil && (name == "get" || name == "delete")) {
            let extra = positional[(name == "get" || name == "delete") ? 1 : 2]
            throw ShellError.tooManyArguments(command: name, extra: (try? evaluator.string(extra)) ?? "…", usage: spec.usage)
        }
        let body = try bodyWord.map { try requestBody($0, evaluator: evaluator) } ?? nil
        if (name == "put" || name == "patch"), body == nil {
            throw ShellError.missingArgument(command: name, what: "the request body", usage: spec.usage)
        }

        let call = ARMCall(method: name, target: url, headers: headers, body: body, waitForCompletion: wait, followPages: paging)
        let commandResult = try await send(call)
        if let value = commandResult.value {
            lastResult = value
            // The page's `armclient post .../connectivityCheck $requestBody`: remember the check,
            // so `explain` can ask about the same flow.
            if name == "post", let body, let watcher = CheckContext.watcher(ofCheckURL: url),
               let json = try? JSONParser.parse(bytes: body), let request = CheckRequest(body: json) {
                lastCheck = (CheckContext(watcher: watcher, request: request), value)
            }
        }
        return commandResult
    }

    /// `Name: value`, checked: a token before the colon, no line breaks anywhere.
    static func header(_ text: String) throws -> (name: String, value: String) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex,
              !text[..<colon].contains(where: { $0 == " " || $0.asciiValue.map { $0 < 0x21 || $0 > 0x7E } ?? true }),
              !text.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            throw ShellError.invalidHeader(text)
        }
        return (String(text[..<colon]), text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    /// Sends a call, showing progress while it runs (polls included), and turns the final
    /// response into the command's value, or its error.
    func send(_ call: ARMCall) async throws -> CommandResult {
        reporter.begin()
        let ticker = style.progress ? Task { [reporter] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                reporter.tick()
            }
        } : nil
        defer {
            ticker?.cancel()
            reporter.finish()
        }
        let result = try await client.perform(call)
        reporter.finish()
        return try outcome(of: result, method: call.method.uppercased(), waited: call.waitForCompletion)
    }

    /// The body to send: JSON from a string, a here-string, `$var` or `@file`, validated as relaxed
    /// JSON and sent as strict JSON; nil for an empty string.
    private func requestBody(_ word: Word, evaluator: Evaluator) throws -> [UInt8]? {
        if let (path, bytes) = try fileArgument(word) {
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

    /// Why a body that says it is JSON (by its `Content-Type`, or by starting with `{` or `[`) does
    /// not parse; nil for a body that does not claim to be JSON.
    static func whyNotJSON(_ response: HTTPResponse) -> String? {
        let declared = response.headers["Content-Type"]?.lowercased().contains("json") == true
        let looksLikeJSON = response.body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }.map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") } ?? false
        guard declared || looksLikeJSON else { return nil }
        do {
            _ = try JSONParser.parse(bytes: response.body)
            return nil
        } catch {
            return "\(error.reason) at line \(error.location.line), column \(error.location.column)"
        }
    }

    /// Turns the final response into the command's value, or its error.
    private func outcome(of result: ARMResult, method: String, waited: Bool) throws -> CommandResult {
        let response = result.response
        guard response.status < 400 else {
            let envelope = ARMErrorEnvelope(body: response.body)
            throw ShellError.httpStatus(
                method: method, url: result.url, status: response.status,
                code: envelope?.code, message: envelope?.message ?? (envelope == nil && !response.body.isEmpty ? String(response.bodyText.prefix(300)) : nil),
                requestID: response.headers["x-ms-request-id"], correlationID: response.headers["x-ms-correlation-request-id"])
        }
        if !waited, response.status == 201 || response.status == 202 {
            var summary = JSONObject(["statusCode": .number(JSONNumber(response.status))])
            for (key, header) in [("location", "Location"), ("azureAsyncOperation", "Azure-AsyncOperation"), ("retryAfter", "Retry-After")] {
                if let value = response.headers[header] {
                    summary[key] = key == "retryAfter" ? (Int(value).map { .number(JSONNumber($0)) } ?? .string(value)) : .string(value)
                }
            }
            output.err("HTTP \(response.status) \(reasonPhrase(for: response.status)): not waiting for the operation (--no-wait); 'get' its location later to see the outcome.\n")
            return CommandResult(value: .object(summary))
        }
        if result.body == nil, !response.body.isEmpty {
            // Not JSON: show it as text, escaped; and when it claims to be JSON, say why it is not,
            // so text that stands in for a result never passes for one.
            if let reason = Self.whyNotJSON(response) {
                output.err(style.red("warning: ") + "the response to \(method) \(TerminalText.sanitized(result.url)) is not valid JSON (\(reason)); it is kept as text.\n")
            }
            return CommandResult(value: .string(response.bodyText))
        }
        return CommandResult(value: result.body)
    }
}
