/// Reading a strict JSON document a piece at a time, for a model read straight from the text
/// (a 10,000-hop connectivity result) without first building the ``JSONValue`` tree of every
/// part, which costs more than the reading.
///
/// Every piece is read by the same code as ``JSONParser/parse(bytes:mode:)`` in
/// ``JSONParser/Mode/strict`` mode, so a document read to its end this way is accepted exactly
/// when it parses, and a failure is reported at the same line and column.
///
/// ```swift
/// let wanted = JSONParser.MemberNames(["status"])
/// var json = JSONParser(reading: bytes)
/// var members = try json.beginObject()
/// while let name = try json.nextMember(&members) {
///     if json.match(name, among: wanted)?.exactly == true, try json.peek() == .string {
///         status = try json.readString()
///     } else {
///         _ = try json.readValue()
///     }
/// }
/// try json.endDocument()
/// ```
extension JSONParser {
    /// What kind of value comes next, as told by its first character (reading it checks the rest).
    public enum Kind: Sendable, Equatable {
        case null, bool, number, string, array, object
    }

    /// How far the members of an object have been read (see ``nextMember(_:)``).
    public struct Members: Sendable {
        fileprivate var count = 0
    }

    /// How far the elements of an array have been read (see ``nextElement(_:)``).
    public struct Elements: Sendable {
        fileprivate var count = 0
    }

    /// A member's name as read: where its bytes are, or its text when it had escapes. Look it up
    /// with ``match(_:among:)`` (which, unlike making a `String`, does not allocate).
    public struct Name: Sendable {
        fileprivate var range: Range<Int>
        /// Whether the name is written in ASCII without escapes: compared byte by byte.
        fileprivate var isPlainASCII: Bool
        fileprivate var unescaped: String?
    }

    /// A reader of a strict JSON document in UTF-8, positioned at its start (over a copy of
    /// the bytes, which the reader keeps).
    public init(reading bytes: [UInt8]) {
        self.init(storage: ByteStorage(copying: bytes), mode: .strict)
    }

    /// A reader of a strict JSON document in UTF-8 kept in `storage` (a file mapped into
    /// memory), positioned at its start.
    public init(reading storage: ByteStorage) {
        self.init(storage: storage, mode: .strict)
    }

