import ARM
import Foundation
import HTTPCore
import JSON
import Sandbox
import ShellLanguage
import Testing

@testable import Shell

@Suite struct SessionTests {
    static let preamble = """
        $subscriptionId = "00000000-0000-0000-0000-000000000000"
        $resourceGroupName = "NetworkWatcherRG"
        $networkWatcherName = "NetworkWatcher_westcentralus"
        $sourceResourceId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0"
        """

    @Test func assigningAPostStoresTheFinalResultAndPathsReadIt() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(
            Self.preamble + """

                $requestBody = @"
                { 'source': { 'resourceId': '${sourceResourceId}', 'port': 0 }, 'destination': { 'address': '13.107.21.200', 'port': 80 } }
                "@
                $response = armclient post "https://management.azure.com/subscriptions/${subscriptionId}/ResourceGroups/${resourceGroupName}/providers/Microsoft.Network/networkWatchers/${networkWatcherName}/connectivityCheck?api-version=2017-03-01" $requestBody
                $response.connectionStatus
                $response.hops[0].issues[0].context
                """)
        #expect(outcome == .success)
        #expect(
            fixture.output.out == """
                Unreachable
                [
                  {
                    "key": "RouteType",
                    "value": "User"
                  }
                ]

                """)
        await fixture.server.stop()
    }

    /// PowerShell puts a member inside a string with a subexpression: `"$($vm.location)"`.
    @Test func membersOfAResultGoInsideStringsWithSubexpressions() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(
            Self.preamble + """

                $vm = get "$($sourceResourceId)?api-version=2024-07-01"
                "$($vm.name) is in $( $vm.location ); its first NIC is $($vm.properties.networkProfile.networkInterfaces[0].id)"
                $nic = get "$($vm.properties.networkProfile.networkInterfaces[0].id)?api-version=2024-05-01"
                $nic.name
                """)
        #expect(outcome == .success)
        #expect(
            fixture.output.out == """
                MultiTierApp0 is in westcentralus; its first NIC is /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Network/networkInterfaces/appNic0
                appNic0

                """)
        await fixture.server.stop()
    }

    @Test func aBodyThatIsNotJSONIsRefusedBeforeAnythingIsSent() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(
            """
            $body = @"
            {
              'source': { 'resourceId': '/x' }
              'destination': {}
            }
            "@
            post /subscriptions/x/connectivityCheck?api-version=1 $body
            """)
        #expect(outcome == .failure)
        #expect(
            fixture.output.err
                == "error: The request body is not valid JSON: expected ',' or '}' after the value of \"source\", found \"'\" at line 3, column 3 of the request body. Nothing was sent.\n"
        )
        #expect(await fixture.server.arm.log.isEmpty)
        await fixture.server.stop()
    }

    @Test func anUndefinedVariableIsAnErrorAndNothingIsSent() async throws {
        let fixture = try await SessionFixture.start(sourceName: "check.nwsh")
        let outcome = await fixture.run("$subscriptionId = \"0000\"\nget /subscriptions/$subscriptionID2?api-version=2020-01-01")
        #expect(outcome == .failure)
        #expect(
            fixture.output.err
                == "error: check.nwsh:2: Variable $subscriptionID2 is not defined (at line 2, column 20). Did you mean $subscriptionId?\n")
        #expect(await fixture.server.arm.log.isEmpty)
        await fixture.server.stop()
    }

    @Test func anHTTPErrorShowsARMsEnvelopeAndFails() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(
            "get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NoSuchRG?api-version=2021-04-01")
        #expect(outcome == .failure)
        #expect(
            fixture.output.err.hasPrefix(
                """
                error: GET \(fixture.server.baseURL)/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NoSuchRG?api-version=2021-04-01 failed: HTTP 404 Not Found
                  ResourceGroupNotFound: Resource group 'NoSuchRG' could not be found.
                  (x-ms-request-id 
                """))
        #expect(fixture.output.err.contains(", x-ms-correlation-request-id "))
        await fixture.server.stop()
    }

    @Test func relaxedBodiesFromFilesAreSentAsStrictJSON() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "{'tags': {'env': 'test',},}".write(to: directory.appendingPathComponent("patch.json"), atomically: true, encoding: .utf8)
        let fixture = try await SessionFixture.start(workingDirectory: directory.path)
        let outcome = await fixture.run(
            """
            $r = patch /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01 @patch.json
            $r.tags.env
            patch /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01 @missing.json
            """)
        #expect(outcome == .failure)
        #expect(fixture.output.out == "test\n")
        #expect(fixture.output.err == "error: Cannot read missing.json: no such file.\n")
        await fixture.server.stop()
    }

    @Test func noWaitStoresTheLocationToPollLater() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(
            Self.preamble + """

                $r = post /subscriptions/$subscriptionId/resourceGroups/$resourceGroupName/providers/Microsoft.Network/networkWatchers/$networkWatcherName/connectivityCheck?api-version=2017-03-01 "{source: {resourceId: '$sourceResourceId'}, destination: {address: 'http://bing.com', port: 80}}" --no-wait
                $r.statusCode
                $r.retryAfter
                """)
        #expect(outcome == .success)
        #expect(fixture.output.out == "202\n10\n")
        #expect(
            fixture.output.err
                == "HTTP 202 Accepted: not waiting for the operation (--no-wait); 'get' its location later to see the outcome.\n")
        await fixture.server.stop()
    }

    static let usageErrors: [(String, String)] = [
        ("gte /x", "error: Unknown command 'gte'. Did you mean 'get'?\n"),
        ("frobnicate", "error: Unknown command 'frobnicate'. Type 'help' for the list of commands.\n"),
        ("get /x --no-wiat", "error: get: unknown option '--no-wiat'. Did you mean '--no-wait'?\n"),
        ("get", "error: get: missing the URL. Usage: get URL [-h \"Name: value\"]... [--no-paging]\n"),
        ("get /x /y", "error: get: unexpected argument '/y'. Usage: get URL [-h \"Name: value\"]... [--no-paging]\n"),
        ("put /x", "error: put: missing the request body. Usage: put URL BODY [-h \"Name: value\"]... [--no-wait]\n"),
        ("get /x -h", "error: get: -h needs a value. See 'help get'.\n"),
        ("get /x -h nocolon", "error: Invalid header 'nocolon': write it as -h \"Name: value\".\n"),
        (
            // A path that does not start with / is read from the location (`cd`), and must be one.
            "get subscriptions//x?api-version=1",
            "error: 'subscriptions//x' has an empty segment (//); write each segment once.\n"
        ),
        ("$true = 1", "error: $true is built in and cannot be assigned or removed.\n"),
        ("unset $nope", "error: unset: $nope is not defined.\n"),
        ("exit 300", "error: exit: '300' is not a number from 0 to 255.\n"),
        ("help gett", "error: No help for 'gett'. Did you mean 'get'?\n"),
        (
            "armclient",
            "error: armclient: missing a verb. Usage: armclient get|post|put|patch|delete URL ... (armclient is accepted and ignored)\n"
        ),
        // A word a command does not take is refused, with the usage from the command's spec.
        ("vars $x", "error: vars: unexpected argument '…'. Usage: vars\n"),
        ("whoami me", "error: whoami: unexpected argument 'me'. Usage: whoami\n"),
        ("login now", "error: login: unexpected argument 'now'. Usage: login\n"),
        ("help get post", "error: help: unexpected argument 'post'. Usage: help [command]\n"),
        ("exit 1 2", "error: exit: unexpected argument '2'. Usage: exit [status]\n"),
        ("import a b c", "error: import: unexpected argument 'c'. Usage: import SOURCE CASSETTE\n"),
        ("QUIT 300", "error: exit: '300' is not a number from 0 to 255.\n"),
    ]

    @Test("usage errors are specific", arguments: usageErrors)
    func usageError(line: String, message: String) async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.session.run(line) == .failure)
        #expect(fixture.output.err == message)
        await fixture.server.stop()
    }

    @Test func varsUnsetAndExit() async throws {
        let fixture = try await SessionFixture.start()
        #expect(
            await fixture.run(
                "$b = 'two'\n$A = 1\n$obj = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01\nvars\nunset $a\nvars"
            ) == .success)
        #expect(
            fixture.output.out == """
                $A = 1
                $b = "two"
                $obj = {"id":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG","name":"Cont...
                $b = "two"
                $obj = {"id":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG","name":"Cont...

                """)
        #expect(await fixture.session.run("exit 3") == .exit(3))
        await fixture.server.stop()
    }

    @Test func loginAndWhoamiNeverShowTheToken() async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run("whoami\nlogin\nwhoami") == .success)
        let token = fixture.server.arm.data.tenantID
        #expect(
            fixture.output.out.hasPrefix(
                "Not signed in; run 'login' (requests also sign in by themselves).\nSigned in to the nwsh sandbox with the sandbox's service principal as nwsh-sandbox-app (tenant \(token)); token valid until "
            ))
        #expect(!fixture.output.out.contains("eyJ"))
        #expect(!fixture.output.err.contains("eyJ"))
        await fixture.server.stop()
    }

    @Test func controlCharactersFromTheNetworkAreEscaped() async throws {
        let fixture = try await SessionFixture.start()
        let outcome = await fixture.run(
            """
            $r = put /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Evil?api-version=2021-04-01 "{'location': 'x\\u001b[2J'}"
            $r.location
            $r
            """)
        #expect(outcome == .success)
        #expect(fixture.output.out.contains("x\\u001B[2J\n"))
        #expect(fixture.output.out.contains("\"location\": \"x\\u001B[2J\""))
        #expect(!fixture.output.out.contains("\u{1B}"))
        await fixture.server.stop()
    }
}

