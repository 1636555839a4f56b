import ARM
import Diagnostics
import HTTPCore
import JSON

/// `explain --deep` and `check --deep`: asks the follow-ups that a result's issues need, in
/// rounds, each through the session's ARM client like any other request (on a terminal, a
/// progress line says what is being asked; a recording keeps each exchange, so a replay answers
/// them offline). A follow-up that fails is said in one line and the rest goes on.
enum DeepExplain {
    /// Rounds of follow-ups at most: the longest chain takes five (name resolution from a VM: the VM,
    /// its interface, its network, the private zones, their links), and no answer can make one ask
    /// for ever.
    static let maximumRounds = 6

    static func findings(
        for result: ConnectivityResult, context: CheckContext?, in session: isolated Session
    ) async throws -> [RootCauseFinding] {
        var investigation = RootCauseInvestigation(result: result, context: context)
        for _ in 0..<maximumRounds {
            let pending = investigation.pending
            if pending.isEmpty { break }
            for followUp in pending {
                investigation.record(try await ask(followUp, in: session), for: followUp)
            }
        }
        // Whatever is still wanted after the last round is said as not asked, so no issue is left out.
        for followUp in investigation.pending {
            investigation.record(.failed("not asked: nwsh asks at most \(maximumRounds) rounds of follow-ups"), for: followUp)
        }
        return investigation.findings
    }

    private static func ask(_ followUp: FollowUp, in session: isolated Session) async throws -> FollowUpAnswer {
        // The sender's progress line says what is asked (`purpose`), from the start and while polled.
        let call = ARMCall(
            method: followUp.method.lowercased(), target: followUp.target,
            body: followUp.body.map { Array(JSONFormatter.compact.format($0).utf8) })
        do {
            guard let value = try await session.sender.send(call, label: followUp.purpose).value else {
                return .failed("the answer was empty")
            }
            return .answered(value)
        } catch ShellError.httpStatus(_, _, let status, let code, let message, _, _) {
            let detail = [code, message].compactMap { $0 }.joined(separator: ": ")
            return .failed("HTTP \(status) \(reasonPhrase(for: status))" + (detail.isEmpty ? "" : " (\(detail))"))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Ctrl-C stops the investigation, whatever error the interrupted call ended in.
            if Task.isCancelled { throw CancellationError() }
            // A transport failure, an operation that failed or timed out, a replay without the
            // exchange: said in one line, and the rest goes on.
            return .failed(String(describing: error).split(separator: "\n").joined(separator: "; "))
        }
    }

    /// The findings as text: after each issue's sentence, the cause and the fixes to paste.
    static func text(_ findings: [RootCauseFinding]) -> String {
        guard !findings.isEmpty else { return "" }
        var text = "\nRoot cause:\n"
        for finding in findings {
            text += "  \(finding.issue)\n"
            for sentence in finding.cause { text += "    \(sentence)\n" }
            if !finding.fixes.isEmpty { text += "    To paste (printed, not run):\n" }
            for fix in finding.fixes { text += "      # \(fix.why)\n      \(fix.command)\n" }
        }
        return text
    }

    /// The findings as JSON, for `explain --deep --json`.
    static func json(_ findings: [RootCauseFinding]) -> JSONValue {
        .array(
            findings.map { finding in
                .object(
                    JSONObject([
                        "issue": .string(finding.issue), "cause": .array(finding.cause.map(JSONValue.string)),
                        "fixes": .array(finding.fixes.map(\.json)),
                    ]))
            })
    }
}
