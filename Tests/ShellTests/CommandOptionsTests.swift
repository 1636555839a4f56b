import JSON
import ShellLanguage
import Testing

@testable import Shell

/// A command's options are declared once, as the cases of an enum; parsing, help and completion
/// all read the declaration.
@Suite struct CommandOptionsTests {
    /// A sample command whose options are what a real command would declare: adding one is one
    /// case and one line of its spec.
    enum SampleOption: CommandOption {
        case verbose, color, added

        var spec: OptionSpec {
            switch self {
            case .verbose: OptionSpec("--verbose", aliases: ["-v"], help: "say more")
            case .color: OptionSpec("--color", value: "WHEN", choices: ["auto", "always", "never"], help: "colour the output")
            // The added option: this line, and the case above.
            case .added: OptionSpec("--added", value: "N", help: "an option added in one line")
            }
        }
    }

    private func arguments(_ line: String) throws -> [Word] {
        guard case .command(let invocation)? = try Parser.parse(line).first else { throw ShellError.unknownCommand(line, suggestion: nil) }
        return invocation.arguments
    }

    @Test func anAddedOptionIsParsedListedInHelpAndCompleted() throws {
        let parsed = try SampleOption.parse(try arguments("sample first -v --added 3 --color never last"), command: "sample")
        #expect(parsed.positional.map(\.literalText) == ["first", "last"])
        #expect(parsed.options.map(\.option) == [.verbose, .added, .color])
        #expect(parsed.options.map { $0.value?.literalText } == [nil, "3", "never"])

        let spec = CommandSpec(
            name: "sample", usage: "sample [options] WORD...", summary: "a sample", detail: "", optionSpecs: SampleOption.specs)
        #expect(
            CommandRegistry.help(for: spec) == """
                usage: sample [options] WORD...
                  a sample
                  Options:
                    --verbose, -v  say more
                    --color WHEN   colour the output
                    --added N      an option added in one line

                """)
        #expect(Completion.optionCandidates(spec: spec, words: ["sample"], word: "--a") == ["--added"])
        #expect(Completion.optionCandidates(spec: spec, words: ["sample", "--color"], word: "a") == ["auto", "always"])
        #expect(Completion.optionCandidates(spec: spec, words: ["sample"], word: "x") == nil)
    }

    @Test(arguments: [
        ("sample --colour red", "sample: unknown option '--colour'. Did you mean '--color'?"),
        ("sample --added", "sample: --added needs a value. See 'help sample'."),
    ])
    func aWrongOptionIsAClearError(line: String, message: String) throws {
        let words = try arguments(line)
        do throws(ShellError) {
            _ = try SampleOption.parse(words, command: "sample")
            Issue.record("no error for \(line)")
        } catch {
            #expect(error.description == message)
        }
    }

    /// The verbs read armclient's spellings (`-header`, `-nowait`), and help says so.
    @Test func theRegistryFindsCommandsByNameOrAliasAndListsEachOnce() throws {
        #expect(CommandRegistry.command(named: "QUIT")?.spec.name == "exit")
        #expect(CommandRegistry.command(named: "Get")?.spec.name == "get")
        #expect(CommandRegistry.command(named: "armclient") == nil)
        #expect(Set(CommandRegistry.names).count == CommandRegistry.names.count)
        // Aliases run the command but are neither completed nor listed.
        #expect(Completion.candidates(lineBeforeWord: "", word: "ex", variables: Variables()) == ["exit", "explain", "export"])
        #expect(Completion.candidates(lineBeforeWord: "", word: "qu", variables: Variables()) == [])
        #expect(!CommandRegistry.overview().contains("quit"))
        // Every command's help is its spec's.
        for spec in CommandRegistry.specs {
            #expect(CommandRegistry.help(for: spec).hasPrefix("usage: \(spec.usage)\n  \(spec.summary)\n"))
        }
    }

    @Test func theVerbsAliasesAreDeclaredAndListed() throws {
        let parsed = try VerbOption.parse(try arguments("get /x -header 'a: b' -nowait -h 'c: d'"), command: "get")
        #expect(parsed.options.map(\.option) == [.header, .noWait, .header])
        let help = CommandRegistry.help(for: try #require(CommandRegistry.spec(named: "get")))
        #expect(help.contains("    --header, -h, -header \"Name: value\"  add a request header (repeatable)\n"))
        #expect(help.contains("    --no-wait, -nowait"))
        #expect(
            Completion.candidates(lineBeforeWord: "get /x ", word: "--", variables: Variables()) == [
                "--header", "--no-wait", "--no-paging",
            ])
    }

    /// Every option of check is declared, and Tab offers each one.
    @Test func checksOptionsAreAllCompleted() {
        #expect(Completion.candidates(lineBeforeWord: "check $vm ", word: "--", variables: Variables()) == CheckOption.specs.map(\.name))
        #expect(CheckOption.specs.count == 13)
        #expect(CheckOption.specs.last?.name == "--deep")
        #expect(ExplainOption.specs.map(\.name) == ["--deep", "--json"])
    }
}
