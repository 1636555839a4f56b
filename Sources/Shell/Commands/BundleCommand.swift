import Cassettes
import Foundation
import HTTPCore
import ShellLanguage

/// `bundle DIR [--from CASSETTE]`: a bug-report folder.
struct BundleCommand: ShellCommand {
    let spec = CommandSpec(
        name: "bundle", usage: "bundle DIR [--from CASSETTE]", summary: "write a bug-report folder",
        detail: """
              The redacted cassette, a HAR export, info.json (nwsh version, endpoint, api-versions used, the
              request IDs of failed requests) and a README of what is inside.
            """, optionSpecs: SharingOption.specs)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let (cassette, words) = try SharedCassette.arguments(arguments, for: spec, in: session)
        guard let folder = words.first else { throw spec.missing("the folder") }
        if words.count > 1 { throw spec.unexpected(words[1]) }
        do {
            let files = try BugReportBundle.write(cassette, to: session.directory.resolve(folder), nwshVersion: NWSHVersion.number)
            session.output.err(
                "Wrote a bug-report bundle to \(folder): \(files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")).\n")
        } catch {
            throw ShellError.cassette(error)
        }
        return .none
    }
}
