import JSON

/// Text built as UTF-8 bytes in a buffer of its own and made into a `String` once. Appending to
/// it is a capacity check and a copy, where appending to a `String` also checks its UTF-8 flags
/// and breadcrumbs, and appending to an array checks that it is not shared: `explain` of a
/// 10,000-hop path appends some 200,000 pieces. Not copyable, so the buffer has one owner.
struct TextBuilder: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 128) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    var isEmpty: Bool { count == 0 }

    mutating func append(_ utf8: UnsafeBufferPointer<UInt8>) {
        guard let source = utf8.baseAddress else { return }
        if count + utf8.count > capacity {
            capacity = max(capacity * 2, count + utf8.count)
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            larger.initialize(from: start, count: count)
            start.deallocate()
            start = larger
        }
        (start + count).initialize(from: source, count: utf8.count)
        count += utf8.count
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Appends a whole number in decimal.
    mutating func append(_ number: Int) {
        // Digits from the last, into a buffer on the stack; then appended at once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = number.magnitude
            var first = digits.count
            repeat {
                first -= 1
                digits[first] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                first -= 1
                digits[first] = UInt8(ascii: "-")
            }
            append(UnsafeBufferPointer(rebasing: digits[first...]))
        }
    }

    /// The text (checked as UTF-8: every piece appended was a `String`'s, or digits).
    var text: String { String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }
}
