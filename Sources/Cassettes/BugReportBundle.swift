import Foundation
import HTTPCore
import JSON

/// A folder to attach to a bug report: the redacted cassette, a HAR export, what nwsh and the
/// endpoint were, the api-versions used, and the request IDs of the failed requests (what Azure
/// support asks for), with a README saying what is inside.
public enum BugReportBundle {
    /// The summary written to `info.json`.
    public static func info(for cassette: Cassette, nwshVersion: String) -> JSONValue {
        var apiVersions = Set<String>()
        var failures: [JSONValue] = []
        for interaction in cassette.interactions {
            for item in URLParts.split(interaction.request.url).query where item.name.lowercased() == "api-version" {
                apiVersions.insert(item.value)
            }
            guard interaction.response.status >= 400 else { continue }
            var failure = JSONObject([
                "method": .string(interaction.request.method), "url": .string(interaction.request.url),
                "status": .number(JSONNumber(interaction.response.status)),
            ])
            if let envelope = ARMErrorEnvelope(body: interaction.response.body) {
                if let code = envelope.code { failure["code"] = .string(code) }
                if let message = envelope.message { failure["message"] = .string(message) }
            }
            for header in ["x-ms-request-id", "x-ms-correlation-request-id"] {
                if let value = interaction.response.headers[header] { failure[header] = .string(value) }
            }
            failures.append(.object(failure))
        }
        return .object(
            JSONObject([
                "nwshVersion": .string(nwshVersion),
                "source": .string(cassette.metadata.source),
                "endpoint": .string(cassette.metadata.endpoint),
                "recordedAt": .string(cassette.metadata.recordedAt),
                "commands": .number(JSONNumber(cassette.commands.count)),
                "interactions": .number(JSONNumber(cassette.interactions.count)),
                "apiVersions": .array(apiVersions.sorted().map(JSONValue.string)),
                "failedRequests": .array(failures),
            ]))
    }

    static let readme = """
        # nwsh bug report

        - `session.cassette.json`: the session — commands and HTTP exchanges — as an nwsh cassette
          (docs/cassette-format.md in nwsh's repository). Replay it with `nwsh --replay session.cassette.json --rerun`.
        - `session.har`: the same exchanges as HAR 1.2, for a browser's developer tools.
        - `info.json`: nwsh's version, the endpoint, the api-versions used, and for each failed request
          its status, ARM error code and message, and `x-ms-request-id` / `x-ms-correlation-request-id`
          (quote these to Azure support).

        Tokens, client secrets, SAS signatures, storage keys and anything shaped like a JWT were removed
        before the session was written. Check the files before you share them all the same.

        """

    /// Writes the bundle into `directory` (created if missing); returns the files written.
    public static func write(_ cassette: Cassette, to directory: String, nwshVersion: String) throws(CassetteError) -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw .unwritable(file: directory, reason: "it exists and is not a folder")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(file: directory, reason: error.localizedDescription)
        }
        let files: [(String, String)] = [
            ("session.cassette.json", cassette.text),
            ("session.har", JSONFormatter(indent: 2).format(cassette.har(creatorVersion: nwshVersion)) + "\n"),
            ("info.json", JSONFormatter(indent: 2).format(info(for: cassette, nwshVersion: nwshVersion)) + "\n"),
            ("README.md", readme),
        ]
        var written: [String] = []
        for (name, text) in files {
            let path = directory + "/" + name
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw .unwritable(file: path, reason: "cannot create it (is the folder writable?)")
            }
            written.append(path)
        }
        return written
    }
}
