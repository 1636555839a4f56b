extension String {
    /// The text with every occurrence of `target` replaced by `replacement`, comparing UTF-8 bytes
    /// exactly (no locale, no Unicode normalisation): for URLs, which is what it replaces. Returns
    /// `self` unchanged, without copying, when `target` does not occur.
    func replacingAll(_ target: String, with replacement: String) -> String {
        var text = self
        var target = target
        return text.withUTF8 { haystack in
            target.withUTF8 { needle in
                guard var found = Self.firstOffset(of: needle, in: haystack, from: 0) else { return self }
                var output: [UInt8] = []
                output.reserveCapacity(haystack.count)
                var start = 0
                while true {
                    output.append(contentsOf: haystack[start..<found])
                    output.append(contentsOf: replacement.utf8)
                    start = found + needle.count
                    guard let next = Self.firstOffset(of: needle, in: haystack, from: start) else { break }
                    found = next
                }
                output.append(contentsOf: haystack[start...])
                return String(decoding: output, as: UTF8.self)
            }
        }
    }

    /// Whether `target` occurs in the text, comparing UTF-8 bytes exactly.
    func containsExactly(_ target: String) -> Bool {
        var text = self
        var target = target
        return text.withUTF8 { haystack in target.withUTF8 { Self.firstOffset(of: $0, in: haystack, from: 0) != nil } }
    }

    /// Where `needle` first occurs in `haystack` at or after `start`.
    private static func firstOffset(of needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int?
    {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = 1
                while matched < needle.count, haystack[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }
}
