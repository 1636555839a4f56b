/// Bytes that stay where they are while a parser reads them: a copy of an array, or memory that
/// something else provides (a file mapped into memory), released when the storage goes.
///
/// A parser that reads a document piece by piece keeps its storage, so the bytes outlive the call
/// that made the reader. A whole document parsed at once needs none: the static `parse` functions
/// read an array in place.
public final class ByteStorage: @unchecked Sendable {
    /// The bytes. Valid as long as this storage exists; never written.
    public let buffer: UnsafeBufferPointer<UInt8>
    private let release: (UnsafeBufferPointer<UInt8>) -> Void

    /// Storage for memory provided elsewhere; `release` is called with it when the storage goes
    /// (`munmap` for a mapped file).
    public init(buffer: UnsafeBufferPointer<UInt8>, release: @escaping (UnsafeBufferPointer<UInt8>) -> Void) {
        self.buffer = buffer
        self.release = release
    }

    /// Storage holding a copy of `bytes`.
    public convenience init(copying bytes: [UInt8]) {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = copy.initialize(from: bytes)
        self.init(buffer: UnsafeBufferPointer(copy)) { UnsafeMutableBufferPointer(mutating: $0).deallocate() }
    }

    /// The bytes as an array (a copy).
    public var array: [UInt8] { Array(buffer) }

    deinit { release(buffer) }
}
