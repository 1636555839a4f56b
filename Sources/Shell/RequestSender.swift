import ARM
import Foundation
import HTTPCore
import JSON

/// Sends a command's ARM calls: shows progress while a call runs (polls included) and turns the
/// final response into the command's value, or its error.
struct RequestSender: Sendable {
    let client: ARMClient
    /// Fills in the api-version of a URL written without one.
    let versions: APIVersionFiller
    let reporter: CallReporter
    let output: OutputSink
    let style: OutputStyle

    /// Sends a call and returns the final response's value; a status of 400 or more is an error.
    /// `label` says what the call asks, for the progress line while it is polled.
    func send(_ call: ARMCall, label: String? = nil) async throws -> CommandResult {
        reporter.begin(label: label)
        let ticker =
            style.progress
            ? Task { [reporter] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    reporter.tick()
                }
            } : nil
        defer {
            ticker?.cancel()
            reporter.finish()
        }
        var call = call
        let written = call.target
        // A URL that cannot be sent (another host, white space) is refused before anything,
        // provider metadata included, is asked.
        _ = try client.configuration.endpoint.resolve(written)
        let choice = try await versions.choose(for: written, client: client)
        if let choice {
            call.target = choice.target
            reporter.note("api-version \(choice.version): \(choice.why)")
        }
        var result = try await client.perform(call)
        // A refused version that nwsh chose (never one written in the URL) is tried once more with
        // the newest one ARM lists.
        if let choice, let retry = versions.retry(after: result.response, of: choice, target: written) {
            call.target = retry.target
            reporter.note("api-version \(retry.version): \(retry.why); sending again")
            result = try await client.perform(call)
            // Kept for the type only once ARM has taken it.
            if result.response.isSuccess { versions.remember(retry) }
        }
        reporter.finish()
        return try outcome(of: result, method: call.method.uppercased(), waited: call.waitForCompletion)
    }

    /// Sends a call and returns the final response's JSON body, for lookups.
    func value(_ call: ARMCall) async throws -> JSONValue? {
        try await send(call).value
    }

    /// Why a body that says it is JSON (by its `Content-Type`, or by starting with `{` or `[`) does
    /// not parse; nil for a body that does not claim to be JSON.
    static func whyNotJSON(_ response: HTTPResponse) -> String? {
        let declared = response.headers["Content-Type"]?.lowercased().contains("json") == true
        let looksLikeJSON =
            response.body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }.map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }
            ?? false
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
                code: envelope?.code,
                message: envelope?.message ?? (envelope == nil && !response.body.isEmpty ? String(response.bodyText.prefix(300)) : nil),
                requestID: response.headers["x-ms-request-id"], correlationID: response.headers["x-ms-correlation-request-id"])
        }
        if !waited, response.status == 201 || response.status == 202 {
            var summary = JSONObject(["statusCode": .number(JSONNumber(response.status))])
            for (key, header) in [("location", "Location"), ("azureAsyncOperation", "Azure-AsyncOperation"), ("retryAfter", "Retry-After")]
            {
                if let value = response.headers[header] {
                    summary[key] = key == "retryAfter" ? (Int(value).map { .number(JSONNumber($0)) } ?? .string(value)) : .string(value)
                }
            }
            output.err(
                "HTTP \(response.status) \(reasonPhrase(for: response.status)): not waiting for the operation (--no-wait); 'get' its location later to see the outcome.\n"
            )
            return CommandResult(value: .object(summary))
        }
        if result.body == nil, !response.body.isEmpty {
            // Not JSON: show it as text, escaped; and when it claims to be JSON, say why it is not,
            // so text that stands in for a result never passes for one.
            if let reason = Self.whyNotJSON(response) {
                output.err(
                    style.red("warning: ")
                        + "the response to \(method) \(TerminalText.sanitized(result.url)) is not valid JSON (\(reason)); it is kept as text.\n"
                )
            }
            return CommandResult(value: .string(response.bodyText))
        }
        return CommandResult(value: result.body)
    }
}
