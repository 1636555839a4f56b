import Testing

@testable import JSON

/// The piece-by-piece reader (`JSONParser(reading:)`): it must accept exactly what the parser
/// accepts, fail at the same place, and find member names as `JSONObject` does.
@Suite struct JSONReadingTests {
    /// Reads any document with the reading API alone, into the tree the parser would build.
    static func walk(_ json: inout JSONParser) throws(JSONParser.Failure) -> JSONValue {
        switch try json.peek() {
        case .object?:
            var members = try json.beginObject()
            var list: [JSONObject.Member] = []
            while let name = try json.nextMember(&members) {
                list.append(JSONObject.Member(key: json.text(of: name), value: try walk(&json)))
            }
            return .object(JSONObject(list))
        case .array?:
            var elements = try json.beginArray()
            var values: [JSONValue] = []
            while try json.nextElement(&elements) { values.append(try walk(&json)) }
            return .array(values)
        case .string?:
            return .string(try json.readString())
        default:
            // Numbers, literals, and whatever starts no value (which fails here).
            return try json.readValue()
        }
    }

    static func read(_ text: String) -> Result<JSONValue, JSONParser.Failure> {
        var json = JSONParser(reading: Array(text.utf8))
        return Result { () throws(JSONParser.Failure) -> JSONValue in
            let value = try walk(&json)
            try json.endDocument()
            return value
        }
    }

    static let documents: [String] = [
        "{}", "[]", " { } ", "\n[\n]\n", "0", "-0", "1.5e-3", "\"text\"", "true", "null",
        #"{"a": [1, {"b": null}], "c": "x\"y", "d": true, "e": -12.5E+2}"#,
        #"{"a\u0062": 1, "é": "ü", "": ""}"#,
        #"{"a": 1, "a": 2, "b": 3}"#,
        "{ \"a\" :\t[ 1 ,\r\n 2 ] }",
        // Not JSON: each must fail, where the parser fails.
        "", "   ", "{", "[", "{\"a\"", "{\"a\":", "{\"a\":}", "{\"a\" 1}", "{\"a\": 1 \"b\": 2}",
        "{\"a\": 1,}", "[1,]", "[,1]", "[1 2]", "{'a': 1}", "{a: 1}", "01", "-", "1.", "1e",
        "\"abc", "\"a\\qb\"", "\"a\tb\"", "\"a\nb\"", "{\"a\": 1}x", "[1] [2]", "tru", "nul", "{\"a\":1}}",
        String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
        String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
        String(repeating: "{\"a\":", count: 513) + "1" + String(repeating: "}", count: 513),
    ]

    @Test("reading accepts exactly what parsing accepts, and fails at the same place", arguments: documents)
    func readingAgreesWithParsing(text: String) {
        let parsed = Result { () throws(JSONParser.Failure) -> JSONValue in try JSONParser.parse(text) }
        switch (Self.read(text), parsed) {
        case (.success(let read), .success(let parsed)):
            #expect(read == parsed)
            #expect(JSONFormatter.compact.format(read) == JSONFormatter.compact.format(parsed))
        case (.failure(let read), .failure(let parsed)):
            #expect(read.location == parsed.location, "\(read) / \(parsed)")
        case (let read, let parsed):
            Issue.record("read \(read), parsed \(parsed)")
        }
    }

