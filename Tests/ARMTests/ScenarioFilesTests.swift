import Foundation
import Testing

@testable import Sandbox

/// Where the sandbox finds its subscription: an install's share folder, a build's resource
/// bundle, then the sources.
@Suite struct ScenarioFilesTests {
    @Test func anInstallsShareFolderComesFirstThenTheBuildsBundleThenTheSources() {
        #expect(
            ScenarioFiles.directories(executable: "/opt/nwsh/bin/nwsh", sources: "/src/Scenarios") == [
                "/opt/nwsh/share/nwsh/Scenarios", "/opt/nwsh/bin/nwsh_Sandbox.resources/Scenarios",
                "/opt/nwsh/bin/nwsh_Sandbox.bundle/Contents/Resources/Scenarios", "/src/Scenarios",
            ])
        // A build folder is not a bin folder: no share folder beside it.
        #expect(
            ScenarioFiles.directories(executable: "/w/.build/release/nwsh", sources: "/src/Scenarios") == [
                "/w/.build/release/nwsh_Sandbox.resources/Scenarios", "/w/.build/release/nwsh_Sandbox.bundle/Contents/Resources/Scenarios",
                "/src/Scenarios",
            ])
        #expect(ScenarioFiles.directories(executable: nil, sources: "/src/Scenarios") == ["/src/Scenarios"])
    }

    @Test func aMissingFileSaysWhereItWasLookedFor() {
        #expect(
            SandboxDataError.missingFile("subscription.json", searched: ["/a/Scenarios", "/b/Scenarios"]).description
                == "The sandbox's scenario file subscription.json is missing: it is in none of /a/Scenarios, /b/Scenarios. Install nwsh again with scripts/install, or run it from the folder it was built in."
        )
    }

    @Test func theRunningBinaryFindsItsScenarios() throws {
        let data = try SandboxData.bundled()
        #expect(data.subscriptionID == "00000000-0000-0000-0000-000000000000")
        #expect(!data.providers.isEmpty)
    }
}