@Suite struct CompletionTests {
    static let cases: [(String, String, [String])] = [
        ("", "ge", ["get"]),
        ("", "p", ["patch", "post", "put", "pwd"]),
        ("", "arm", ["armclient"]),
        ("armclient ", "po", ["post"]),
        ("$r = ", "ge", ["get"]),
        ("get ", "$sub", ["$subscriptionId"]),
        ("get ", "/subscriptions/$sub", ["/subscriptions/$subscriptionId"]),
        ("get ", "/subscriptions/${res", ["/subscriptions/${resourceGroupName}"]),
        ("", "$t", ["$true"]),
        ("get /x ", "--no-", ["--no-wait", "--no-paging"]),
        ("help ", "wh", ["whoami"]),
        ("get ", "/subs", []),
        ("check $vm 10.1.4.4:80 --protocol ", "", ["Tcp", "Http", "Https", "Icmp"]),
        ("check $vm 10.1.4.4:443 --protocol ", "ht", ["Http", "Https"]),
        ("check $vm 10.1.4.4:80 --ip-version ", "", ["IPv4", "IPv6"]),
        // Members of what a variable holds now.
        ("", "$vm.pro", ["$vm.properties", "$vm.provisioningState"]),
        ("", "$vm.properties.networkProfile.", ["$vm.properties.networkProfile.networkInterfaces"]),
        ("", "$VM.Properties.NetworkProfile.NetworkInterfaces[0].i", ["$VM.Properties.NetworkProfile.NetworkInterfaces[0].id"]),
        ("", "$r.hops.", ["$r.hops.count", "$r.hops.id", "$r.hops.issues", "$r.hops.type"]),
        ("", "$r.hops[-1].", ["$r.hops[-1].id", "$r.hops[-1].issues", "$r.hops[-1].type"]),
        ("say ", "\"$($vm.l", ["\"$($vm.location"]),
        ("get ", "/x/$vm.l", []),
        ("say \"", "$vm.l", []),
        ("say \"x ", "$vm.l", []),
        ("say \"x $(", "$vm.l", ["$vm.location"]),
        ("say 'x ", "$vm.l", []),
        ("say 'x $(", "$vm.l", []),
        ("say \"a\" ", "$vm.l", ["$vm.location"]),
        ("", "$vm.nothing.", []),
        ("", "$vm.location.", []),
        ("", "$undefined.x", []),
    ]

