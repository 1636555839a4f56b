import Cassettes
import Foundation
import HTTPCore
import JSON
import ShellLanguage

/// `export har FILE [--from CASSETTE]`: the session's exchanges as HAR 1.2.
struct ExportCommand: ShellCommand {
    let spec = CommandSpec(
        name: "export", usage: "export har FILE [--from CASSETTE]", summary: "write the session's exchanges as HAR 1.2",
        detail: """
              HAR files open in a browser's developer tools. The session's own cassette (being recorded or
              replayed) is used unless --from names another. Redacted like the cassette.
            """, optionSpecs: SharingOption.specs, keywords: ["har"])

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let (cassette, words) = try SharedCassette.arguments(arguments, for: spec, in: session)
        guard words.first?.lowercased() == "har" else { throw spec.missing("the format (har)") }
        guard words.count >= 2 else { throw spec.missing("the HAR file") }
        if words.count > 2 { throw spec.unexpected(words[2]) }
        let path = session.directory.resolve(words[1])
        let text = JSONFormatter(indent: 2).format(cassette.har(creatorVersion: NWSHVersion.number)) + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw ShellError.cassette(.unwritable(file: words[1], reason: "cannot create it (is the folder writable?)"))
        }
        session.output.err("Wrote \(counted(cassette.interactions.count, "exchange")) to \(words[1]) (HAR 1.2, redacted).\n")
        return .none
    }
}
