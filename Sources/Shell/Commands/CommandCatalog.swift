import Foundation

/// The commands nwsh knows: names, usage and help text, used by `help`, completion and
/// "did you mean" suggestions.
public struct CommandSpec: Sendable {
    public var name: String
    public var usage: String
    public var summary: String
    public var detail: String
    /// The options the command reads with its ``CommandOption`` enum: `help` lists them and Tab
    /// completes their names and values from here.
    public var optionSpecs: [OptionSpec]
    /// Words of the command's own that Tab completes (`record start`, `export har`).
    public var keywords: [String]

    public init(name: String, usage: String, summary: String, detail: String, optionSpecs: [OptionSpec] = [], keywords: [String] = []) {
        self.name = name
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

public enum CommandCatalog {
    static let verbDetail = """
      URL is a path (/subscriptions/...) resolved against the endpoint, or an absolute URL;
      https://management.azure.com/... goes to the configured endpoint, so Azure scripts run
      unchanged on the sandbox. BODY is a string or here-string, $var, or @file.json; relaxed JSON
      (single quotes, trailing commas) is sent as strict JSON, and a body that is not JSON is
      refused before anything is sent.
      Long-running operations are polled to completion, honouring Retry-After; 429 and 5xx
      answers are retried. $r = <verb> ... stores the final body.
    """

    /// Every command, in help order.
    public static let all: [CommandSpec] = [
        CommandSpec(name: "get", usage: "get URL [-h \"Name: value\"]... [--no-paging]", summary: "GET an ARM resource or list", detail: verbDetail, optionSpecs: VerbOption.specs),
        CommandSpec(name: "post", usage: "post URL [BODY] [-h \"Name: value\"]... [--no-wait]", summary: "POST to ARM (actions such as connectivityCheck)", detail: verbDetail, optionSpecs: VerbOption.specs),
        CommandSpec(name: "put", usage: "put URL BODY [-h \"Name: value\"]... [--no-wait]", summary: "PUT (create or replace) a resource", detail: verbDetail, optionSpecs: VerbOption.specs),
        CommandSpec(name: "patch", usage: "patch URL BODY [-h \"Name: value\"]... [--no-wait]", summary: "PATCH (update) a resource", detail: verbDetail, optionSpecs: VerbOption.specs),
        CommandSpec(name: "delete", usage: "delete URL [-h \"Name: value\"]... [--no-wait]", summary: "DELETE a resource", detail: verbDetail, optionSpecs: VerbOption.specs),
        CommandSpec(name: "login", usage: "login", summary: "get an access token", detail: """
              Tries, in order: NWSH_ACCESS_TOKEN (or ARMCLIENT_TOKEN); a service principal
              (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, authority AZURE_AUTHORITY_HOST);
              'az account get-access-token' when az is on PATH; then, in an interactive session, the
              device-code flow. With --sandbox the sandbox issues the token. Requests log in by
              themselves when needed, and tokens are renewed before they expire.
            """),
        CommandSpec(name: "whoami", usage: "whoami", summary: "show the signed-in identity, tenant and token expiry", detail: "  Never shows the token itself."),
        CommandSpec(name: "record", usage: "record start FILE [--anonymize] | record stop | record status", summary: "record the session to a cassette", detail: """
              Records every command and HTTP exchange, redacted (tokens, secrets, SAS signatures and keys
              never reach the file), to FILE; 'record stop' writes it. nwsh --record FILE records a whole
              session; nwsh --replay FILE answers from it offline. See docs/cassette-format.md.
              --anonymize also replaces subscription and tenant IDs with stable placeholders.
            """, optionSpecs: RecordOption.specs, keywords: ["start", "stop", "status"]),
        CommandSpec(name: "export", usage: "export har FILE [--from CASSETTE]", summary: "write the session's exchanges as HAR 1.2", detail: """
              HAR files open in a browser's developer tools. The session's own cassette (being recorded or
              replayed) is used unless --from names another. Redacted like the cassette.
            """, optionSpecs: SharingOption.specs, keywords: ["har"]),
        CommandSpec(name: "import", usage: "import SOURCE CASSETTE", summary: "turn a HAR file or vcrpy YAML cassette into an nwsh cassette", detail: """
              vcrpy cassettes are what Azure CLI and the Azure SDK for Python record in their tests: flow-style
              YAML, bodies as text, !!binary or Python bytes literals (b'...'). Long-running-operation polls
              replay in order. Imported exchanges are redacted like recorded ones.
            """),
        CommandSpec(name: "bundle", usage: "bundle DIR [--from CASSETTE]", summary: "write a bug-report folder", detail: """
              The redacted cassette, a HAR export, info.json (nwsh version, endpoint, api-versions used, the
              request IDs of failed requests) and a README of what is inside.
            """, optionSpecs: SharingOption.specs),
        CommandSpec(name: "check", usage: "check --source VM (--dest-address HOST | --dest-resource ID) [options] | check VM HOST:PORT", summary: "check whether a VM can reach a destination (Network Watcher connectivity check)", detail: """
              VM is a resource ID, a VM you got ($vm = get ...), or a VM's name (looked up in the
              subscriptions you can see; it must name one VM). The short form's destination is HOST:PORT,
              [IPv6]:PORT, a URL (http: port 80, https: 443, unless it names one), or a resource ID.
              Everything is checked before anything is sent. The long-running operation is polled to
              the end; a summary is printed and the result stored in $check ('explain' says more).
              In a script an unreachable destination does not stop the script, but its exit status is 3.
            """, optionSpecs: CheckOption.specs),
        CommandSpec(name: "diff", usage: "diff $before $after", summary: "compare two connectivity results (did the fix work?)", detail: """
              The verdict, probes and latency, hops no longer or newly on the path, and issues resolved or
              new. Results are $variables, @file.json or JSON text. Hops are matched by type, address and
              resource, not by their id (each check makes new ones).
            """),
        CommandSpec(name: "explain", usage: "explain [$var | @file.json] [--json]", summary: "say in words what a connectivity check found", detail: """
              The verdict, probes and latency; the path hop by hop (branches drawn as a tree, ✗ on hops
              with issues); one sentence per issue (where, direction, severity, what); and the nwsh
              commands to run next, with resource IDs filled in. With no argument: the last result a
              request returned. --json gives the same findings as JSON.
            """, optionSpecs: ExplainOption.specs),
        CommandSpec(name: "vars", usage: "vars", summary: "list the session's variables", detail: "  Names are case-insensitive, as in PowerShell."),
        CommandSpec(name: "unset", usage: "unset $name...", summary: "remove variables", detail: ""),
        CommandSpec(name: "help", usage: "help [command]", summary: "list commands, or explain one", detail: ""),
        CommandSpec(name: "exit", usage: "exit [status]", summary: "leave nwsh (Ctrl-D also works)", detail: ""),
    ]

    /// The command with this name.
    public static func spec(named name: String) -> CommandSpec? {
        all.first { $0.name == name.lowercased() }
    }

    /// All names, including `armclient` (accepted and ignored before a verb).
    public static var names: [String] { all.map(\.name) }

    /// The text of `help`.
    public static func overview() -> String {
        var text = "Commands:\n"
        let width = all.map(\.name.count).max() ?? 8
        for spec in all {
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
