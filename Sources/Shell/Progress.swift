import ARM
import Cassettes
import Foundation
import HTTPCore
import JSON
import ShellLanguage
import Synchronization

/// Renders what a running call is doing on standard error: request and response headers with
/// `-v`, and on a terminal a progress line (elapsed time, poll count) that a ticker refreshes every
/// second while a long-running operation is polled.
final class CallReporter: Sendable {
    private struct State {
        var polling = false
        var polls = 0
        var started = ContinuousClock.now
        var lineShown = false
        var lastStatus: String?
        /// What the call asks, in words, when its caller said (`explain --deep`'s follow-ups):
        /// the progress line starts with it instead of the generic wait.
        var label: String?
    }

    private let output: OutputSink
    private let style: OutputStyle
    private let state = Mutex(State())
    /// `-v` output is redacted as a cassette is: credential headers, patterns, learned values.
    private let redactor: Redactor

    init(output: OutputSink, style: OutputStyle, secrets: SecretLedger) {
        self.output = output
        self.style = style
        self.redactor = Redactor(ledger: secrets)
    }

    /// A header as `-v` shows it: the bearer token never, other credentials as `(redacted)`, and
    /// every value redacted and made safe for the terminal.
    private func shown(_ field: HTTPHeaders.Field) -> String {
        let name = field.name.lowercased()
        if name == "authorization" { return "Bearer (redacted)" }
        if Redactor.secretHeaders.contains(name) { return "(redacted)" }
        return TerminalText.sanitized(redactor.redactForWriting(text: field.value))
    }

    /// Starts timing a call; `label` says what it asks, for the progress line, which on a
    /// terminal says so at once (and, while the call is polled, with its time and polls).
    func begin(label: String? = nil) {
        // The label may come from the network (names, addresses): never let it drive the terminal.
        let label = label.map { TerminalText.sanitized($0) }
        let shown = style.progress && label != nil
        state.withLock { $0 = State(lineShown: shown, label: label) }
        if shown, let label { output.err("\r\u{1B}[K" + style.dim("asking \(label)…")) }
    }

    /// Clears the progress line, if one is shown.
    func finish() {
        let shown = state.withLock { state -> Bool in
            defer {
                state.lineShown = false
                state.polling = false
            }
            return state.lineShown
        }
        if shown { output.err("\r\u{1B}[K") }
    }

    /// Redraws the progress line (called by the ticker).
    func tick() {
        guard style.progress else { return }
        let line = state.withLock { state -> String? in
            guard state.polling else { return nil }
            state.lineShown = true
            let elapsed = ContinuousClock.now - state.started
            let status = state.lastStatus.map { ", status \($0)" } ?? ""
            let doing = state.label.map { "asking \($0)…" } ?? "waiting for the long-running operation:"
            return "\(doing) \(elapsed.components.seconds) s, \(counted(state.polls, "poll"))\(status) (Ctrl-C to stop)"
        }
        if let line { output.err("\r\u{1B}[K" + style.dim(line)) }
    }

    /// A line for `-v` only: how nwsh filled something in (an api-version chosen, and why).
    func note(_ text: String) {
        guard style.verbose else { return }
        clearLine()
        output.err(style.dim(TerminalText.sanitized(text) + "\n"))
    }

    /// Receives the client's events.
    func handle(_ event: ARMEvent) {
        switch event {
        case .sending(let request):
            guard style.verbose else { return }
            clearLine()
            var text = "> \(request.method) \(TerminalText.sanitized(redactor.redactForWriting(text: request.url)))\n"
            for field in request.headers { text += "> \(TerminalText.sanitized(field.name)): \(shown(field))\n" }
            if let body = request.body, !body.isEmpty { text += "> (\(body.count) bytes of body)\n" }
            output.err(style.dim(text))
        case .received(_, let response, let seconds):
            if response.status == 202 || response.status == 201 {
                state.withLock {
                    $0.polling = $0.polling || response.headers["Location"] != nil || response.headers["Azure-AsyncOperation"] != nil
                }
            }
            guard style.verbose else { return }
            clearLine()
            var text = "< HTTP \(response.status) \(reasonPhrase(for: response.status)) (\(Int(seconds * 1000)) ms)\n"
            for field in response.headers { text += "< \(TerminalText.sanitized(field.name)): \(shown(field))\n" }
            output.err(style.dim(text))
        case .retrying(let reason, let after, let attempt, let total):
            clearLine()
            output.err(style.dim("\(reason); retrying in \(Self.format(after)) (retry \(attempt) of \(total))\n"))
        case .polling(let count, _, let status):
            state.withLock {
                $0.polling = true
                $0.polls = count
                // The operation's status word came from the server: never let it drive the terminal.
                $0.lastStatus = status.map { TerminalText.sanitized($0) }
            }
            tick()
        case .page(let number):
            if style.verbose { output.err(style.dim("reading page \(number)\n")) }
        case .signedIn(let token):
            if style.verbose || style.progress {
                clearLine()
                output.err(style.dim("signed in with \(token.source)\(token.identity.map { " as \(TerminalText.sanitized($0))" } ?? "")\n"))
            }
        case .waitAdjusted(let note):
            // Said whatever the style: a wait the server asked for was not kept as asked.
            clearLine()
            output.err(style.dim("note: \(TerminalText.sanitized(note)).\n"))
        }
    }

    private func clearLine() {
        let shown = state.withLock { state -> Bool in
            defer { state.lineShown = false }
            return state.lineShown
        }
        if shown { output.err("\r\u{1B}[K") }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
}
