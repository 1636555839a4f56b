import Foundation

/// Runs a blocking line reader on a thread of its own, so waiting for a person to type never
/// holds one of Swift's few cooperative threads.
public final class InputThread: @unchecked Sendable {
    private let reader: LineReader
    private let queue = DispatchQueue(label: "nwsh.input")

    public init(reader: LineReader) {
        self.reader = reader
    }

    /// Reads a line on the input thread.
    public func readLine(prompt: String) async -> ReadResult {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.reader.readLine(prompt: prompt)) }
        }
    }
}
