import Foundation

/// Reading whole files with one copy: cassettes, and the `@file.json` arguments of commands.
public enum LocalFile {
    /// The file's bytes, read with read(2) straight into an array; nil when it cannot be read.
    public static func bytes(atPath path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        // A regular file is read into an array of its size; a pipe (`@/dev/stdin`) until its end.
        let regular = (status.st_mode & S_IFMT) == S_IFREG
        var bytes = [UInt8](repeating: 0, count: regular ? Int(status.st_size) : 65536)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard !regular else { break }
                bytes.append(contentsOf: repeatElement(0, count: bytes.count))
            }
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            // A directory, or another error: not readable.
            if count < 0 { return nil }
            if count == 0 { break }
            filled += count
        }
        // A file that shrank while it was read, or a pipe: keep what was read.
        if filled < bytes.count { bytes.removeLast(bytes.count - filled) }
        return bytes
    }
}
