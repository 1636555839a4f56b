import Foundation

/// An append-only file written with `write(2)` directly: each append reaches the kernel before it
/// returns (so `kill -9` of nwsh loses nothing appended), with no buffering and none of
/// `FileHandle`'s per-call overhead.
struct JournalFile: Sendable {
    private let descriptor: Int32

    /// Creates (or truncates) the file; throws the system's reason when it cannot.
    init(creating path: String) throws(JournalError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw JournalError(reason: String(cString: strerror(errno))) }
        self.descriptor = descriptor
    }

    /// Appends all of `bytes`, retrying short writes and interrupted calls.
    func append(_ bytes: [UInt8]) throws(JournalError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw JournalError(reason: String(cString: strerror(errno)))
            }
            written += result
        }
    }

    func close() {
        _ = Foundation.close(descriptor)
    }
}

/// Why the journal could not be written, in the system's words ("No space left on device").
struct JournalError: Error {
    let reason: String
}
