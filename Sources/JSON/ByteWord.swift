/// Tests on the eight bytes of a word at once, for scanning text faster than byte by byte
/// (strings in a large document, a megabyte of output). Each gives a word with the high bit of
/// a byte set where that byte passes, and no bit set when none does; a set bit can be wrong
/// only above a byte that passes, so callers look at the bytes of a word that has any.
enum ByteWord {
    static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let ones: UInt64 = 0x0101_0101_0101_0101

    /// Bytes below `limit` (at most 0x80).
    static func bytes(below limit: UInt8, in word: UInt64) -> UInt64 {
        (word &- ones &* UInt64(limit)) & ~word & highBits
    }

    /// Bytes equal to `byte`.
    static func bytes(equalTo byte: UInt8, in word: UInt64) -> UInt64 {
        bytes(below: 1, in: word ^ (ones &* UInt64(byte)))
    }
}