    @Test func failuresSayWhatAndWhere() {
        #expect(Self.read(#"{"a": 1,}"#).failureDescription == "expected a member name in double quotes, found '}' at line 1, column 9")
        #expect(
            Self.read(#"{"a": 1 "b": 2}"#).failureDescription
                == "expected ',' or '}' after a member's value, found '\"' at line 1, column 9")
        #expect(Self.read("[1 2]").failureDescription == "expected ',' or ']' after an array element, found '2' at line 1, column 4")
        #expect(Self.read("{\"a\"\n 1}").failureDescription == "expected ':' after the member name \"a\", found '1' at line 2, column 2")
        #expect(Self.read("[1] x").failureDescription == "expected the end of the text after the value, found 'x' at line 1, column 5")
        // Asking for a kind the text does not have.
        var json = JSONParser(reading: Array(#" [1]"#.utf8))
        #expect(
            Result { () throws(JSONParser.Failure) in try json.beginObject() }.failureDescription
                == "expected an object, found '[' at line 1, column 2")
        #expect(
            Result { () throws(JSONParser.Failure) in try json.readString() }.failureDescription
                == "expected a string, found '[' at line 1, column 2")
        json = JSONParser(reading: Array("{}".utf8))
        #expect(
            Result { () throws(JSONParser.Failure) in try json.beginArray() }.failureDescription
                == "expected an array, found '{' at line 1, column 1")
    }

    @Test func stringsOfEveryLengthWithAnEscapeOrAControlAnywhere() {
        // Runs of plain bytes are scanned eight at a time: put what ends a run at every offset.
        for length in 0..<20 {
            for offset in 0...length {
                let before = String(repeating: "a", count: offset)
                let after = String(repeating: "b", count: length - offset)
                for (escape, meaning) in [("\\n", "\n"), ("\\\"", "\""), ("\\\\", "\\"), ("\\u00e9", "é"), ("é", "é"), ("", "")] {
                    var json = JSONParser(reading: Array("\"\(before)\(escape)\(after)\"".utf8))
                    #expect(Result { () throws(JSONParser.Failure) in try json.readString() } == .success(before + meaning + after))
                }
                var json = JSONParser(reading: Array("\"\(before)\t\(after)\"".utf8))
                let failure = JSONParser.Failure(
                    reason: "control character in a string (escape it)", location: SourceLocation(line: 1, column: offset + 2))
                #expect(Result { () throws(JSONParser.Failure) in try json.readString() } == .failure(failure))
            }
        }
    }

    /// What `JSONObject` finds: the first of `names` that `member(named:)` finds in an object
    /// holding only `name`, and whether its exact subscript finds it too.
    static func treeMatch(_ name: String, among names: [String]) -> (position: Int, exactly: Bool)? {
        let object = JSONObject([JSONObject.Member(key: name, value: .null)])
        guard let position = names.firstIndex(where: { object.member(named: $0) != nil }) else { return nil }
        return (position, object[names[position]] != nil)
    }

    static let vocabularies = [
        ["type", "id", "roundTripTimeMin", "roundTripTimeAvg", "key"],
        ["type", "id", "roundTripTimeMin", "roundTripTimeAvg", "résumé", "key", ""],
    ]
    static let names = [
        "type", "Type", "TYPE", "id", "ID", "types", "typ", "roundTripTimeMin", "roundtriptimemin", "roundTripTimeMax",
        "roundTripTimeAvg", "résumé", "RÉSUMÉ", "re\u{301}sume\u{301}", "\u{212A}ey", "Key", "", "i\u{0307}d", "ty\u{0000}pe",
    ]

    @Test("member names are matched as JSONObject matches them", arguments: names)
    func namesMatchAsTheTreeMatches(name: String) throws {
        let escaped = JSONFormatter.compact.format(.string(name))
        var json = JSONParser(reading: Array("{\(escaped): 1}".utf8))
        var members = try json.beginObject()
        let read = try #require(try json.nextMember(&members))
        for vocabulary in Self.vocabularies {
            let match = json.match(read, among: JSONParser.MemberNames(vocabulary))
            let expected = Self.treeMatch(name, among: vocabulary)
            #expect(
                match?.position == expected?.position && match?.exactly == expected?.exactly,
                "\(String(describing: match)) / \(String(describing: expected))")
        }
    }

    @Test func matchingSpellsOutTheRules() throws {
        func match(_ name: String) throws -> (position: Int, exactly: Bool)? {
            var json = JSONParser(reading: Array("{\"\(name)\": 1}".utf8))
            var members = try json.beginObject()
            return json.match(
                try #require(try json.nextMember(&members)),
                among: JSONParser.MemberNames(["type", "roundTripTimeMin", "roundTripTimeAvg"]))
        }
        #expect(try match("type")! == (0, true))
        #expect(try match("Type")! == (0, false))
        #expect(try match("roundTripTimeAvg")! == (2, true))
        #expect(try match("ROUNDTRIPTIMEAVG")! == (2, false))
        #expect(try match("roundTripTimeMax") == nil)
        #expect(try match("typ\\u0065")! == (0, true))
        #expect(try match("t@pe") == nil)
    }

    @Test func nonASCIIAnywhereInANameIsComparedAsText() throws {
        // A name is compared byte by byte only when it is plain ASCII; "é" at any offset of a
        // 20-byte name must send it to the comparison that folds "É".
        for offset in 0..<20 {
            let name = String(repeating: "a", count: offset) + "é" + String(repeating: "a", count: 19 - offset)
            var json = JSONParser(reading: Array("{\"\(name)\": 1}".utf8))
            var members = try json.beginObject()
            let read = try #require(try json.nextMember(&members))
            #expect(json.match(read, among: JSONParser.MemberNames([name.uppercased()]))! == (0, false))
            #expect(json.match(read, among: JSONParser.MemberNames([name]))! == (0, true))
        }
    }

    @Test(arguments: [
        ("42", 42), ("-0", 0), ("0", 0), ("-17", -17), ("1.0", 1), ("1e2", 100), ("-2.5e1", -25),
        ("999999999999999999", 999_999_999_999_999_999), ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
    ])
    func integersAreReadWithoutText(text: String, value: Int) throws {
        var json = JSONParser(reading: Array(text.utf8))
        #expect(try json.readInteger() == value)
        #expect(JSONNumber(text: text).intValue == value)
    }

    @Test(arguments: ["1.5", "9223372036854775808", "12345678901234567890", "1e300"])
    func numbersThatAreNotIntegersReadAsNil(text: String) throws {
        var json = JSONParser(reading: Array(text.utf8))
        #expect(try json.readInteger() == nil)
        #expect(JSONNumber(text: text).intValue == nil)
    }

    @Test func controlsAreFoundAtAnyOffset() {
        // The check looks at eight bytes at a time; a control at any offset must be seen.
        for offset in 0..<20 {
            let before = String(repeating: "a", count: offset)
            let after = String(repeating: "b", count: 19 - offset)
            for (control, shown) in [("\u{1B}", "\\u001B"), ("\u{7F}", "\\u007F"), ("\u{85}", "\\u0085"), ("\u{00}", "\\u0000")] {
                #expect(TerminalText.sanitized(before + control + after) == before + shown + after)
            }
            for kept in ["\n", "\t", "é", "\u{A0}", "—"] {
                #expect(TerminalText.sanitized(before + kept + after) == before + kept + after)
            }
        }
    }
}

