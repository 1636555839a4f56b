import JSON
import Testing

@testable import ShellLanguage

/// Evaluates `text` as one statement's words, with the given variables, to plain strings.
private func words(_ text: String, _ variables: [String: JSONValue] = [:]) throws -> [String] {
    var store = Variables()
    for (name, value) in variables { store.set(name, to: value) }
    let evaluator = Evaluator(variables: store)
    return try Lexer.tokenize(text).compactMap { token -> String? in
        guard case .word(let word) = token else { return nil }
        return try evaluator.string(word)
    }
}

@Suite struct LexerTests {
    static let quoting: [(String, [String])] = [
        ("get /a/b", ["get", "/a/b"]),
        ("say \"two words\"", ["say", "two words"]),
        ("say 'it''s literal $x'", ["say", "it's literal $x"]),
        ("say \"a \"\"quote\"\"\"", ["say", "a \"quote\""]),
        ("say \"tick `\"q`\" `$x `n\"", ["say", "tick \"q\" $x \n"]),
        ("say x\"y z\"w", ["say", "xy zw"]),
        ("say a # a comment", ["say", "a"]),
        ("say a#b", ["say", "a#b"]),
        ("say $", ["say", "$"]),
        ("say 100$", ["say", "100$"]),
        ("say ünïcödé", ["say", "ünïcödé"]),
    ]

    @Test("quoting rules", arguments: quoting)
    func quotingRules(input: String, expected: [String]) throws {
        #expect(try words(input) == expected)
    }

    static let interpolation: [(String, [String])] = [
        ("get /subscriptions/$sub/x", ["get", "/subscriptions/0000/x"]),
        ("get /subscriptions/${sub}x", ["get", "/subscriptions/0000x"]),
        ("say \"$sub.name\"", ["say", "0000.name"]),
        ("say \"${sub}\"", ["say", "0000"]),
        ("say '${sub}'", ["say", "${sub}"]),
        ("say $SUB", ["say", "0000"]),
        ("say $port", ["say", "80"]),
        ("say \"obj=$obj\"", ["say", "obj={\"a\":[1,true]}"]),
        ("say $obj.a[0]", ["say", "1"]),
        ("say $obj.a[-1]", ["say", "true"]),
        ("say x$obj.a", ["say", "x{\"a\":[1,true]}.a"]),
        ("say ${a b}", ["say", "spaced"]),
        // PowerShell writes a member inside a string as a subexpression.
        ("say \"first=$($obj.a[0])!\"", ["say", "first=1!"]),
        ("say $( $obj.a[-1] )x", ["say", "truex"]),
        ("say \"$(${a b})\"", ["say", "spaced"]),
        ("say /x/$($sub)/y", ["say", "/x/0000/y"]),
        ("say '$($obj.a)'", ["say", "$($obj.a)"]),
    ]

    @Test("interpolation of $name, ${name} and paths", arguments: interpolation)
    func interpolationRules(input: String, expected: [String]) throws {
        let variables: [String: JSONValue] = [
            "sub": .string("0000"), "port": .number(JSONNumber(80)),
            "obj": .object(JSONObject(["a": .array([.number(JSONNumber(1)), .bool(true)])])),
            "a b": .string("spaced"),
        ]
        #expect(try words(input, variables) == expected)
    }

    /// Found by fuzzing: a backtick before a carriage return that no newline follows made the
    /// lexer take the same empty word forever (and memory with it). A backtick continues the line
    /// only before `\n` or `\r\n`; elsewhere in a bare word it is text.
    @Test(
        .timeLimit(.minutes(1)),
        arguments: [("say a`\r\rb", ["say", "a`", "b"]), ("say `\r", ["say", "`"]), ("say a`\r\nb", ["say", "a", "b"])])
    func aBacktickBeforeALoneCarriageReturnIsText(text: String, expected: [String]) throws {
        #expect(try words(text) == expected)
    }

