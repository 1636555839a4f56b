import ARM
import HTTPCore
import Testing

@testable import Cassettes

@Suite struct RedactorTests {
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ0In0.c2lnbmF0dXJl"

    private func interaction(
        url: String = "https://management.azure.com/x", requestHeaders: HTTPHeaders = [:], requestBody: String? = nil,
        responseHeaders: HTTPHeaders = [:], responseBody: String = ""
    ) -> Interaction {
        Interaction(
            request: HTTPRequest(method: "POST", url: url, headers: requestHeaders, body: requestBody.map { Array($0.utf8) }),
            response: HTTPResponse(status: 200, headers: responseHeaders, body: Array(responseBody.utf8)), at: 0, durationMilliseconds: 1)
    }

    @Test func credentialHeadersAreReplaced() {
        let redacted = Redactor().redact(
            interaction(
                requestHeaders: ["Authorization": "Bearer \(jwt)", "x-ms-client-request-id": "abc"],
                responseHeaders: ["Set-Cookie": "session=1"]))
        #expect(redacted.request.headers["Authorization"] == "REDACTED")
        #expect(redacted.request.headers["x-ms-client-request-id"] == "abc")
        #expect(redacted.response.headers["Set-Cookie"] == "REDACTED")
    }

    @Test func tokenExchangesLoseTheirSecrets() {
        let redacted = Redactor().redact(
            interaction(
                requestHeaders: ["Content-Type": "application/x-www-form-urlencoded"],
                requestBody: "grant_type=client_credentials&client_id=app&client_secret=s3cr3t%2Fvalue&scope=x",
                responseBody: #"{"token_type": "Bearer", "access_token": "opaque-token", "refresh_token": "r", "expires_in": 3599}"#))
        #expect(
            String(decoding: redacted.request.body ?? [], as: UTF8.self)
                == "grant_type=client_credentials&client_id=app&client_secret=REDACTED&scope=x")
        #expect(
            String(decoding: redacted.response.body, as: UTF8.self)
                == #"{"token_type":"Bearer","access_token":"REDACTED","refresh_token":"REDACTED","expires_in":3599}"#)
    }

    @Test func sasSignaturesStorageKeysAndJWTsAnywhereAreReplaced() {
        let redacted = Redactor().redact(
            interaction(
                url: "https://management.azure.com/x?api-version=1&sig=abc%2Bdef&se=2030",
                responseHeaders: ["Location": "https://a.blob.core.windows.net/c?sv=1&sig=XYZ"],
                responseBody:
                    #"{"keys": [{"keyName": "key1", "value": "k1==", "permissions": "FULL"}], "connectionString": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;EndpointSuffix=core.windows.net", "note": "token \#(jwt) inside"}"#
            ))
        #expect(redacted.request.url == "https://management.azure.com/x?api-version=1&sig=REDACTED&se=2030")
        #expect(redacted.response.headers["Location"] == "https://a.blob.core.windows.net/c?sv=1&sig=REDACTED")
        #expect(
            String(decoding: redacted.response.body, as: UTF8.self)
                == #"{"keys":[{"keyName":"key1","value":"REDACTED","permissions":"FULL"}],"connectionString":"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=REDACTED;EndpointSuffix=core.windows.net","note":"token REDACTED-JWT inside"}"#
        )
    }

    @Test func bodiesWithoutSecretsAreKeptByteForByte() {
        let body = "{\n  \"hops\": []\n}"
        #expect(Redactor().redact(interaction(responseBody: body)).response.body == Array(body.utf8))
    }
}

