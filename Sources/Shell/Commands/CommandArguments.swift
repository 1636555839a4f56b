import Cassettes
import Diagnostics
import Foundation
import JSON
import ShellLanguage

extension CommandSpec {
    /// The error for a missing argument, with this command's usage.
    func missing(_ what: String) -> ShellError {
        .missingArgument(command: name, what: what, usage: usage)
    }

    /// The error for an argument the command does not take, with this command's usage.
    func unexpected(_ word: Word, evaluator: Evaluator) -> ShellError {
        unexpected((try? evaluator.string(word)) ?? "…")
    }

    /// The error for an argument the command does not take, already evaluated.
    func unexpected(_ text: String) -> ShellError {
        .tooManyArguments(command: name, extra: text, usage: usage)
    }
}

/// Reading the kinds of argument several commands take.
enum CommandArguments {
    /// `Name: value`, checked: a token before the colon, no line breaks anywhere.
    static func header(_ text: String) throws(ShellError) -> (name: String, value: String) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex,
            !text[..<colon].contains(where: { $0 == " " || $0.asciiValue.map { $0 < 0x21 || $0 > 0x7E } ?? true }),
            !text.contains(where: { $0 == "\n" || $0 == "\r" })
        else {
            throw .invalidHeader(text)
        }
        return (String(text[..<colon]), text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    /// The connectivity result a word names: `@file.json`, read hop by hop without the whole JSON
    /// tree, or a value (a variable, a path into one, or JSON text), which is returned too.
    /// Throws `ResultError` for JSON that is not a result, for the caller to place.
    static func connectivityResult(
        _ word: Word, evaluator: Evaluator, in directory: WorkingDirectory
    ) throws -> (result: ConnectivityResult, value: JSONValue?) {
        if let (path, bytes) = try directory.fileArgument(word) {
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

/// The folder relative paths in commands are read from (`@body.json`, `record start s.yaml`).
struct WorkingDirectory: Sendable {
    let path: String

    /// A path the user typed, relative to this folder unless absolute.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : self.path + "/" + path
    }

    /// The bytes of the file an `@path` argument names (`post URL @body.json`, `explain @r.json`),
    /// or nil when the word is not an `@path`.
    func fileArgument(_ word: Word) throws(ShellError) -> (path: String, bytes: [UInt8])? {
        guard word.isBare, let text = word.literalText, text.hasPrefix("@"), text.count > 1 else { return nil }
        let path = String(text.dropFirst())
        let resolved = resolve(path)
        guard let bytes = LocalFile.bytes(atPath: resolved) else {
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder)
            throw .unreadableFile(
                path: path, reason: !exists ? "no such file" : isFolder.boolValue ? "it is a folder" : "it is not readable")
        }
        return (path, bytes)
    }
}
