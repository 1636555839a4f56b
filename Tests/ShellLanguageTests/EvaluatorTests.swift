import JSON
import Testing

@testable import ShellLanguage

@Suite struct EvaluatorTests {
    private func evaluator() throws -> Evaluator {
        var variables = Variables(environment: ["HOME": "/root"])
        variables.set(
            "response",
            to: try JSONParser.parse(
                """
                {"hops": [{"type": "Source", "issues": []}, {"type": "VnetLocal", "issues": [{"type": "NetworkSecurityRule"}]}],
                 "connectionStatus": "Unreachable"}
                """))
        variables.set("subscriptionId", to: .string("0000"))
        return Evaluator(variables: variables)
    }

    private func reference(_ text: String) throws -> VariableReference {
        guard case .show(let reference) = try Parser.parse(text).first else {
            throw LanguageError.misplacedEquals(at: .init(line: 0, column: 0))
        }
        return reference
    }

    static let values: [(String, String)] = [
        ("$response.connectionStatus", "\"Unreachable\""),
        ("$Response.ConnectionStatus", "\"Unreachable\""),
        ("$response.hops[1].issues[0].type", "\"NetworkSecurityRule\""),
        ("$response.hops.type", "[\"Source\",\"VnetLocal\"]"),
        ("$response.hops.count", "2"),
        ("$response.hops[-1].type", "\"VnetLocal\""),
        ("$env:HOME", "\"/root\""),
        ("$true", "true"),
        ("$null", "null"),
    ]

    @Test("member paths", arguments: values)
    func memberPaths(text: String, expected: String) throws {
        let value = try evaluator().value(of: try reference(text))
        #expect(JSONFormatter.compact.format(value) == expected)
    }

    static let failures: [(String, String)] = [
        ("$subscriptionID2", "Variable $subscriptionID2 is not defined (at line 1, column 1). Did you mean $subscriptionId?"),
        (
            "$nothing",
            "Variable $nothing is not defined (at line 1, column 1). Assign it first: $nothing = \"...\"; 'vars' lists the defined ones."
        ),
        (
            "$response.hopz",
            "$response has no member 'hopz' (at line 1, column 1). Did you mean 'hops'? Its members: hops, connectionStatus."
        ),
        (
            "$response.hops[5]",
            "Index [5] is out of range for $response.hops, which has 2 elements (at line 1, column 1); use 0 to 1, or -1 for the last."
        ),
        ("$response.hops[0].issues[0]", "Index [0] is out of range for $response.hops[0].issues, which is empty (at line 1, column 1)."),
        ("$response.connectionStatus.x", "Cannot apply .x to $response.connectionStatus, which is a string (at line 1, column 1)."),
    ]

    @Test("reference errors name the variable and suggest", arguments: failures)
    func referenceErrors(text: String, message: String) throws {
        let evaluator = try evaluator()
        let reference = try reference(text)
        #expect(throws: LanguageError.self) { try evaluator.value(of: reference) }
        do {
            _ = try evaluator.value(of: reference)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func unquotedNumbersAreNumbersAndQuotedOnesStrings() throws {
        let statements = try Parser.parse("$a = 42\n$b = \"42\"")
        let evaluator = try evaluator()
        guard case .assignment(_, _, .word(let bare)) = statements[0], case .assignment(_, _, .word(let quoted)) = statements[1] else {
            Issue.record("not assignments")
            return
        }
        #expect(try evaluator.value(bare) == .number(JSONNumber(42)))
        #expect(try evaluator.value(quoted) == .string("42"))
    }

    @Test func suggestionsStayWithinASmallEditDistance() {
        #expect(Suggestion.closest(to: "gte", in: ["get", "post"]) == "get")
        #expect(Suggestion.closest(to: "pots", in: ["get", "post"]) == "post")
        #expect(Suggestion.closest(to: "xyz", in: ["get", "post"]) == nil)
    }
}
