import ARM
import Foundation
import HTTPCore
import Testing

@testable import Shell

/// What `login` and `whoami` say of a token: a cloud other than the public one is named.
@Suite struct SignInWordsTests {
    static let token = AccessToken(value: "opaque", expiresOn: Date(timeIntervalSince1970: 3600), source: "a test token")
    static let now = Date(timeIntervalSince1970: 0)

    @Test(arguments: [
        (SessionTarget.azure, AzureCloud.azureCloud, "Signed in with a test token; token valid until 1970-01-01T01:00:00Z (60 min)."),
        (
            SessionTarget.azure, AzureCloud.azureChinaCloud,
            "Signed in to Azure operated by 21Vianet with a test token; token valid until 1970-01-01T01:00:00Z (60 min)."
        ),
        (
            SessionTarget.sandbox, AzureCloud.azureUSGovernment,
            "Signed in to the nwsh sandbox (standing in for Azure Government) with a test token; token valid until 1970-01-01T01:00:00Z (60 min)."
        ),
    ])
    func aSignInNamesItsCloudUnlessItIsThePublicOne(target: SessionTarget, cloud: AzureCloud, words: String) {
        #expect(LoginCommand.describe(Self.token, target: target, cloud: cloud, verb: "Signed in", now: Self.now) == words)
    }
}
