import Diagnostics
import Foundation
import JSON
import ShellLanguage

extension Session {
    /// `explain [$var | @file.json] [--json]`: a connectivity check result in sentences. With no
    /// argument, the last result a request returned (after `$r = post .../connectivityCheck ...`,
    /// plain `explain` explains it).
    func explain(_ invocation: CommandInvocation) throws -> CommandResult {
        let evaluator = Evaluator(variables: variables)
        var asJSON = false
        let parsed = try ExplainOption.parse(invocation.arguments, command: "explain")
        for (option, _, _) in parsed.options {
            switch option {
            case .json: asJSON = true
            }
        }
        if parsed.positional.count > 1 {
            throw ShellError.tooManyArguments(command: "explain", extra: (try? evaluator.string(parsed.positional[1])) ?? "…", usage: "explain [$var | @file.json] [--json]")
        }
        let source = parsed.positional.first
        let result: ConnectivityResult
        let value: JSONValue?
        do {
            if let source {
                (result, value) = try connectivityResult(source, evaluator: evaluator)
            } else {
                guard let lastResult else { throw ShellError.nothingToExplain }
                (result, value) = (try ConnectivityResult(json: lastResult), lastResult)
            }
        } catch let error as ResultError {
            throw ShellError.notAConnectivityResult(error)
        }
        // The last check's own result: next steps can ask about the same flow.
        let context = value.flatMap { value in lastCheck.flatMap { $0.result == value ? $0.context : nil } }
        let explanation = Explanation(result, context: context)
        if asJSON { return CommandResult(value: explanation.json) }
        // Rule names, addresses and IDs came from the network: never let them drive the terminal.
        output.out(TerminalText.sanitized(explanation.text))
        return .none
    }

    /// The connectivity result a word names: `@file.json`, read hop by hop without the whole JSON
    /// tree, or a value (a variable, a path into one, or JSON text), which is returned too.
    /// Throws `ResultError` for JSON that is not a result, for the caller to place.
    func connectivityResult(_ word: Word, evaluator: Evaluator) throws -> (result: ConnectivityResult, value: JSONValue?) {
        if let (path, bytes) = try fileArgument(word) {
            do {
                return (try ConnectivityResult(bytes: bytes), nil)
            } catch let error as JSONParser.Failure {
                throw LanguageError.invalidJSON(what: "connectivity result in \(path)", failure: error, beforeSending: false)
            }
        }
        var value = try evaluator.value(word)
        if case .string(let text) = value {
            do {
                value = try JSONParser.parse(text, mode: .relaxed)
            } catch {
                throw LanguageError.invalidJSON(what: "connectivity result", failure: error, beforeSending: false)
            }
        }
        return (try ConnectivityResult(json: value), value)
    }
}

extension Explanation {
    /// The explanation as JSON, for scripts: the same findings as the text.
    public var json: JSONValue {
        .object(JSONObject([
            "verdict": .string(verdict),
            "probes": probes.map(JSONValue.string) ?? .null,
            "path": .array(path.map(JSONValue.string)),
            "findings": .array(findings.map(JSONValue.string)),
            "nextSteps": .array(nextSteps.map { .object(JSONObject(["why": .string($0.why), "command": .string($0.command)])) }),
        ]))
    }
}
