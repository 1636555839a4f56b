import ARM
import ARMPaths
import Cassettes
import HTTPCore
import JSON

/// What Tab completion of an ARM path found.
public enum PathCompletionResult: Sendable, Equatable {
    /// The word is not a path where a command takes one: other completions apply.
    case notAPath
    /// The whole words to offer (none: nothing there starts so).
    case candidates([String])
    /// A lookup failed; the reason, in a few words, for a hint.
    case failed(String)
}

extension Session {
    /// Completes an ARM path (``PathCompletion``): the lookups it needs go through the session's
    /// transport (recorded, marked as `completion` lookups so `--rerun` does not count them as a
    /// statement's), without progress or `-v` output, and are kept for the session. The caller
    /// bounds the wait and cancels it (Ctrl-C, or too slow).
    public func completePath(lineBeforeWord: String, word: String) async -> PathCompletionResult {
        guard let request = PathCompletion.request(lineBeforeWord: lineBeforeWord, word: word, variables: variables) else {
            return .notAPath
        }
        // Quiet: nothing is written while a person is editing the line, and nothing is retried.
        let client = ARMClient(
            configuration: ARMConfiguration(endpoint: sender.client.configuration.endpoint, retry: RetryPolicy(maximumRetries: 0)),
            transport: sender.client.transport, credentials: sender.client.credentials)
        do {
            return try await RecordingPurpose.$lookup.withValue("completion") {
                let directory = try await completionPath(request.directory, client: client)
                if request.versions {
                    let provider = try await sender.versions.provider(for: directory, client: client)
                    return .candidates(PathCompletion.versions(provider, for: directory, typed: request.partial))
                }
                let children = try await children(at: directory, quietly: client)
                return .candidates(PathCompletion.candidates(children, for: request))
            }
        } catch is CancellationError {
            return .candidates([])
        } catch let error as ShellError {
            return .failed(error.shortDescription)
        } catch {
            return .failed(String(describing: error).split(separator: "\n").first.map(String.init) ?? "")
        }
    }

    /// The place a completed word's directory names: an absolute URL's path, a path, or one
    /// relative to the location.
    private func completionPath(_ written: String, client: ARMClient) async throws -> ARMPath {
        if written.isEmpty { return location }
        return try await resolve(written, quietly: client).path
    }

    /// What lies under a place (``PathCompletion/source(for:)``): Tab completion's candidates, and
    /// what `cd`, `ls` and a verb's 404 look a missing segment up in. A lookup is kept for the
    /// session by the place (a group's namespaces and its types of one namespace are both read
    /// from the group's resources), and not kept when it was given up or a write came in between.
    /// `quietly`, when given, is the client it goes through (Tab's, which shows nothing); else the
    /// session's, like a statement's request.
    func children(at place: ARMPath, quietly client: ARMClient? = nil) async throws -> [PathCompletion.Child] {
        switch PathCompletion.source(for: place) {
        case .fixed(let list): return list
        case .lookup(let path, let read):
            let key = place.description.lowercased()
            if let cached = completionCache[key] { return cached }
            let generation = completionGeneration
            let json: JSONValue
            if let client {
                json = try await lookUp(path, client: client)
            } else {
                json = try await sender.value(ARMCall(method: "get", target: path.description)) ?? .null
            }
            let children = read(json)
            if !Task.isCancelled, generation == completionGeneration { completionCache[key] = children }
            return children
        }
    }

    /// A GET for completion, its api-version filled in; a status of 400 or more is an error.
    private func lookUp(_ path: ARMPath, client: ARMClient) async throws -> JSONValue {
        let target = try await sender.versions.choose(for: path.description, client: client)?.target ?? path.description
        let result = try await client.perform(ARMCall(method: "get", target: target))
        guard result.response.isSuccess else {
            let envelope = ARMErrorEnvelope(body: result.response.body)
            throw ShellError.httpStatus(
                method: "GET", url: result.url, status: result.response.status, code: envelope?.code, message: envelope?.message,
                requestID: nil, correlationID: nil)
        }
        return result.body ?? .null
    }
}

extension ShellError {
    /// The error in a few words, for a completion hint: an HTTP status with ARM's code, else the
    /// first sentence.
    var shortDescription: String {
        if case .httpStatus(_, _, let status, let code, _, _, _) = self {
            return "HTTP \(status)" + (code.map { " \($0)" } ?? "")
        }
        return String(description.prefix { $0 != "\n" })
    }
}
