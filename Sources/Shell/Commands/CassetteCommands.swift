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
        let (words, from) = try SharingOption.read(arguments, for: spec, in: session)
        guard words.first?.lowercased() == "har" else { throw spec.missing("the format (har)") }
        guard words.count >= 2 else { throw spec.missing("the HAR file") }
        if words.count > 2 { throw spec.unexpected(words[2]) }
        let cassette = try SharingOption.cassette(from, for: spec, in: session)
        let path = session.directory.resolve(words[1])
        let text = JSONFormatter(indent: 2).format(cassette.har(creatorVersion: NWSHVersion.number)) + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw ShellError.cassette(.unwritable(file: words[1], reason: "cannot create it (is the folder writable?)"))
        }
        session.output.err("Wrote \(counted(cassette.interactions.count, "exchange")) to \(words[1]) (HAR 1.2, redacted).\n")
        return .none
    }
}

/// `bundle DIR [--from CASSETTE]`: a bug-report folder.
struct BundleCommand: ShellCommand {
    let spec = CommandSpec(
        name: "bundle", usage: "bundle DIR [--from CASSETTE]", summary: "write a bug-report folder",
        detail: """
              The redacted cassette, a HAR export, info.json (nwsh version, endpoint, api-versions used, the
              request IDs of failed requests) and a README of what is inside.
            """, optionSpecs: SharingOption.specs)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let (words, from) = try SharingOption.read(arguments, for: spec, in: session)
        guard let folder = words.first else { throw spec.missing("the folder") }
        if words.count > 1 { throw spec.unexpected(words[1]) }
        let cassette = try SharingOption.cassette(from, for: spec, in: session)
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

/// `import SOURCE CASSETTE`: a HAR file or vcrpy YAML cassette becomes an nwsh cassette.
struct ImportCommand: ShellCommand {
    let spec = CommandSpec(
        name: "import", usage: "import SOURCE CASSETTE", summary: "turn a HAR file or vcrpy YAML cassette into an nwsh cassette",
        detail: """
              vcrpy cassettes are what Azure CLI and the Azure SDK for Python record in their tests: flow-style
              YAML, bodies as text, !!binary or Python bytes literals (b'...'). Long-running-operation polls
              replay in order. Imported exchanges are redacted like recorded ones.
            """)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        if arguments.count > 2 { throw spec.unexpected(arguments[2], evaluator: evaluator) }
        let words = try arguments.map { try evaluator.string($0) }
        guard words.count == 2 else { throw spec.missing(words.isEmpty ? "the file to import" : "the cassette to write") }
        do {
            let (cassette, format) = try CassetteImporter.load(path: session.directory.resolve(words[0]), displayName: words[0])
            try CassetteRecorder.write(cassette, to: session.directory.resolve(words[1]))
            session.output.err(
                "Imported \(counted(cassette.interactions.count, "interaction")) from \(words[0]) (\(format.rawValue)) into \(words[1]); replay it with nwsh --replay \(words[1]).\n"
            )
        } catch {
            throw ShellError.cassette(error)
        }
        return .none
    }
}

/// The options of `export` and `bundle`.
enum SharingOption: CommandOption {
    case from

    var spec: OptionSpec {
        switch self {
        case .from: OptionSpec("--from", value: "CASSETTE", help: "the cassette to use instead of the session's own")
        }
    }

    /// The arguments other than `--from`, evaluated, and the cassette `--from` names.
    static func read(_ arguments: [Word], for command: CommandSpec, in session: isolated Session) throws -> (words: [String], from: String?)
    {
        let evaluator = Evaluator(variables: session.variables)
        let parsed = try parse(arguments, command: command.name)
        var from: String?
        for (option, word, value) in parsed.options {
            switch option {
            case .from: from = try evaluator.string(value ?? word)
            }
        }
        return (try parsed.positional.map { try evaluator.string($0) }, from)
    }

    /// The cassette at `path` (from `--from`), or else the session's own (being recorded, or
    /// replayed).
    static func cassette(_ path: String?, for command: CommandSpec, in session: isolated Session) throws -> Cassette {
        if let path {
            do {
                return try Cassette.load(path: session.directory.resolve(path), displayName: path)
            } catch {
                throw ShellError.cassette(error)
            }
        }
        guard let current = session.currentCassette?() else { throw ShellError.noCassette(command.name) }
        return current
    }
}