    static let variables: Variables = {
        var variables = Variables()
        variables.set("subscriptionId", to: .string("0000"))
        variables.set("resourceGroupName", to: .string("rg"))
        variables.set(
            "vm",
            to: .object(
                JSONObject([
                    "location": .string("westcentralus"), "provisioningState": .string("Succeeded"), "odata.type": .null,
                    "properties": .object(
                        JSONObject([
                            "networkProfile": .object(
                                JSONObject(["networkInterfaces": .array([.object(JSONObject(["id": .string("/x")]))])]))
                        ])),
                ])))
        variables.set(
            "r",
            to: .object(
                JSONObject([
                    "hops": .array([
                        .object(JSONObject(["type": .string("Source"), "id": .string("a")])),
                        .object(JSONObject(["type": .string("Destination"), "id": .string("b"), "issues": .array([])])),
                    ])
                ])))
        return variables
    }()

    @Test("completion candidates", arguments: cases)
    func candidates(before: String, word: String, expected: [String]) {
        #expect(Completion.candidates(lineBeforeWord: before, word: word, variables: Self.variables) == expected)
    }
}

@Suite struct StatementAssemblerTests {
    @Test func hereStringsContinueUntilTheirClosingLine() {
        var assembler = StatementAssembler()
        #expect(assembler.add("$a = 1") ?? ("", 0) == ("$a = 1", 1))
        #expect(assembler.add("$b = @\"") == nil)
        #expect(assembler.isContinuing)
        #expect(assembler.add("text") == nil)
        let complete = assembler.add("\"@")
        #expect(complete?.text == "$b = @\"\ntext\n\"@")
        #expect(complete?.firstLine == 2)
        #expect(!assembler.isContinuing)
    }

