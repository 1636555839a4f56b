import Cassettes
import Foundation
import ShellLanguage

/// Runs statements the way a script runs: line by line, assembling here-strings, stopping at the
/// first statement that fails (an unreachable `check` does not stop it, so an `explain` after it
/// runs). `nwsh FILE`, `nwsh -c`, piped input and `--rerun` all run through it, and so do the
/// tests that run scripts against a session.
public struct ScriptRunner: Sendable {
    public let session: Session
    /// Where the error about an unfinished here-string goes.
    public let output: OutputSink

    public init(session: Session, output: OutputSink) {
        self.session = session
        self.output = output
    }

    /// A script's lines: split on the newline byte, so `\r\n` (one `Character`) splits too.
    public static func lines(of text: String) -> [String] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(Substring($0)) }
    }

    /// Runs `lines` as a script.
    public func run(lines: [String]) async -> Outcome {
        var index = 0
        return await run {
            defer { index += 1 }
            return index < lines.count ? lines[index] : nil
        }
    }

    /// Runs the lines `next` gives until it gives nil (piped input).
    public func run(next: () -> String?) async -> Outcome {
        var assembler = StatementAssembler()
        var unreachable = false
        while let line = next() {
            guard let (text, firstLine) = assembler.add(line) else { continue }
            switch await session.run(text, firstLine: firstLine) {
            case .success: continue
            case .unreachable: unreachable = true
            case let other: return other
            }
        }
        if let error = assembler.unfinishedError() {
            output.err("error: \(error.description)\n")
            return .failure
        }
        return unreachable ? .unreachable : .success
    }

    /// Runs a cassette's statements again (`--rerun`), as the recorded session ran them: a
    /// statement interrupted when recorded is stopped after the requests it made then (`transport`
    /// cancels the next), and says so; one that failed or was interrupted lets the rest run, as the
    /// session went on. A statement that fails although it succeeded when recorded stops the rerun
    /// as a failing script line does.
    public func rerun(_ runs: [Cassette.CommandRun], transport: ReplayTransport?) async -> Outcome {
        var line = 1
        var unreachable = false
        for run in runs {
            // `record start`, `stop` and `status` were about that recording; a replay records
            // nothing, so they are not run again.
            if Self.isRecordingCommand(run.text) {
                line += Self.lines(of: run.text).count
                continue
            }
            transport?.allowRequests(run.status == .interrupted ? run.requests : nil)
            let outcome = await session.run(run.text, firstLine: line)
            transport?.allowRequests(nil)
            line += Self.lines(of: run.text).count
            switch outcome {
            case .success: continue
            case .unreachable: unreachable = true
            case .exit: return outcome
            case .failure:
                // It went on when recorded: so does the rerun.
                if run.status == .failed || run.status == .interrupted { continue }
                return .failure
            }
        }
        return unreachable ? .unreachable : .success
    }
}

extension ScriptRunner {
    /// Whether a statement's text is a `record` command.
    static func isRecordingCommand(_ text: String) -> Bool {
        guard let statements = try? Parser.parse(text), statements.count == 1, case .command(let invocation) = statements[0] else {
            return false
        }
        return invocation.name == "record"
    }
}

extension Outcome {
    /// The exit status of a script that ended so: 0, 1 for a failure, 3 when a `check` found its
    /// destination unreachable, or what `exit N` said.
    public var exitStatus: Int32 {
        switch self {
        case .success: 0
        case .failure: 1
        case .unreachable: 3
        case .exit(let code): code
        }
    }
}
