import JSON
import ShellLanguage

/// A command of the shell: what it is called and takes, declared once in its ``spec``, and what
/// it does. Dispatch, `help`, Tab completion, "did you mean" and usage errors all read the spec
/// (through ``CommandRegistry``), so they cannot drift apart.
///
/// A command runs on the session's actor (`isolated Session`): it reads and sets the session's
/// state (variables, the last result and check) and uses its services (the ARM client through
/// ``RequestSender``, the output, the recording) without awaiting the actor for each.
protocol ShellCommand: Sendable {
    /// Names, usage, help and options.
    var spec: CommandSpec { get }

    /// Runs the command over its arguments, still unevaluated (`$vm` stays an object until the
    /// command asks for a string).
    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult
}

/// What a command produced.
struct CommandResult {
    /// The value to print (or to store, in an assignment).
    var value: JSONValue?
    var outcome: Outcome = .success
    /// False when the command has printed its own summary of the value (`check`): the value is
    /// still stored by `$x = command`.
    var shown = true
    /// What the command prints instead of its value when the value is not assigned (`ls`'s
    /// table); `$x = command` stores the value and prints nothing.
    var display: String?

    static let none = CommandResult(value: nil)
}