    /// Runs `body` with a reader of a strict JSON document in UTF-8 positioned at its start,
    /// reading `bytes` in place (no copy); the reader must not outlive the call.
    public static func reading<Result>(_ bytes: [UInt8], _ body: (inout JSONParser) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer, mode: .strict)
            return try body(&parser)
        }
    }

    /// The kind of the value that starts after any white space, or nil at the end of the text or
    /// at a character that cannot start a value.
    public mutating func peek() throws(Failure) -> Kind? {
        try skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: return nil
        }
    }

    /// Reads the `{` that opens an object; then call ``nextMember(_:)`` until it returns nil.
    public mutating func beginObject() throws(Failure) -> Members {
        try open(UInt8(ascii: "{"), "an object")
        return Members()
    }

    /// Reads the next member's name and its `:`, leaving its value to be read next (every value
    /// must be read, with ``readValue()`` when it is not wanted); nil after reading the `}`.
    public mutating func nextMember(_ members: inout Members) throws(Failure) -> Name? {
        guard try another(after: members.count, closing: UInt8(ascii: "}"), "a member's value") else { return nil }
        try skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw failure("expected a member name in double quotes, found \(found())")
        }
        let start = index + 1
        let (end, isASCII) = plainRun(from: start, quote: UInt8(ascii: "\""))
        let name: Name
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            name = Name(range: start..<end, isPlainASCII: isASCII, unescaped: nil)
            index = end + 1
        } else {
            name = Name(range: start..<start, isPlainASCII: false, unescaped: try parseString(quote: UInt8(ascii: "\"")))
        }
        try skipWhitespace()
        guard consume(UInt8(ascii: ":")) else {
            throw failure("expected ':' after the member name \"\(text(of: name))\", found \(found())")
        }
        members.count += 1
        return name
    }

    /// Reads the `[` that opens an array; then call ``nextElement(_:)`` until it returns false.
    public mutating func beginArray() throws(Failure) -> Elements {
        try open(UInt8(ascii: "["), "an array")
        return Elements()
    }

    /// Whether another element follows (read it next); false after reading the `]`.
    public mutating func nextElement(_ elements: inout Elements) throws(Failure) -> Bool {
        guard try another(after: elements.count, closing: UInt8(ascii: "]"), "an array element") else { return false }
        elements.count += 1
        return true
    }

    /// Reads the bracket that opens an object or an array. As in the parser, nesting too deep is
    /// reported at the bracket.
    private mutating func open(_ bracket: UInt8, _ what: String) throws(Failure) {
        try skipWhitespace()
        guard index < bytes.count, bytes[index] == bracket else { throw failure("expected \(what), found \(found())") }
        try enter()
        index += 1
    }

    /// After `count` members or elements: false having read the closing bracket, true having
    /// read the `,` before another (or nothing, before the first).
    private mutating func another(after count: Int, closing: UInt8, _ previous: String) throws(Failure) -> Bool {
        try skipWhitespace()
        if consume(closing) {
            depth -= 1
            return false
        }
        if count > 0, !consume(UInt8(ascii: ",")) {
            throw failure("expected ',' or '\(String(decoding: [closing], as: UTF8.self))' after \(previous), found \(found())")
        }
        return true
    }

    /// Reads a string.
    public mutating func readString() throws(Failure) -> String {
        try skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string, found \(found())") }
        return try parseString(quote: UInt8(ascii: "\""))
    }

    /// Reads a number, and gives its value when it is a whole number that fits an `Int` (as
    /// ``JSONNumber/intValue``), without making its text.
    public mutating func readInteger() throws(Failure) -> Int? {
        try skipWhitespace()
        let start = index
        let number = try parseNumberText()
        let digits = bytes[start] == UInt8(ascii: "-") ? start + 1..<number.upperBound : number
        // Up to 18 digits always fit; anything else (fractions, exponents) as JSONNumber reads it.
        guard digits.count <= 18, bytes[digits].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return JSONNumber(text: text(from: number.lowerBound, to: number.upperBound)).intValue
        }
        let magnitude = bytes[digits].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return digits.lowerBound > start ? -magnitude : magnitude
    }

    /// Reads any value whole, as a tree (also the way to pass over a value that is not wanted).
    @discardableResult
    public mutating func readValue() throws(Failure) -> JSONValue {
        try skipWhitespace()
        return try parseValue()
    }

    /// Checks that nothing but white space follows the document's value.
    public mutating func endDocument() throws(Failure) {
        try skipWhitespace()
        if index < bytes.count { throw failure("expected the end of the text after the value, found \(found())") }
    }

    /// Member names a reader looks for, prepared once for ``match(_:among:)``. They should
    /// differ from each other ignoring case.
    public struct MemberNames: Sendable {
        fileprivate let names: [String]
        /// The names' UTF-8, one after another, and where each is in it.
        fileprivate let utf8: [UInt8]
        fileprivate let ranges: [Range<Int>]
        fileprivate let isASCII: Bool

        /// The names, in the order ``JSONParser/match(_:among:)`` gives their positions.
        public init(_ names: [String]) {
            self.names = names
            var utf8: [UInt8] = []
            ranges = names.map { name in
                utf8 += name.utf8
                return utf8.count - name.utf8.count..<utf8.count
            }
            self.utf8 = utf8
            isASCII = utf8.allSatisfy { $0 < 0x80 }
        }
    }

    /// Which of `names` the member name is, as ``JSONObject/member(named:)`` would find it: the
    /// first that matches ignoring case, and whether it matches exactly (`String` equality); nil
    /// when none does. Compares bytes when both are ASCII, without making a `String`.
    public func match(_ name: Name, among names: MemberNames) -> (position: Int, exactly: Bool)? {
        guard name.isPlainASCII, names.isASCII, !name.range.isEmpty else {
            let text = text(of: name)
            for (position, candidate) in names.names.enumerated() where JSONObject.equalIgnoringCase(text, candidate) {
                return (position, text == candidate)
            }
            return nil
        }
        let range = name.range
        let bytes = UnsafeRawBufferPointer(bytes)
        return names.utf8.withUnsafeBytes { utf8 in
            for (position, candidate) in names.ranges.enumerated() where candidate.count == range.count {
                switch Self.compareASCII(
                    bytes.baseAddress! + range.lowerBound, utf8.baseAddress! + candidate.lowerBound, count: range.count)
                {
                case .equal: return (position, true)
                case .equalIgnoringCase: return (position, false)
                case .different: continue
                }
            }
            return nil
        }
    }

    private enum Comparison { case equal, equalIgnoringCase, different }

    /// Compares ASCII text eight bytes at a time; when words differ other than in the bit that
    /// tells a letter's case (0x20), the texts differ, and only otherwise are bytes looked at.
    private static func compareASCII(_ left: UnsafeRawPointer, _ right: UnsafeRawPointer, count: Int) -> Comparison {
        var offset = 0
        var exactly = true
        func bytesMatch(_ range: Range<Int>) -> Bool {
            for index in range {
                let (a, b) = (left.load(fromByteOffset: index, as: UInt8.self), right.load(fromByteOffset: index, as: UInt8.self))
                if a == b { continue }
                guard JSONObject.sameLetterIgnoringCase(a, b) else { return false }
                exactly = false
            }
            return true
        }
        while offset + 8 <= count {
            let a = left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let b = right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if a != b {
                guard a | 0x2020_2020_2020_2020 == b | 0x2020_2020_2020_2020, bytesMatch(offset..<offset + 8) else { return .different }
            }
            offset += 8
        }
        guard bytesMatch(offset..<count) else { return .different }
        return exactly ? .equal : .equalIgnoringCase
    }

    /// The name's text.
    public func text(of name: Name) -> String {
        name.unescaped ?? text(from: name.range.lowerBound, to: name.range.upperBound)
    }
}
