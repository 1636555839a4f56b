import Cassettes
import Foundation
import JSON
import LineEditing
import Shell
import ShellLanguage
import Synchronization

/// The interactive shell over a session: libedit line editing, history kept free of secrets, Tab
/// completion from the variables as of the last statement, and Ctrl-C cancelling the running
/// statement.
struct InteractiveSession {
    let session: Session
    let environment: [String: String]
    /// The session's learned secrets, removed from the history file.
    let secrets: SecretLedger

    /// How wide the prompt's location may be: a third of the terminal's columns, between 20 and
    /// 60 (40 when the width is not known).
    static func promptWidth() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 40 }
        return min(60, max(20, Int(size.ws_col) / 3))
    }

    /// Reads and runs statements until end of input or `exit`; returns the exit status.
    func run() async -> Int32 {
        Interrupts.install()
        // The variables as of the last statement, for completion on the input thread.
        let variables = Mutex(Variables())
        let paths = PathCompleter(session: session)
        let reader = EditLineReader(historyPath: EditLineReader.defaultHistoryPath(environment: environment)) { before, word in
            // Commands, options, variables and members, from what the shell knows; else ARM paths
            // where a command takes one (looked up, within 2 s).
            let known = Completion.candidates(lineBeforeWord: before, word: word, variables: variables.withLock { $0 })
            return known.isEmpty ? paths.candidates(lineBeforeWord: before, word: word) ?? [] : known
        }
        let input = InputThread(reader: reader)
        var assembler = StatementAssembler()
        // How many learned secrets the history has been cleaned of.
        var historyClean = 0
        while true {
            // The location `cd` went to, shortened to a third of the terminal's width; nothing at
            // the top (`nwsh> `).
            let location = TerminalText.sanitized(await session.promptLocation(width: Self.promptWidth()))
            let prompt = assembler.isContinuing ? ">> " : location.isEmpty ? "nwsh> " : "nwsh \(location)> "
            session.flushRecording()
            switch await input.readLine(prompt: prompt) {
            case .endOfInput:
                return 0
            case .interrupted:
                assembler.reset()
                continue
            case .line(let line):
                // History is a file too: tokens, SAS signatures, keys and learned secrets never reach it.
                let redactor = Redactor(ledger: secrets)
                reader.addToHistory(redactor.redactForWriting(text: line))
                guard let (text, firstLine) = assembler.add(line) else { continue }
                let running = Task { await session.run(text, firstLine: firstLine) }
                let watcher = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(50))
                        if Interrupts.take() { running.cancel() }
                    }
                }
                let outcome = await running.value
                watcher.cancel()
                // A secret this statement sent may have been typed in an earlier line.
                session.flushRecording()
                if secrets.count > historyClean {
                    historyClean = secrets.count
                    reader.rewriteHistory { redactor.redactForWriting(text: $0) }
                }
                let snapshot = await session.variables
                variables.withLock { $0 = snapshot }
                if case .exit(let code) = outcome { return code }
            }
        }
    }
}