@Suite struct CassetteCodecTests {
    @Test func aCassetteSurvivesARoundTripWithBodiesAsJSONTextOrBase64() throws {
        var headers = HTTPHeaders()
        headers.add("x-b", "2")
        headers.add("X-A", "1")
        headers.add("x-b", "3")
        let cassette = Cassette(
            metadata: .init(source: "sandbox", endpoint: "nwsh sandbox", recordedWith: "nwsh 0.1", recordedAt: "2026-01-01T00:00:00Z"),
            events: [
                .command(text: "get /x", at: 0),
                .interaction(
                    Interaction(
                        request: HTTPRequest(method: "GET", url: "https://management.azure.com/x?api-version=1", headers: headers),
                        response: HTTPResponse(
                            status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"a":[1,"b"]}"#.utf8)),
                        at: 0.5, durationMilliseconds: 2.25)),
                .interaction(
                    Interaction(
                        request: HTTPRequest(method: "POST", url: "https://management.azure.com/y", body: Array("plain text".utf8)),
                        response: HTTPResponse(status: 500, body: [0xFF, 0x00, 0x7F]), at: 1, durationMilliseconds: 3)),
            ])
        let text = cassette.text
        #expect(
            text.contains(#""headers": {\#n          "X-A": "1",\#n          "x-b": [\#n            "2",\#n            "3"\#n          ]"#))
        #expect(text.contains(#""json": {"#))
        #expect(text.contains(#""text": "plain text""#))
        #expect(text.contains(#""base64": "/wB/""#))
        let decoded = try Cassette(text: text, file: "c.json")
        #expect(decoded.commands == ["get /x"])
        #expect(decoded.interactions.count == 2)
        #expect(decoded.interactions[0].request.headers.fields.map(\.value) == ["1", "2", "3"])
        #expect(decoded.interactions[0].response.body == Array(#"{"a":[1,"b"]}"#.utf8))
        #expect(decoded.interactions[1].response.body == [0xFF, 0x00, 0x7F])
        #expect(decoded.interactions[0].durationMilliseconds == 2.25)
    }

    static let broken: [(String, String)] = [
        (
            "{\"format\": \"nwsh-cassette\", \"version\": 1, \"events\": [",
            "The cassette c.json is not valid JSON: expected a value, found the end of the text at line 1, column 54. Was it truncated? A recording interrupted by a crash is recovered from its .journal file the next time nwsh records or replays it."
        ),
        (
            "{\"format\": \"nwsh-cassette\", \"version\": 9}",
            "The cassette c.json has format version 9; this nwsh reads version 1. Record it again, or use a newer nwsh."
        ),
        ("{\"format\": \"har\"}", "The cassette c.json is not a valid nwsh cassette: format: expected \"nwsh-cassette\"."),
        (
            "{\"format\": \"nwsh-cassette\", \"version\": 1, \"metadata\": {\"source\": \"s\", \"endpoint\": \"e\", \"recordedWith\": \"n\", \"recordedAt\": \"t\"}, \"events\": [{\"kind\": \"interaction\", \"at\": 0, \"request\": {\"method\": \"GET\"}, \"response\": {\"status\": 200}}]}",
            "The cassette c.json is not a valid nwsh cassette: events[0].request.url: missing."
        ),
        // Events are read as they are parsed, but the header is judged first: a newer version explains odd events.
        (
            "{\"format\": \"nwsh-cassette\", \"version\": 2, \"events\": [{\"kind\": \"tape\"}]}",
            "The cassette c.json has format version 2; this nwsh reads version 1. Record it again, or use a newer nwsh."
        ),
        (
            "{\"format\": \"nwsh-cassette\", \"version\": 1, \"metadata\": {\"source\": \"s\", \"endpoint\": \"e\", \"recordedWith\": \"n\", \"recordedAt\": \"t\"}, \"events\": {}}",
            "The cassette c.json is not a valid nwsh cassette: events: expected an array."
        ),
        (
            "{\"format\": \"nwsh-cassette\", \"version\": 1, \"metadata\": {\"source\": \"s\", \"endpoint\": \"e\", \"recordedWith\": \"n\", \"recordedAt\": \"t\"}, \"events\": [{\"kind\": \"command\", \"text\": \"x\", \"at\": 0}, {\"kind\": \"tape\"}, {\"kind\": 1}]}",
            "The cassette c.json is not a valid nwsh cassette: events[1].kind: expected \"command\", \"interaction\", \"failure\" or \"end\", found \"tape\"."
        ),
        (
            "{\"format\": \"nwsh-cassette\", \"version\": 1, \"metadata\": {\"source\": \"s\", \"endpoint\": \"e\", \"recordedWith\": \"n\", \"recordedAt\": \"t\"}, \"events\": [{\"kind\": \"tape\"}]}",
            "The cassette c.json is not a valid nwsh cassette: events[0].kind: expected \"command\", \"interaction\", \"failure\" or \"end\", found \"tape\"."
        ),
    ]

    @Test("broken cassettes are named with the place that is wrong", arguments: broken)
    func brokenCassette(text: String, message: String) {
        do {
            _ = try Cassette(text: text, file: "c.json")
            Issue.record("read a broken cassette")
        } catch {
            #expect(error.description == message)
        }
    }
}

@Suite struct TextReplacementTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080/a?next=http://127.0.0.1:8080/b", "http://127.0.0.1:8080", "https://m", "https://m/a?next=https://m/b"),
        ("no match here", "http://127.0.0.1:8080", "https://m", "no match here"),
        ("aaa", "aa", "b", "ba"),
        ("é-http://h-é", "http://h", "x", "é-x-é"),
        ("ends with http://h", "http://h", "x", "ends with x"),
        ("", "x", "y", ""),
    ])
    func everyOccurrenceIsReplacedLeftToRight(text: String, target: String, replacement: String, expected: String) {
        #expect(text.replacingAll(target, with: replacement) == expected)
        #expect(text.containsExactly(target) == (expected != text))
    }
}

/// The two checks every recorded name and string goes through, compared byte by byte.
@Suite struct SecretNameTests {
    @Test(arguments: [
        ("password", true), ("adminPassword", true), ("ADMINPASSWORD", true), ("passwordless", true), ("clientSecret", true),
        ("client_secret", true), ("Access_Token", true), ("primaryKey", true), ("SharedKey", true), ("authorizationKey", true),
        ("secretName", false), ("secre", false), ("", false), ("properties", false), ("passwor", false), ("keyVault", false),
        ("pässword", false), ("sharedkeys", false), ("_password_", true), ("ID_TOKEN", true),
        // Lower-casing maps the Kelvin sign to k: the name matches as it always did.
        ("shared\u{212A}ey", true), ("ACCESS_TO\u{212A}EN", true),
    ])
    func memberNamesThatHoldSecrets(name: String, secret: Bool) {
        #expect(Redactor.isSecret(jsonKey: name) == secret)
    }

    @Test(arguments: [
        ("eyJhbGciOi", true), ("x-eyJ", true), ("sv=2020&sig=abc", true), ("SIG=", true), ("AccountKey=", true),
        ("SharedAccessKey=x", true),
        ("ey", false), ("eyj", false), ("signature", false), ("key: value", false), ("", false), ("=", false), ("a=b", false),
    ])
    func textThatMayHoldASecret(text: String, may: Bool) {
        #expect(Redactor.mayHoldSecret(text) == may)
    }
}
