import Foundation

/// What a command is called and takes: its name (and other names it answers to), usage, help text
/// and options. Each command declares its own, once (``ShellCommand/spec``).
public struct CommandSpec: Sendable {
    public var name: String
    /// Other names that run the command (`quit` for `exit`); not completed or listed.
    public var aliases: [String]
    /// The synopsis, shown by `help` and in every usage error of the command.
    public var usage: String
    public var summary: String
    public var detail: String
    /// The options the command reads with its ``CommandOption`` enum: `help` lists them and Tab
    /// completes their names and values from here.
    public var optionSpecs: [OptionSpec]
    /// Words of the command's own that Tab completes (`record start`, `export har`).
    public var keywords: [String]

    public init(
        name: String, aliases: [String] = [], usage: String, summary: String, detail: String, optionSpecs: [OptionSpec] = [],
        keywords: [String] = []
    ) {
        self.name = name
        self.aliases = aliases
        self.usage = usage
        self.summary = summary
        self.detail = detail
        self.optionSpecs = optionSpecs
        self.keywords = keywords
    }

    /// What Tab completes after the command: option names, then keywords.
    public var options: [String] { optionSpecs.map(\.name) + keywords }

    /// The spec of the option `text` names (by its name or an alias).
    public func option(named text: String) -> OptionSpec? {
        optionSpecs.first { $0.names(text) }
    }
}

/// The commands nwsh knows, in the order `help` lists them: dispatch, `help`, Tab completion and
/// "did you mean" suggestions all come from here.
public enum CommandRegistry {
    /// Every command.
    static let commands: [any ShellCommand] = [
        VerbCommand.get, VerbCommand.post, VerbCommand.put, VerbCommand.patch, VerbCommand.delete,
        LoginCommand(), WhoamiCommand(), RecordCommand(), ExportCommand(), ImportCommand(), BundleCommand(),
        CdCommand(), LsCommand(), PwdCommand(),
        CheckCommand(), DiffCommand(), ExplainCommand(), VarsCommand(), UnsetCommand(), HelpCommand(), ExitCommand(),
    ]

    /// Every command's spec.
    public static var specs: [CommandSpec] { commands.map(\.spec) }

    /// The command a name or alias names, ignoring case.
    static func command(named name: String) -> (any ShellCommand)? {
        let lowered = name.lowercased()
        return commands.first { $0.spec.name == lowered || $0.spec.aliases.contains(lowered) }
    }

    /// The spec of the command a name or alias names.
    public static func spec(named name: String) -> CommandSpec? {
        command(named: name)?.spec
    }

    /// Every command's name (aliases aside), for completion and suggestions.
    public static var names: [String] { specs.map(\.name) }

    /// The text of `help`.
    public static func overview() -> String {
        var text = "Commands:\n"
        let width = names.map(\.count).max() ?? 8
        for spec in specs {
            text += "  \(spec.name.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(spec.summary)\n"
        }
        text += """

            Language (PowerShell-flavoured, so armclient snippets paste as they are):
              $name = "text" | 'literal' | 42 | $other | <command ...>     assign
              "...$name...${name}..."   interpolate (also in bare words);  '...' is literal
              "...$($r.hops[0].id)..."  a member inside a string
              @" ... "@  /  @' ... '@   here-strings over several lines
              $name, $r.hops[0].issues  print a value;  # starts a comment
              armclient <verb> ...      the same as <verb> ...
            Type 'help <command>' for details.

            """
        return text
    }

    /// The text of `help NAME`.
    public static func help(for spec: CommandSpec) -> String {
        var text = "usage: \(spec.usage)\n  \(spec.summary)\n"
        if !spec.detail.isEmpty { text += spec.detail + "\n" }
        if !spec.optionSpecs.isEmpty { text += "  Options:\n" + optionLines(spec.optionSpecs) }
        return text
    }

    /// One line an option, its names and value in a column, then what it does.
    static func optionLines(_ options: [OptionSpec]) -> String {
        let columns = options.map { option in
            ([option.name] + option.aliases).joined(separator: ", ") + (option.value.map { " " + $0 } ?? "")
        }
        let width = columns.map(\.count).max() ?? 0
        return zip(columns, options).map { column, option in
            "    " + column.padding(toLength: width + 2, withPad: " ", startingAt: 0) + option.help + "\n"
        }.joined()
    }
}
