import JSON
import Testing

@testable import ShellLanguage

@Suite struct ParserTests {
    @Test func armclientPrefixIsIgnored() throws {
        let statements = try Parser.parse("armclient get /x\narmclient login")
        #expect(statements.count == 2)
        guard case .command(let get) = statements[0], case .command(let login) = statements[1] else {
            Issue.record("not commands: \(statements)")
            return
        }
        #expect(get.name == "get")
        #expect(get.arguments.map(\.literalText) == ["/x"])
        #expect(login.name == "login")
        #expect(login.arguments.isEmpty)
    }

    @Test func assignmentOfACommandResult() throws {
        guard case .assignment(let name, _, .command(let command)) = try Parser.parse("$response = armclient post /u $body").first else {
            Issue.record("not a command assignment")
            return
        }
        #expect(name == "response")
        #expect(command.name == "post")
        #expect(command.arguments.count == 2)
        #expect(command.arguments[1].soleVariable?.name == "body")
    }

    @Test func assignmentWithoutSpaces() throws {
        guard case .assignment("x", _, .word(let word)) = try Parser.parse("$x=5").first else {
            Issue.record("not an assignment")
            return
        }
        #expect(word.literalText == "5")
    }

    @Test func aLoneVariableWithAPathIsShown() throws {
        guard case .show(let reference) = try Parser.parse("$r.hops[2].issues[0].context").first else {
            Issue.record("not a show")
            return
        }
        #expect(reference.name == "r")
        #expect(reference.path == [.member("hops"), .index(2), .member("issues"), .index(0), .member("context")])
    }

    @Test func semicolonsAndCommentsSeparateStatements() throws {
        let statements = try Parser.parse("# heading\n$a = 1; $b = 2 # trailing\n\n$a")
        #expect(statements.count == 3)
    }

    @Test func commandNamesAreCaseInsensitive() throws {
        guard case .command(let command) = try Parser.parse("GET /x").first else {
            Issue.record("not a command")
            return
        }
        #expect(command.name == "get")
    }

    @Test func aLoneQuotedStringIsAValue() throws {
        guard case .value(let word) = try Parser.parse("\"hello $name\"").first else {
            Issue.record("not a value")
            return
        }
        #expect(word.quoting == .double)
    }

    @Test func thePagesFirstExampleParses() throws {
        let script = """
            $subscriptionId = "00000000-0000-0000-0000-000000000000"
            $destinationPort = "0"
            $requestBody = @"
            {
              'source': {
                'resourceId': '${sourceResourceId}',
                'port': 0
              },
              'destination': {
                'resourceId': '${destinationAddress}',
                'port': ${destinationPort}
              }
            }
            "@

            $response = armclient post "https://management.azure.com/subscriptions/${subscriptionId}/ResourceGroups/x/connectivityCheck?api-version=2017-03-01" $requestBody
            """
        let statements = try Parser.parse(script)
        #expect(statements.count == 4)
        guard case .assignment("response", _, .command(let post)) = statements[3] else {
            Issue.record("last statement is not the post")
            return
        }
        #expect(post.location == SourceLocation(line: 16, column: 23))
    }
}