    @Test func anUnclosedHereStringAtTheEndIsAnError() {
        var assembler = StatementAssembler()
        _ = assembler.add("$b = @'")
        _ = assembler.add("never closed")
        #expect(
            assembler.unfinishedError()?.description
                == "The here-string opened with @' at line 1, column 6 is not closed; end it with a line that starts with '@.")
    }
}

@Suite struct VerboseOutputTests {
    @Test func verboseShowsHeadersAndTimingsButNeverTheToken() async throws {
        let server = try SandboxTransport(options: SandboxOptions(retryAfter: 0))
        let transport = server
        let data = server.arm.data
        let output = MemoryOutput()
        let session = Session(
            configuration: ARMConfiguration(endpoint: try Endpoint(server.baseURL)), transport: transport,
            credentials: Credentials(sources: [
                ClientSecretTokenSource(
                    authority: Authority(host: server.baseURL, tenant: data.tenantID), clientID: data.clientID,
                    clientSecret: data.clientSecret, transport: transport)
            ]),
            sleeper: ImmediateSleeper(), output: output, style: OutputStyle(verbose: true), target: .sandbox)
        #expect(
            await session.run(
                "$x = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01 -h 'x-ms-test: yes'"
            ) == .success)
        let lines = output.err.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "> GET \(server.baseURL)/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01"
            ))
        #expect(lines.contains("> Authorization: Bearer (redacted)"))
        #expect(lines.contains("> x-ms-test: yes"))
        #expect(lines.contains { $0.hasPrefix("> x-ms-client-request-id: ") && $0.count == "> x-ms-client-request-id: ".count + 36 })
        #expect(lines.contains { $0.hasPrefix("< HTTP 200 OK (") && $0.hasSuffix(" ms)") })
        #expect(!output.err.contains("eyJ"))
    }
}

/// A body that claims to be JSON and is not is kept as text, and said so.
@Suite struct NotJSONTests {
    @Test func aTruncatedJSONAnswerIsShownAsTextWithAWarningThatSaysWhy() async throws {
        let fixture = try await SessionFixture.start()
        await fixture.server.arm.inject(Fault(.malformedJSON, pathContains: "resourceGroups/ContosoRG"))
        let outcome = await fixture.run(
            "get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01")
        #expect(outcome == .success)
        #expect(
            fixture.output.err
                == "warning: the response to GET \(fixture.server.baseURL)/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG?api-version=2021-04-01 is not valid JSON (expected a member name or '}', found the end of the text at line 1, column 29); it is kept as text.\n"
        )
        #expect(fixture.output.out == "{\"hops\": [{\"type\": \"Source\",\n")
        await fixture.server.stop()
    }

    @Test func nestingDeeperThanTheParsersLimitIsNamed() {
        let deep = HTTPResponse(
            status: 200, body: Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8))
        #expect(RequestSender.whyNotJSON(deep) == "nesting deeper than 512 levels at line 1, column 513")
    }

    @Test(arguments: [
        (HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array("plain words".utf8)), nil as String?),
        (
            HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array("plain words".utf8)),
            "expected a value, found 'plain' (strings need double quotes) at line 1, column 1"
        ),
        (
            HTTPResponse(status: 200, body: Array(" {\"a\": 1} trailing".utf8)),
            "expected the end of the text after the value, found 't' at line 1, column 11"
        ),
    ])
    func onlyABodyThatClaimsToBeJSONIsWarnedAbout(response: HTTPResponse, reason: String?) {
        #expect(RequestSender.whyNotJSON(response) == reason)
    }
}
