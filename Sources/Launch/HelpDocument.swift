import Cassettes
import HTTPCore
import Shell

/// nwsh's command-line help as one document. `nwsh --help` prints it as text (``plainText``),
/// `nwsh --manual` as the man page `nwsh.1` (``Manual``), and `nwsh --completion-script` derives
/// shell completion from its options (``CompletionScript``), so none of them can say something
/// the others do not.
public enum HelpDocument {
    /// What nwsh is, after its name.
    static let summary = "the Network Watcher shell. Troubleshoot Azure networking through the ARM REST API."

    /// How it is run, option by option (``Options/usage``).
    static var usage: String { Options.usage }

    /// What it does, a paragraph an entry.
    static let description = [
        "Runs interactively on a terminal; runs FILE, -c COMMANDS, or commands piped to standard input otherwise. A script stops at its first failed command.",
        "Type 'help' in the shell for its commands (get, post, put, patch, delete, check, explain, cd, ls and more); 'help COMMAND' describes one.",
    ]

    /// Each exit status and when it is given.
    static let exitStatuses: [(status: String, meaning: String)] = [
        ("0", "success"),
        ("1", "a command failed (an error, or an HTTP status of 400 or more)"),
        ("2", "an unreadable script or cassette, an endpoint that is not a URL, or a cloud that is unknown or contradicted"),
        ("3", "a check found its destination not reachable"),
        ("64", "invalid flags"),
        ("N", "'exit N' leaves with N"),
    ]

    /// The environment variables nwsh reads, with what each says.
    static let environment: [(names: [String], meaning: String)] = [
        (["NWSH_ENDPOINT"], "The ARM endpoint, when --endpoint is not given."),
        (["NWSH_CLOUD"], "The Azure cloud, when --cloud is not given: \(Options.cloudNames)."),
        (["NWSH_ACCESS_TOKEN", "ARMCLIENT_TOKEN"], "A bearer token to use."),
        (["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"], "A service principal to sign in with."),
        (["AZURE_AUTHORITY_HOST"], "The Entra ID authority to sign in at (default: the cloud's)."),
        (
            ["AZURE_CLOUD_NAME", "AZURE_CONFIG_DIR"],
            "The Azure CLI's cloud and configuration folder, read when nwsh borrows the CLI's sign-in and no cloud is named."
        ),
        (["NWSH_RECORD_MODE"], "The record mode, when --record-mode is not given."),
        (["HTTPS_PROXY", "NO_PROXY"], "The proxy to send requests through, and the hosts that go around it."),
        (["NO_COLOR"], "Turns colour off."),
        (["NWSH_HISTORY"], "The history file (empty for none)."),
    ]

    /// The files nwsh keeps, with what each holds.
    static let files: [(path: String, meaning: String)] = [
        (
            "$XDG_STATE_HOME/nwsh/history",
            "The interactive shell's history (else ~/.local/state/nwsh/history when ~/.local/state exists, else ~/.nwsh_history), mode 0600."
        ),
        (
            "$XDG_CACHE_HOME/nwsh",
            "Each ARM provider's api-versions, kept a day (else ~/.cache/nwsh), mode 0600; not used on the sandbox, in a replay or while recording."
        ),
    ]

    /// The text of `nwsh --help`, wrapped to fit 80 columns.
    public static var plainText: String {
        var text = wrapped("nwsh: \(summary)") + "\nUsage: \(usage)\n\n"
        text += description.map { wrapped($0) }.joined(separator: "\n")
        text += "\nOptions:\n"
        for flag in Options.Flag.allCases {
            let left = flag.names.joined(separator: ", ") + (flag.value.map { " \($0)" } ?? "")
            let column = "  " + left + String(repeating: " ", count: max(2, 31 - left.count))
            text += wrapped(flag.help, indent: column, continuation: String(repeating: " ", count: 33))
        }
        let statuses = exitStatuses.map { $0.status == "N" ? $0.meaning : "\($0.status) \($0.meaning)" }.joined(separator: "; ")
        text += "\n" + wrapped("Exit status: \(statuses).")
        text += "\nEnvironment:\n"
        for variable in environment {
            text += wrapped(variable.names.joined(separator: ", ") + ": " + variable.meaning, indent: "  ", continuation: "    ")
        }
        text += "\nFiles:\n"
        for file in files {
            text += wrapped(file.path + ": " + file.meaning, indent: "  ", continuation: "    ")
        }
        return text
    }

    /// `paragraph` broken at spaces into lines of at most `width` columns (a longer word keeps a
    /// line of its own), each line ending in a newline.
    static func wrapped(_ paragraph: String, width: Int = 80, indent: String = "", continuation: String = "") -> String {
        var lines: [String] = []
        var line = indent
        for word in paragraph.split(separator: " ") {
            let start = lines.isEmpty ? indent : continuation
            if line.count > start.count, line.count + 1 + word.count > width {
                lines.append(line)
                line = continuation
            }
            line += (line.count > (lines.isEmpty ? indent : continuation).count ? " " : "") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }
}
