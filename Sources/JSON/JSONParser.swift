/// Parses JSON text into a ``JSONValue``.
///
/// In ``Mode/relaxed`` it also accepts what people write by hand and Azure itself accepts:
/// single-quoted strings (as in the connection-troubleshoot page's request bodies), unquoted
/// member names, trailing commas and `//` comments. The result is always sent on as strict JSON.
public struct JSONParser {
    /// How strict the parser is.
    public enum Mode: Sendable {
        /// RFC 8259 JSON only.
        case strict
        /// Strict JSON plus single-quoted strings, unquoted member names, trailing commas and comments.
        case relaxed
    }

    /// Why text is not JSON, and where.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, as a sentence fragment ("expected ',' or '}' after a member, found ']'").
        public var reason: String
        /// Where, within the parsed text.
        public var location: SourceLocation

        public init(reason: String, location: SourceLocation) {
            self.reason = reason
            self.location = location
        }

        public var description: String { "\(reason) at \(location)" }
    }

    /// Parses a complete JSON document (surrounding white space allowed).
    public static func parse(_ text: String, mode: Mode = .strict) throws(Failure) -> JSONValue {
        try parse(bytes: Array(text.utf8), mode: mode)
    }

    /// Parses a complete JSON document from UTF-8 bytes.
    public static func parse(bytes: [UInt8], mode: Mode = .strict) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> JSONValue in
            var parser = JSONParser(bytes: buffer, mode: mode)
            return try parser.parseDocument()
        }
    }

    /// Parses a strict JSON document from UTF-8 bytes, handing each element of the array member
    /// `member` of the top-level object to `element` (with its position) as soon as it is parsed,
    /// instead of keeping it: in the result that member is an empty array. For large documents
    /// (cassettes), so the tree of the whole document never exists at once.
    public static func parse(bytes: [UInt8], streaming member: String, element: (JSONValue, Int) -> Void) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> JSONValue in
            try parse(buffer: buffer, streaming: member, element: element)
        }
    }

    /// ``parse(bytes:streaming:element:)`` of bytes in storage (a cassette file mapped into
    /// memory, which is then never copied).
    public static func parse(storage: ByteStorage, streaming member: String, element: (JSONValue, Int) -> Void) throws(Failure) -> JSONValue
    {
        try parse(buffer: storage.buffer, streaming: member, element: element)
    }

    private static func parse(
        buffer: UnsafeBufferPointer<UInt8>, streaming member: String, element: (JSONValue, Int) -> Void
    ) throws(Failure) -> JSONValue {
        try withoutActuallyEscaping(element) { (element) throws(Failure) -> JSONValue in
            var parser = JSONParser(bytes: buffer, mode: .strict)
            parser.streamed = (member, element)
            return try parser.parseDocument()
        }
    }

    /// The text, in place: an array's storage while a static `parse` runs, or `storage`'s.
    /// Indexing it is not bounds-checked in release builds, so every read checks `bytes.count`
    /// first, as it must to tell the end of the text anyway.
    let bytes: UnsafeBufferPointer<UInt8>
    /// What keeps `bytes` alive for a reader (``init(reading:)``); nil while a static `parse` runs.
    private let storage: ByteStorage?
    private let mode: Mode
    /// Long member names already made (see `parseName`).
    private var names: [String] = []
    var index = 0
    var depth = 0
    /// The top-level member whose elements are handed over rather than kept.
    private var streamed: (member: String, element: (JSONValue, Int) -> Void)?
    /// Whether the top-level object has had a member named `streamed.member` yet.
    private var streamedMemberSeen = false
    private static let maximumDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>, mode: Mode) {
        self.bytes = bytes
        self.storage = nil
        self.mode = mode
    }

    init(storage: ByteStorage, mode: Mode) {
        self.bytes = storage.buffer
        self.storage = storage
        self.mode = mode
    }

    private mutating func parseDocument() throws(Failure) -> JSONValue {
        try skipWhitespace()
        guard index < bytes.count else { throw failure("expected a JSON value, found the end of the text") }
        let value = try parseValue()
        try skipWhitespace()
        if index < bytes.count { throw failure("expected the end of the text after the value, found \(found())") }
        return value
    }

    mutating func parseValue() throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw failure("expected a value, found the end of the text") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString(quote: UInt8(ascii: "\"")))
        case UInt8(ascii: "'") where mode == .relaxed: return .string(try parseString(quote: UInt8(ascii: "'")))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default:
            if let word = readIdentifier() {
                switch word {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null": return .null
                default:
                    index -= word.utf8.count
                    throw failure("expected a value, found '\(word)'" + (mode == .relaxed ? "" : " (strings need double quotes)"))
                }
            }
            throw failure("expected a value, found \(found())")
        }
    }

    mutating func enter() throws(Failure) {
        depth += 1
        if depth > Self.maximumDepth { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        // Members are collected first: JSONObject merges repeated names (the last one wins).
        var members: [JSONObject.Member] = []
        try skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(JSONObject()) }
        while true {
            try skipWhitespace()
            let key: String
            guard index < bytes.count else { throw failure("expected a member name or '}', found the end of the text") }
            switch bytes[index] {
            case UInt8(ascii: "\""): key = try parseName(quote: UInt8(ascii: "\""))
            case UInt8(ascii: "'") where mode == .relaxed: key = try parseName(quote: UInt8(ascii: "'"))
            case UInt8(ascii: "}") where mode == .relaxed:
                index += 1
                return .object(JSONObject(members))
            default:
                if mode == .relaxed, let word = readIdentifier() {
                    key = word
                } else {
                    throw failure("expected a member name in double quotes, found \(found())")
                }
            }
            try skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw failure("expected ':' after the member name \"\(key)\", found \(found())") }
            try skipWhitespace()
            // Only the first member with the name streams, as a lookup finds the first: a later
            // duplicate is kept in the document like any member (found by fuzzing: two `hops`
            // arrays once both streamed, where the tree reads one).
            let isFirstStreamedName = depth == 1 && !streamedMemberSeen && streamed.map { key == $0.member } == true
            if isFirstStreamedName { streamedMemberSeen = true }
            if isFirstStreamedName, let streamed, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                try parseArray(handingElementsTo: streamed.element)
                members.append(JSONObject.Member(key: key, value: .array([])))
            } else {
                members.append(JSONObject.Member(key: key, value: try parseValue()))
            }
            try skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { return .object(JSONObject(members)) }
            throw failure("expected ',' or '}' after the value of \"\(key)\", found \(found())")
        }
    }

    /// Parses an array; with `handler`, elements go to it (with their positions) and are not kept.
    @discardableResult
    private mutating func parseArray(handingElementsTo handler: ((JSONValue, Int) -> Void)? = nil) throws(Failure) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        var count = 0
        try skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            try skipWhitespace()
            if mode == .relaxed, consume(UInt8(ascii: "]")) { return .array(elements) }
            let element = try parseValue()
            if let handler { handler(element, count) } else { elements.append(element) }
            count += 1
            try skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            throw failure("expected ',' or ']' after an array element, found \(found())")
        }
    }

    /// A member name. Names repeat in every element of an array; those of 16 bytes or more
    /// (which Swift keeps on the heap, unlike shorter ones) are made once and shared.
    private mutating func parseName(quote: UInt8) throws(Failure) -> String {
        let start = index + 1
        let end = plainRun(from: start, quote: quote).end
        let length = end - start
        guard length >= 16, end < bytes.count, bytes[end] == quote else { return try parseString(quote: quote) }
        for name in names where name.utf8.count == length && name.utf8.elementsEqual(bytes[start..<end]) {
            index = end + 1
            return name
        }
        let name = try parseString(quote: quote)
        if names.count < 64 { names.append(name) }
        return name
    }

    /// Where the run of plain bytes from `start` ends (at a quote, a backslash, a control
    /// character or the end of the text), and whether the run is ASCII. Most strings and names
    /// are a single run, and most of a document is in strings: eight bytes are looked at at once
    /// (``ByteWord``) while none of them ends the run.
    func plainRun(from start: Int, quote: UInt8) -> (end: Int, isASCII: Bool) {
        let bytes = UnsafeRawBufferPointer(bytes)
        var end = start
        var highBits: UInt64 = 0
        while end + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: end, as: UInt64.self)
            let stops =
                ByteWord.bytes(equalTo: quote, in: word) | ByteWord.bytes(equalTo: UInt8(ascii: "\\"), in: word)
                | ByteWord.bytes(below: 0x20, in: word)
            if stops != 0 { break }
            highBits |= word
            end += 8
        }
        while end < bytes.count {
            let byte = bytes[end]
            if byte == quote || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            highBits |= UInt64(byte)
            end += 1
        }
        return (end, highBits & ByteWord.highBits == 0)
    }

    /// The text of the bytes in `start..<end`.
    func text(from start: Int, to end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    mutating func parseString(quote: UInt8) throws(Failure) -> String {
        let start = index
        index += 1
        // Most strings have no escapes: find the closing quote and decode the bytes between at once.
        let end = plainRun(from: index, quote: quote).end
        if end < bytes.count, bytes[end] == quote {
            defer { index = end + 1 }
            return text(from: index, to: end)
        }
        var scalars = Array(bytes[index..<end])
        index = end
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                index += 1
                return String(decoding: scalars, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "'") where mode == .relaxed: scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try readHex4()
                    if (0xD800..<0xDC00).contains(scalar), bytes.count >= index + 6,
                        bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try readHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                    }
                    let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    scalars.append(contentsOf: Array(String(character).utf8))
                default:
                    index -= 2
                    throw failure("invalid escape '\\\(String(decoding: [escape], as: UTF8.self))' in a string")
                }
                continue
            }
            if byte < 0x20 {
                throw failure(
                    byte == 0x0A ? "a string is not closed before the end of the line" : "control character in a string (escape it)")
            }
            scalars.append(byte)
            index += 1
        }
        index = start
        throw failure("a string is not closed")
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("expected four hex digits after \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("expected four hex digits after \\u")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(Failure) -> JSONNumber {
        let range = try parseNumberText()
        return JSONNumber(text: text(from: range.lowerBound, to: range.upperBound))
    }

    /// Reads a number's text, checking it is one; where it is.
    mutating func parseNumberText() throws(Failure) -> Range<Int> {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit in a number, found \(found())") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw failure("a number cannot start with 0") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if consume(UInt8(ascii: ".")) {
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit after '.', found \(found())") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit in the exponent, found \(found())") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return start..<index
    }

    mutating func skipWhitespace() throws(Failure) {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            case UInt8(ascii: "/") where mode == .relaxed && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/"):
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            default: return
            }
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        if index < bytes.count, bytes[index] == byte {
            index += 1
            return true
        }
        return false
    }

    private mutating func readIdentifier() -> String? {
        let start = index
        while index < bytes.count, isIdentifierByte(bytes[index]) { index += 1 }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte == UInt8(ascii: "-")
    }

    /// Describes the text at the current position for an error message.
    func found() -> String {
        guard index < bytes.count else { return "the end of the text" }
        var scalarEnd = index + 1
        while scalarEnd < bytes.count, bytes[scalarEnd] & 0xC0 == 0x80 { scalarEnd += 1 }
        let text = String(decoding: bytes[index..<scalarEnd], as: UTF8.self)
        switch text {
        case "\n": return "the end of the line"
        case "'": return mode == .strict ? "\"'\" (strings need double quotes)" : "\"'\""
        default: return "'\(text)'"
        }
    }

    func failure(_ reason: String) -> Failure {
        var line = 1
        var column = 1
        var position = 0
        while position < min(index, bytes.count) {
            if bytes[position] == 0x0A {
                line += 1
                column = 1
            } else if bytes[position] & 0xC0 != 0x80 {
                column += 1
            }
            position += 1
        }
        return Failure(reason: reason, location: SourceLocation(line: line, column: column))
    }
}
