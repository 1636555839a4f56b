import Foundation
import FuzzTargets
import Testing

/// Every input in the committed fuzzing corpus (`Fuzz/Corpus/TARGET/`: the seeds, and every input
/// that once crashed a target) goes through its target again, as libFuzzer ran it. A target that
/// traps fails the whole run, which names the file in its message.
@Suite struct FuzzCorpusTests {
    static var corpus: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus")
    }

    @Test(.timeLimit(.minutes(1)), arguments: FuzzTarget.allCases)
    func theCorpusRunsThroughItsTarget(target: FuzzTarget) async throws {
        let folder = Self.corpus.appendingPathComponent(target.rawValue)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!files.isEmpty, "no corpus for \(target.rawValue)")
        let inputs = try files.map { Array(try Data(contentsOf: folder.appendingPathComponent($0))) }
        // On a GCD thread, as libFuzzer's: the sandbox target waits for the sandbox's actor, which
        // must not wait behind a blocked thread of Swift's small cooperative pool.
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                for input in inputs { target.run(input) }
                continuation.resume()
            }
        }
    }
}
