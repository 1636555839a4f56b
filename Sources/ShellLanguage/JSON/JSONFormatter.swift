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
        var output = ""
        write(value, level: 0, into: &output)
        return output
    }

    private func write(_ value: JSONValue, level: Int, into output: inout String) {
        switch value {
        case .null: colored("null", palette.literal, into: &output)
        case .bool(let flag): colored(flag ? "true" : "false", palette.literal, into: &output)
        case .number(let number): colored(number.text, palette.number, into: &output)
        case .string(let string): colored(Self.quoted(string), palette.string, into: &output)
        case .array(let elements):
            guard !elements.isEmpty else { output += "[]"; return }
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += "," }
                newline(level + 1, into: &output)
                write(element, level: level + 1, into: &output)
            }
            newline(level, into: &output)
            output += "]"
        case .object(let object):
            guard !object.members.isEmpty else { output += "{}"; return }
            output += "{"
            for (position, member) in object.members.enumerated() {
                if position > 0 { output += "," }
                newline(level + 1, into: &output)
                colored(Self.quoted(member.key), palette.key, into: &output)
                output += indent == nil ? ":" : ": "
                write(member.value, level: level + 1, into: &output)
            }
            newline(level, into: &output)
            output += "}"
        }
    }

    private func newline(_ level: Int, into output: inout String) {
        guard let indent else { return }
        output += "\n"
        output += String(repeating: " ", count: indent * level)
    }

    private func colored(_ token: String, _ color: String, into output: inout String) {
        if color.isEmpty {
            output += token
        } else {
            output += color
            output += token
            output += palette.reset
        }
    }

    /// The string as a JSON string literal, with quotes, backslashes and all control characters escaped.
    public static func quoted(_ string: String) -> String {
        // Most strings need no escaping: check the bytes before building anything.
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0x7F || $0 == 0xC2 }) {
            return "\"" + string + "\""
        }
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if TerminalText.isControl(scalar) {
                    result += TerminalText.unicodeEscape(scalar)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        result += "\""
        return result
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

    /// The text with every control character except newline and tab replaced by a visible escape.
    public static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) else { return text }
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
