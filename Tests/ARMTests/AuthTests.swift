import ARM
import Foundation
import HTTPCore
import Sandbox
import Synchronization
import Testing

@Suite struct AuthTests {
    @Test func clientCredentialsGetATokenWhoseClaimsNameTheApp() async throws {
        let fixture = try await SandboxFixture.start()
        let token = try await fixture.client.credentials.login()
        #expect(token.tenant == fixture.server.arm.data.tenantID)
        #expect(token.identity == "nwsh-sandbox-app")
        #expect(token.expiresOn > Date().addingTimeInterval(3000))
        await fixture.stop()
    }

    @Test func aWrongClientSecretIsRefusedWithEntraIDsMessage() async throws {
        let fixture = try await SandboxFixture.start(sources: { server, transport in
            [
                ClientSecretTokenSource.fromEnvironment(
                    [
                        "AZURE_TENANT_ID": server.arm.data.tenantID, "AZURE_CLIENT_ID": server.arm.data.clientID,
                        "AZURE_CLIENT_SECRET": "wrong", "AZURE_AUTHORITY_HOST": server.baseURL,
                    ], transport: transport)
            ]
        })
        do {
            _ = try await fixture.client.perform(ARMCall(method: "GET", target: SandboxFixture.sourceVM + "?api-version=2023-03-01"))
            Issue.record("no error")
        } catch let error as ARMError {
            #expect(
                error.description
                    == "Sign-in with service principal (AZURE_CLIENT_ID) was refused: invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."
            )
        }
        await fixture.stop()
    }

    @Test func theDeviceCodeFlowWaitsForTheSignIn() async throws {
        let shown = Mutex<[String]>([])
        let fixture = try await SandboxFixture.start(sources: { server, transport in
            [
                DeviceCodeTokenSource(
                    authority: Authority(host: server.baseURL, tenant: "organizations"), transport: transport, sleeper: VirtualSleeper(),
                    interactive: true, show: { message in shown.withLock { $0.append(message) } })
            ]
        })
        let token = try await fixture.client.credentials.login()
        #expect(token.identity == "sandbox.user@contoso.example")
        #expect(token.source == "device-code sign-in")
        let message = shown.withLock { $0 }.first ?? ""
        #expect(message.hasPrefix("To sign in to the nwsh sandbox, open \(fixture.server.baseURL)/devicelogin and enter the code "))
        let log = await fixture.server.arm.log
        #expect(log.filter { $0.hasSuffix("/oauth2/v2.0/token") }.count == 2)
        await fixture.stop()
    }

    @Test func anEnvironmentTokenIsUsedAsItIsAndARefusalIsA401() async throws {
        let fixture = try await SandboxFixture.start(sources: { _, _ in
            [EnvironmentTokenSource(environment: ["ARMCLIENT_TOKEN": "Bearer not-a-sandbox-token"])]
        })
        let result = try await fixture.client.perform(ARMCall(method: "GET", target: SandboxFixture.sourceVM + "?api-version=2023-03-01"))
        #expect(result.response.status == 401)
        #expect(ARMErrorEnvelope(body: result.response.body)?.code == "InvalidAuthenticationToken")
        let token = try await fixture.client.credentials.token()
        #expect(token.value == "not-a-sandbox-token")
        #expect(token.source == "environment variable ARMCLIENT_TOKEN")
        await fixture.stop()
    }

    @Test func withNoSourceConfiguredTheErrorSaysWhatToSet() async throws {
        let credentials = Credentials(sources: [
            EnvironmentTokenSource(environment: [:]),
            ClientSecretTokenSource.fromEnvironment(["AZURE_TENANT_ID": "t"], transport: LiveTransport(environment: [:])),
            AzureCLITokenSource(environment: ["PATH": "/nonexistent"]),
            DeviceCodeTokenSource(
                authority: Authority(host: "https://login.example", tenant: "organizations"), transport: LiveTransport(environment: [:]),
                sleeper: VirtualSleeper(), interactive: false, show: { _ in }),
        ])
        do {
            _ = try await credentials.login()
            Issue.record("no error")
        } catch let error as AuthError {
            #expect(
                error.description == """
                    Could not get an access token for Azure Resource Manager. Tried:
                      - NWSH_ACCESS_TOKEN / ARMCLIENT_TOKEN: not set
                      - service principal: AZURE_CLIENT_ID, AZURE_CLIENT_SECRET not set
                      - Azure CLI: 'az' is not on PATH
                      - device-code sign-in: only in an interactive session
                    Set NWSH_ACCESS_TOKEN, or AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or sign in with 'az login', or run 'login' in an interactive nwsh. To try nwsh without Azure, start it with --sandbox.
                    """)
        }
    }

    @Test func tokensAreRenewedBeforeTheyExpire() async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let source = CountingSource(lifetime: 3600, now: { clock.withLock { $0 } })
        let credentials = Credentials(sources: [source], now: { clock.withLock { $0 } })
        let first = try await credentials.token()
        clock.withLock { $0 = $0.addingTimeInterval(3000) }
        let second = try await credentials.token()
        #expect(first == second)
        clock.withLock { $0 = $0.addingTimeInterval(400) }
        let third = try await credentials.token()
        #expect(third.value == "token-2")
        #expect(source.count == 2)
    }

    @Test func jwtClaimsAreReadWithoutTheSignature() {
        // {"tid":"t1","upn":"a@b.example","exp":2000000000}
        let token = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ0MSIsInVwbiI6ImFAYi5leGFtcGxlIiwiZXhwIjoyMDAwMDAwMDAwfQ.sig"
        let access = AccessToken(value: token, expiresOn: Date(), source: "test")
        #expect(access.tenant == "t1")
        #expect(access.identity == "a@b.example")
        #expect(AccessToken.expiry(ofJWT: token) == Date(timeIntervalSince1970: 2_000_000_000))
        #expect(AccessToken.decodeClaims("opaque") == nil)
    }
}