/// A small seeded generator, so a randomized test fails the same way every time.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        // SplitMix64.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension JSONReadingTests {
    /// Thousands of damaged documents: a byte replaced, removed or repeated. Reading must agree
    /// with parsing on each (the same tree, or a failure at the same place).
    @Test func damagedDocumentsAreReadAsTheyParse() async {
        let seed =
            #"{"hops": [{"type": "Source", "id": "a\u00e9\"b", "n": -1.5e3, "ok": true, "none": null, "list": [1, [2, {}], "x"]}], "é": "ü"}"#
        let bytes = Array(seed.utf8)
        let alphabet = Array(#"{}[]:,"\ -01eE.tfnul"#.utf8) + [0x09, 0x0A, 0xC3, 0xA9]
        var random = SeededGenerator(state: 2026)
        var disagreements: [String] = []
        for round in 0..<3000 {
            // A long loop on the test pool's few threads: let waiting tests (timed ones) run.
            if round % 100 == 0 { await Task.yield() }
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<damaged.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: damaged[position] = alphabet.randomElement(using: &random)!
                case 1: damaged.remove(at: position)
                default: damaged.insert(damaged[position], at: position)
                }
            }
            let text = String(decoding: damaged, as: UTF8.self)
            let parsed = Result { () throws(JSONParser.Failure) -> JSONValue in try JSONParser.parse(bytes: Array(text.utf8)) }
            switch (Self.read(text), parsed) {
            case (.success(let read), .success(let parsed)) where read == parsed: continue
            case (.failure(let read), .failure(let parsed)) where read.location == parsed.location: continue
            case (let read, let parsed): disagreements.append("\(text): read \(read), parsed \(parsed)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
    }
}

extension Result where Failure == JSONParser.Failure {
    var failureDescription: String? {
        if case .failure(let failure) = self { return failure.description }
        return nil
    }
}

/// The reader over storage that something else owns, and over an array in place.
@Suite struct JSONReadingStorageTests {
    @Test func aReaderOverStorageOrInPlaceReadsWhatAReaderOverACopyReads() throws {
        let text = Array(#"{"status": "Reachable", "hops": [1, 2]}"#.utf8)
        func status(_ json: inout JSONParser) throws -> String? {
            let wanted = JSONParser.MemberNames(["status"])
            var members = try json.beginObject()
            var status: String?
            while let name = try json.nextMember(&members) {
                if json.match(name, among: wanted)?.exactly == true { status = try json.readString() } else { _ = try json.readValue() }
            }
            try json.endDocument()
            return status
        }
        var released = 0
        do {
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
            _ = copy.initialize(from: text)
            var stored = JSONParser(
                reading: ByteStorage(buffer: UnsafeBufferPointer(copy)) { buffer in
                    released += 1
                    UnsafeMutableBufferPointer(mutating: buffer).deallocate()
                })
            #expect(try status(&stored) == "Reachable")
        }
        // The storage went with the reader that kept it.
        #expect(released == 1)
        #expect(try JSONParser.reading(text) { try status(&$0) } == "Reachable")
        var copied = JSONParser(reading: text)
        #expect(try status(&copied) == "Reachable")
    }

    @Test func aFailureInStorageIsPlacedAsInAnArray() throws {
        let text = Array("{\n  \"a\": [1,\n  ]}".utf8)
        var viaStorage = JSONParser(reading: ByteStorage(copying: text))
        #expect(throws: JSONParser.Failure(reason: "expected a value, found ']'", location: SourceLocation(line: 3, column: 3))) {
            _ = try viaStorage.readValue()
        }
        #expect(throws: JSONParser.Failure(reason: "expected a value, found ']'", location: SourceLocation(line: 3, column: 3))) {
            _ = try JSONParser.parse(bytes: text)
        }
    }
}
