import Foundation
import JSON

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
        guard (status.st_mode & S_IFMT) == S_IFREG else { return stream(descriptor) }
        let size = Int(status.st_size)
        var failed = false
        // Not zero-filled first: each page of the array is written once, by read(2) (a 189 MB
        // cassette was otherwise cleared in full before being read over).
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var filled = 0
            while filled < size, let start = buffer.baseAddress {
                let read = Foundation.read(descriptor, start + filled, size - filled)
                if read < 0, errno == EINTR { continue }
                // An error: not readable.
                if read < 0 { failed = true }
                // A file that shrank while it was read: keep what was read.
                if read <= 0 { break }
                filled += read
            }
            count = filled
        }
        return failed ? nil : bytes
    }

    /// The file's bytes in storage the parser reads in place: a regular file is mapped into
    /// memory (private, read-only, its pages mapped at once), so a cassette of hundreds of
    /// megabytes is neither copied nor given memory of its own; anything else is read. Nil when
    /// it cannot be read.
    ///
    /// A file truncated by another program while it is mapped would fault (SIGBUS) when read past
    /// its new end; nwsh itself replaces cassettes by renaming a new file over them, which leaves
    /// a mapped one intact.
    public static func storage(atPath path: String) -> ByteStorage? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        if (status.st_mode & S_IFMT) == S_IFREG, status.st_size > 0,
            let address = mmap(nil, Int(status.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, 0), address != MAP_FAILED
        {
            let buffer = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: Int(status.st_size))
            return ByteStorage(buffer: buffer) { munmap(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
        }
        return bytes(atPath: path).map(ByteStorage.init(copying:))
    }

    /// Reads a descriptor that is not a regular file to its end.
    private static func stream(_ descriptor: Int32) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 65536)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }
}