/// A token source that counts how often it is asked.
final class CountingSource: TokenSource {
    private let counter = Mutex(0)
    let lifetime: Double
    let now: @Sendable () -> Date
    init(lifetime: Double, now: @escaping @Sendable () -> Date) {
        self.lifetime = lifetime
        self.now = now
    }
    var count: Int { counter.withLock { $0 } }
    var name: String { "counting" }
    var unavailableReason: String? { nil }
    func acquire(scope: String) async throws -> AccessToken {
        let number = counter.withLock { count -> Int in
            count += 1
            return count
        }
        return AccessToken(value: "token-\(number)", expiresOn: now().addingTimeInterval(lifetime), source: name)
    }
}

@Suite struct AzureCLITests {
    /// A stand-in `az` on PATH that prints what the real one prints, and records its arguments.
    static func fakeAzureCLI(output: String, status: Int32 = 0) throws -> (directory: String, log: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-az-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let log = directory + "/arguments"
        let script = """
            #!/bin/sh
            echo "$@" > '\(log)'
            cat <<'JSON'
            \(output)
            JSON
            exit \(status)
            """
        // Written through a close-on-exec descriptor: a process another test starts meanwhile must
        // not inherit it, or running the script fails with ETXTBSY ("text file busy").
        let descriptor = open(directory + "/az", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard descriptor >= 0 else { throw POSIXError(.EACCES) }
        let bytes = Array(script.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count else { throw POSIXError(.EIO) }
        return (directory, log)
    }

    @Test func theTokenComesFromAzAccountGetAccessToken() async throws {
        let (directory, log) = try Self.fakeAzureCLI(
            output:
                #"{"accessToken": "cli-token", "expiresOn": "2030-01-01 00:00:00.000000", "expires_on": 1893456000, "subscription": "s", "tenant": "t", "tokenType": "Bearer"}"#
        )
        let source = AzureCLITokenSource(environment: ["PATH": directory])
        #expect(source.unavailableReason == nil)
        let token = try await source.acquire(scope: Credentials.armScope)
        #expect(token.value == "cli-token")
        #expect(token.expiresOn == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(
            try String(contentsOfFile: log, encoding: .utf8)
                == "account get-access-token --resource https://management.azure.com/ --output json\n")
    }

    @Test func aFailingAzSaysToSignInFirst() async throws {
        let (directory, _) = try Self.fakeAzureCLI(output: "", status: 1)
        let source = AzureCLITokenSource(environment: ["PATH": directory])
        await #expect(throws: AuthError.azureCLIFailed(detail: "exit status 1")) {
            _ = try await source.acquire(scope: Credentials.armScope)
        }
        #expect(
            AuthError.azureCLIFailed(detail: "exit status 1").description
                == "'az account get-access-token' failed: exit status 1. Run 'az login' first, or use another way to sign in.")
    }
}
