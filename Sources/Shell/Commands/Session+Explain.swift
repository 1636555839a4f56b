import Diagnostics
import Foundation
import ShellLanguage

extension Session {
    /// `explain [$var | @file.json] [--json]`: a connectivity check result in sentences. With no
    /// argument, the last result a request returned (after `$r = post .../connectivityCheck ...`,
    /// plain `explain` explains it).
    func explain(_ invocation: CommandInvocation) throws -> CommandResult {
        let evaluator = Evaluator(variables: variables)
        var asJSON = false
        var source: Word?
        for word in invocation.arguments {
            if word.isBare, let text = word.literalText, text.hasPrefix("-"), text.count > 1 {
                guard text.lowercased() == "--json" else {
                    throw ShellError.unknownOption(command: "explain", option: text, suggestion: Suggestion.closest(to: text, in: ["--json"]))
                }
                asJSON = true
            } else if source == nil {
                source = word
            } else {
                throw ShellError.tooManyArguments(command: "explain", extra: (try? evaluator.string(word)) ?? "…", usage: "explain [$var | @file.json] [--json]")
            }
        }
        let result: ConnectivityResult
        var context: CheckContext?
        if let source, let (path, bytes) = try fileArgument(source) {
            // A file is read hop by hop, without the whole JSON tree.
            do {
                result = try ConnectivityResult(bytes: bytes)
            } catch let error as JSONParser.Failure {
                throw LanguageError.invalidJSON(what: "connectivity result in \(path)", failure: error, beforeSending: false)
            } catch let error as ResultError {
                throw ShellError.notAConnectivityResult(error)
            }
        } else {
            let value: JSONValue
            if let source {
                value = try resultInput(source, evaluator: evaluator)
            } else {
                guard let lastResult else { throw ShellError.nothingToExplain }
                value = lastResult
            }
            do {
                result = try ConnectivityResult(json: value)
            } catch {
                throw ShellError.notAConnectivityResult(error)
            }
            // The last check's own result: next steps can ask about the same flow.
            context = lastCheck.flatMap { $0.result == value ? $0.context : nil }
        }
        let explanation = Explanation(result, context: context)
        if asJSON { return CommandResult(value: explanation.json) }
        // Rule names, addresses and IDs came from the network: never let them drive the terminal.
        output.out(TerminalText.sanitized(explanation.text))
        return .none
    }

    /// `@file.json` read and parsed, or the value of a word (a variable, a path into one, or JSON text).
    func resultInput(_ word: Word, evaluator: Evaluator) throws -> JSONValue {
        if let (path, bytes) = try fileArgument(word) {
            do {
                return try JSONParser.parse(bytes: bytes)
            } catch {
                throw LanguageError.invalidJSON(what: "connectivity result in \(path)", failure: error, beforeSending: false)
            }
        }
        let value = try evaluator.value(word)
        guard case .string(let text) = value else { return value }
        do {
            return try JSONParser.parse(text, mode: .relaxed)
        } catch {
            throw LanguageError.invalidJSON(what: "connectivity result", failure: error, beforeSending: false)
        }
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