    @Test func hereStringsSpanLinesAndInterpolate() throws {
        let text = "$body = @\"\n{\n  'id': '${id}',\n  'n': $n\n}\n\"@"
        let statements = try Parser.parse(text)
        guard case .assignment("body", _, .word(let word)) = statements.first else {
            Issue.record("not an assignment: \(statements)")
            return
        }
        var variables = Variables()
        variables.set("id", to: .string("/x/y"))
        variables.set("n", to: .number(JSONNumber(0)))
        #expect(try Evaluator(variables: variables).string(word) == "{\n  'id': '/x/y',\n  'n': 0\n}")
    }

    @Test func singleQuotedHereStringsAreLiteral() throws {
        let text = "$body = @'\n$not ${interpolated}\n'@"
        guard case .assignment(_, _, .word(let word)) = try Parser.parse(text).first else {
            Issue.record("not an assignment")
            return
        }
        #expect(word.literalText == "$not ${interpolated}")
    }

    @Test func hereStringsKeepBlankLinesAndCRLF() throws {
        let text = "$b = @\"\r\nline1\r\n\r\nline3\r\n\"@"
        guard case .assignment(_, _, .word(let word)) = try Parser.parse(text).first else {
            Issue.record("not an assignment")
            return
        }
        #expect(word.literalText == "line1\n\nline3")
    }

    static let incomplete: [(String, Bool)] = [
        ("$b = @\"", true),
        ("$b = @\"\n{", true),
        ("$b = @\"\n{\n\"@", false),
        ("say \"open", true),
        ("say 'open", true),
        ("get /a `", true),
        ("get /a", false),
        ("say ${x", false),
    ]

    @Test("whether a statement needs more lines", arguments: incomplete)
    func needsMoreInput(text: String, expected: Bool) {
        #expect(Lexer.needsMoreInput(text) == expected)
    }

    static let errors: [(String, String)] = [
        ("say \"open", "The string starting at line 1, column 5 has no closing \"; add one."),
        ("$b = @\"\n{", "The here-string opened with @\" at line 1, column 6 is not closed; end it with a line that starts with \"@."),
        (
            "$b = @\" trailing",
            "Unexpected text after a here-string opener at line 1, column 9; @\" or @' must end its line, with the text starting on the next line."
        ),
        ("say ${x", "The variable reference ${ at line 1, column 5 has no closing }."),
        ("say ${}", "Empty variable name ${} at line 1, column 5."),
        (
            "say $(1+1)",
            "A subexpression $(...) holds only a variable and its members here, as in $($vm.id) (at line 1, column 5); for anything else, assign the value to a variable first and use $name."
        ),
        (
            "say \"$($obj.a + 1)\"",
            "A subexpression $(...) holds only a variable and its members here, as in $($vm.id) (at line 1, column 6); for anything else, assign the value to a variable first and use $name."
        ),
        (
            "say $($obj",
            "A subexpression $(...) holds only a variable and its members here, as in $($vm.id) (at line 1, column 5); for anything else, assign the value to a variable first and use $name."
        ),
        (
            "say $(Get-Date)",
            "A subexpression $(...) holds only a variable and its members here, as in $($vm.id) (at line 1, column 5); for anything else, assign the value to a variable first and use $name."
        ),
        ("$a.b = 5", "Unexpected '=' at line 1, column 6; assignments look like $name = value."),
        ("$x =", "Nothing to assign to $x at line 1, column 4; write $x = \"text\", a number, $other, or a command such as get."),
        (
            "$x = \"a\" \"b\"",
            "Too many words after $x = at line 1, column 10; quote text that contains spaces, or start with a command such as get."
        ),
        ("\"a\" b", "'a' at line 1, column 1 is not a command; a statement starts with a command (see 'help') or $name."),
    ]

    @Test("syntax errors say what and where", arguments: errors)
    func syntaxErrors(text: String, message: String) {
        #expect(throws: LanguageError.self) { try Parser.parse(text) }
        do {
            _ = try Parser.parse(text)
        } catch {
            #expect(error.description == message)
        }
    }
}
