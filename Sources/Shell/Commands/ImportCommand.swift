import Cassettes
import ShellLanguage

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
