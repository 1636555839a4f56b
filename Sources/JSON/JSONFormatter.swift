/// Writes ``JSONValue``s as text: compact for the wire, indented for people, optionally coloured.
///
/// Control characters (C0, DEL and C1) are always written as `\u` escapes, so text that came from
/// the network can never drive the terminal it is printed on.
public struct JSONFormatter: Sendable {
    /// Escape sequences wrapped around each kind of token; empty strings for plain output.
    public struct Palette: Sendable, Equatable {
        public var key: String
        public var string: String
        public var number: String
        public var literal: String
        public var reset: String

        public init(key: String, string: String, number: String, literal: String, reset: String) {
            self.key = key
            self.string = string
            self.number = number
            self.literal = literal
            self.reset = reset
        }

        /// No colour.
        public static let plain = Palette(key: "", string: "", number: "", literal: "", reset: "")

        /// ANSI colours in the style of `jq`: blue keys, green strings, plain numbers, grey literals.
        public static let ansi = Palette(
            key: "\u{1B}[34;1m", string: "\u{1B}[32m", number: "\u{1B}[0m", literal: "\u{1B}[90m", reset: "\u{1B}[0m")
    }

    /// Spaces per indentation level; `nil` writes everything on one line with no spaces.
    public var indent: Int?
    /// Colours for each token kind.
    public var palette: Palette

    public init(indent: Int? = 2, palette: Palette = .plain) {
        self.indent = indent
        self.palette = palette
    }

    /// Compact JSON, as sent in request bodies.
    public static let compact = JSONFormatter(indent: nil)

    /// Formats a value.
    public func format(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// Formats a value as UTF-8 bytes, for writing to a file or socket without another copy.
    public func bytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, level: 0, into: &output)
        return output
    }

    // Writes UTF-8 bytes: appending to a byte array is several times faster than to a String,
    // and cassettes format every exchange they record.
    private func write(_ value: JSONValue, level: Int, into output: inout [UInt8]) {
        switch value {
        case .null: colored(palette.literal, into: &output) { $0.append(contentsOf: "null".utf8) }
        case .bool(let flag): colored(palette.literal, into: &output) { $0.append(contentsOf: (flag ? "true" : "false").utf8) }
        case .number(let number): colored(palette.number, into: &output) { $0.append(contentsOf: number.text.utf8) }
        case .string(let string): colored(palette.string, into: &output) { Self.quote(string, into: &$0) }
        case .array(let elements):
            guard !elements.isEmpty else {
                output.append(contentsOf: "[]".utf8)
                return
            }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(level + 1, into: &output)
                write(element, level: level + 1, into: &output)
            }
            newline(level, into: &output)
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.members.isEmpty else {
                output.append(contentsOf: "{}".utf8)
                return
            }
            output.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(level + 1, into: &output)
                colored(palette.key, into: &output) { Self.quote(member.key, into: &$0) }
                output.append(UInt8(ascii: ":"))
                if indent != nil { output.append(UInt8(ascii: " ")) }
                write(member.value, level: level + 1, into: &output)
            }
            newline(level, into: &output)
            output.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ level: Int, into output: inout [UInt8]) {
        guard let indent else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }

    private func colored(_ color: String, into output: inout [UInt8], _ token: (inout [UInt8]) -> Void) {
        if color.isEmpty {
            token(&output)
        } else {
            output.append(contentsOf: color.utf8)
            token(&output)
            output.append(contentsOf: palette.reset.utf8)
        }
    }

    /// The string as a JSON string literal, with quotes, backslashes and all control characters escaped.
    public static func quoted(_ string: String) -> String {
        var output: [UInt8] = []
        quote(string, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the string as a JSON string literal. Works on UTF-8 bytes: C0 controls, `"`, `\\` and
    /// DEL are single bytes, and C1 controls (U+0080...U+009F) are the byte pairs C2 80...C2 9F.
    private static func quote(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        defer { output.append(UInt8(ascii: "\"")) }
        let utf8 = string.utf8
        // Most strings need no escaping: check the bytes before escaping anything.
        let special = { (byte: UInt8) in
            byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F || byte == 0xC2
        }
        guard utf8.withContiguousStorageIfAvailable({ $0.contains(where: special) }) ?? utf8.contains(where: special) else {
            output.append(contentsOf: utf8)
            return
        }
        var pendingC2 = false
        for byte in utf8 {
            if pendingC2 {
                pendingC2 = false
                if byte >= 0x80, byte <= 0x9F {
                    escape(UInt32(byte), into: &output)
                    continue
                }
                output.append(0xC2)
            }
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0xC2: pendingC2 = true
            default:
                if byte < 0x20 || byte == 0x7F { escape(UInt32(byte), into: &output) } else { output.append(byte) }
            }
        }
        if pendingC2 { output.append(0xC2) }
    }

    private static func escape(_ value: UInt32, into output: inout [UInt8]) {
        output.append(contentsOf: TerminalText.unicodeEscape(Unicode.Scalar(value)!).utf8)
    }
}

/// Makes text that came from the network safe to print on a terminal.
public enum TerminalText {
    /// Whether a scalar is a C0 control, DEL or a C1 control: the characters that can start
    /// terminal escape sequences or move the cursor.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `\u001B`-style escape for a scalar.
    public static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Whether UTF-8 text has a byte that can be part of a control character other than newline
    /// and tab: a C0 control, DEL, or 0xC2 (which starts the C1 controls). Eight bytes at a time
    /// (output can be a megabyte of path): a word is looked at byte by byte only when one of its
    /// bytes is below 0x20 (a newline, usually), 0x7F or 0xC2.
    static func mayHaveControls(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        func suspect(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x0A && byte != 0x09) || byte == 0x7F || byte == 0xC2 }
        var offset = 0
        let raw = UnsafeRawBufferPointer(bytes)
        while offset + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let flags =
                ByteWord.bytes(below: 0x20, in: word) | ByteWord.bytes(equalTo: 0x7F, in: word) | ByteWord.bytes(equalTo: 0xC2, in: word)
            if flags != 0, bytes[offset..<offset + 8].contains(where: suspect) { return true }
            offset += 8
        }
        return bytes[offset...].contains(where: suspect)
    }

    /// The text with every control character except newline and tab replaced by a visible escape.
    public static func sanitized(_ text: String) -> String {
        // Fast path over the bytes: C0 controls and DEL are single bytes, and C1 controls
        // (U+0080–U+009F) start with 0xC2 in UTF-8, so text without those needs no scalar look.
        var copy = text
        guard copy.withUTF8(mayHaveControls),
            text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" })
        else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) && scalar != "\n" && scalar != "\t" {
                result += unicodeEscape(scalar)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
