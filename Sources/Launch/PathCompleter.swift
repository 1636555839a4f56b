import Dispatch
import LineEditing
import Shell
import Synchronization

/// Runs a Tab completion of an ARM path (``Session/completePath(lineBeforeWord:word:)``) from
/// libedit's completion callback, on the input thread: it waits at most ``limit`` for the lookup,
/// and stops waiting at Ctrl-C. When it gives up, or the lookup fails, nothing is completed and a
/// short hint says why; the prompt is never held longer.
struct PathCompleter: Sendable {
    let session: Session
    /// How long a lookup may take before Tab gives up.
    static let limit: Duration = .seconds(2)

    /// The candidates for a word; nil when the word is not an ARM path.
    func candidates(lineBeforeWord: String, word: String) -> [String]? {
        let result = Mutex<PathCompletionResult?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task { [session] in
            let found = await session.completePath(lineBeforeWord: lineBeforeWord, word: word)
            result.withLock { $0 = found }
            done.signal()
        }
        let deadline = ContinuousClock.now + Self.limit
        while done.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            if Interrupts.take() {
                task.cancel()
                return []
            }
            if ContinuousClock.now >= deadline {
                task.cancel()
                EditLineReader.showMessage("(no completion: ARM did not answer within 2 s; press Tab to try again)")
                return []
            }
        }
        switch result.withLock({ $0 }) {
        case .candidates(let candidates)?: return candidates
        case .failed(let why)?:
            EditLineReader.showMessage("(no completion: \(why))")
            return []
        case .notAPath?, nil: return nil
        }
    }
}
