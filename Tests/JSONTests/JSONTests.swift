import Testing

@testable import JSON

@Suite struct JSONTests {
    static let relaxed: [(String, String)] = [
        ("{'source': {'resourceId': '/x', 'port': 0}}", #"{"source":{"resourceId":"/x","port":0}}"#),
        ("{source: {port: 80,},}", #"{"source":{"port":80}}"#),
        ("[1, 2, ]", "[1,2]"),
        ("{'it''s': 1}", "__error__"),
        ("{'a\\'b': \"c\"}", #"{"a'b":"c"}"#),
        ("// comment\n{\"a\": true}", #"{"a":true}"#),
        ("{\"emoji\": \"\\ud83d\\ude00\"}", "{\"emoji\":\"😀\"}"),
        ("-1.5e3", "-1.5e3"),
    ]

    @Test("relaxed JSON becomes strict JSON", arguments: relaxed)
    func relaxedJSON(input: String, expected: String) {
        do {
            let value = try JSONParser.parse(input, mode: .relaxed)
            #expect(JSONFormatter.compact.format(value) == expected)
        } catch {
            #expect(expected == "__error__", "\(error)")
        }
    }

    static let failures: [(String, JSONParser.Mode, String)] = [
        ("{'a': 1}", .strict, "expected a member name in double quotes, found \"'\" (strings need double quotes) at line 1, column 2"),
        ("{\n  \"a\": 1\n  \"b\": 2\n}", .relaxed, "expected ',' or '}' after the value of \"a\", found '\"' at line 3, column 3"),
        ("{\"a\": }", .relaxed, "expected a value, found '}' at line 1, column 7"),
        ("{\"a\": [1, 2", .relaxed, "expected ',' or ']' after an array element, found the end of the text at line 1, column 12"),
        ("{\"a\": \"open", .relaxed, "a string is not closed at line 1, column 7"),
        ("{\"a\": 01}", .strict, "a number cannot start with 0 at line 1, column 8"),
        ("hello", .relaxed, "expected a value, found 'hello' at line 1, column 1"),
        ("{} {}", .strict, "expected the end of the text after the value, found '{' at line 1, column 4"),
        ("", .strict, "expected a JSON value, found the end of the text at line 1, column 1"),
    ]

    @Test("errors give the reason, line and column", arguments: failures)
    func errors(input: String, mode: JSONParser.Mode, message: String) {
        do {
            _ = try JSONParser.parse(input, mode: mode)
            Issue.record("parsed \(input)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
    }

    @Test func prettyPrintingKeepsMemberOrder() throws {
        let value = try JSONParser.parse(#"{"z": 1, "a": [], "m": {}}"#)
        #expect(JSONFormatter().format(value) == "{\n  \"z\": 1,\n  \"a\": [],\n  \"m\": {}\n}")
    }

    @Test func controlCharactersAreEscapedNeverPrinted() throws {
        let value = JSONValue.string("evil\u{1B}[2Jclear\u{07}\u{9B}")
        #expect(JSONFormatter.compact.format(value) == #""evil\u001B[2Jclear\u0007\u009B""#)
        #expect(TerminalText.sanitized("a\u{1B}]0;title\u{07}b\nc") == "a\\u001B]0;title\\u0007b\nc")
    }

    @Test func escapingWorksOnBytesAroundMultiByteText() {
        // "é" is C3 A9 and "\u{A0}" is C2 A0: neither is a control, unlike C2 85 (NEL).
        let value = JSONValue.string("é\u{A0}\u{85}\\\"\u{7F}\u{C2}\u{9F}end")
        #expect(JSONFormatter.compact.format(value) == #""é\#u{A0}\u0085\\\"\u007F\#u{C2}\u009Fend""#)
    }

    @Test func repeatedMemberNamesKeepTheFirstPlaceAndTheLastValue() throws {
        let value = try JSONParser.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(JSONFormatter.compact.format(value) == #"{"a":3,"b":2}"#)
        // Many members take linear time; repeated names still merge.
        let members = (0..<20_000).map { #""k\#($0 % 10_000)": \#($0)"# }.joined(separator: ",")
        let big = try JSONParser.parse("{" + members + "}")
        #expect(big.objectValue?.members.count == 10_000)
        #expect(big["k9999"] == .number(JSONNumber(19_999)))
    }

    @Test func aTopLevelArrayMemberCanBeStreamed() throws {
        var seen: [String] = []
        let document = try JSONParser.parse(
            bytes: Array(#"{"a": 1, "events": [{"n": 1}, [2], "three"], "inner": {"events": [4]}}"#.utf8), streaming: "events"
        ) { value, position in
            seen.append("\(position): \(JSONFormatter.compact.format(value))")
        }
        #expect(seen == [#"0: {"n":1}"#, "1: [2]", #"2: "three""#])
        // The streamed member is left empty; the same name deeper down is parsed as usual.
        #expect(JSONFormatter.compact.format(document) == #"{"a":1,"events":[],"inner":{"events":[4]}}"#)
        #expect(
            throws: JSONParser.Failure(
                reason: "expected ',' or ']' after an array element, found '}'", location: SourceLocation(line: 2, column: 6))
        ) {
            try JSONParser.parse(bytes: Array("{\"events\": [1,\n 2, 3}".utf8), streaming: "events") { _, _ in }
        }
    }

    @Test func colouredOutputWrapsTokens() throws {
        let value = try JSONParser.parse(#"{"a": "b"}"#)
        let palette = JSONFormatter.Palette(key: "<k>", string: "<s>", number: "<n>", literal: "<l>", reset: "</>")
        #expect(JSONFormatter(indent: nil, palette: palette).format(value) == #"{<k>"a"</>:<s>"b"</>}"#)
    }

    @Test func numbersCompareByValue() {
        #expect(JSONNumber(text: "1.0") == JSONNumber(1))
        #expect(
            JSONValue.object(JSONObject(["a": .number(JSONNumber(1)), "b": .null]))
                == .object(JSONObject(["b": .null, "a": .number(JSONNumber(text: "1e0"))])))
    }

    @Test(arguments: [
        ("connectionStatus", "ConnectionStatus", true), ("HOPS", "hops", true), ("hops", "hop", false),
        ("a@", "a`", false), ("[x]", "{x}", false), ("Größe", "GRÖSSE", false), ("größe", "GRÖßE", true),
        // Bytes compared in place: a difference after a non-ASCII letter, and lengths that differ in bytes only.
        ("Äbc", "äbd", false), ("Äbc", "äBC", true), ("\u{212A}ey", "key", true), ("propertie", "properties", false), ("", "", true),
    ])
    func membersAreFoundIgnoringCase(key: String, asked: String, found: Bool) {
        let object = JSONObject([JSONObject.Member(key: key, value: .bool(true))])
        #expect((object.member(named: asked) != nil) == found)
    }

    /// Long member names are shared between objects; names of the same length must still differ.
    @Test func longMemberNamesRepeatedAcrossObjectsKeepTheirText() throws {
        let text =
            #"[{"roundTripTimeMin": 1, "roundTripTimeMax": 3}, {"roundTripTimeMax": 4, "roundTripTimeMin": 2, "roundTripTime\u004Din": 5}]"#
        let value = try JSONParser.parse(text)
        #expect(
            JSONFormatter.compact.format(value)
                == #"[{"roundTripTimeMin":1,"roundTripTimeMax":3},{"roundTripTimeMax":4,"roundTripTimeMin":5}]"#)
    }
}
