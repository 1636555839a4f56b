import ARM
import Cassettes
import Shell
import Testing

@testable import Launch

/// What a run does, worked out from its command line, environment and terminal: one row a case.
@Suite struct LaunchPlanTests {
    static let terminal = LaunchPlan.Facts(
        environment: [:], stdinIsTerminal: true, stdoutIsTerminal: true, stderrIsTerminal: true, cassetteExists: false)
    static let pipe = LaunchPlan.Facts(
        environment: [:], stdinIsTerminal: false, stdoutIsTerminal: false, stderrIsTerminal: false, cassetteExists: false)
    static let azure = LaunchPlan.SignIn.azure(interactive: true)
    static let azureScript = LaunchPlan.SignIn.azure(interactive: false)

    static func facts(_ base: LaunchPlan.Facts, exists: Bool = false, environment: [String: String] = [:]) -> LaunchPlan.Facts {
        var facts = base
        facts.cassetteExists = exists
        facts.environment = environment
        return facts
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var facts: LaunchPlan.Facts
        var input: LaunchPlan.Input
        var target: LaunchPlan.Target
        var cassette: LaunchPlan.CassettePlan?
        var signIn: LaunchPlan.SignIn
        var sourceName: String?
        var cloud: LaunchPlan.Cloud = .chosen(.azureCloud, namedBy: nil)
        var testDescription: String { "nwsh " + arguments.joined(separator: " ") }
    }

    static let rows: [Row] = [
        // The shell on a terminal, on Azure; the same reading a pipe.
        Row(arguments: [], facts: terminal, input: .interactive, target: .endpoint(nil), signIn: azure),
        Row(
            arguments: [], facts: pipe, input: .piped, target: .endpoint(nil), signIn: azureScript,
            sourceName: "stdin"),
        // A script or -c never prompts, even on a terminal, so device-code sign-in is not offered.
        Row(
            arguments: ["check.nwsh"], facts: terminal, input: .script(path: "check.nwsh"),
            target: .endpoint(nil),
            signIn: azureScript, sourceName: "check.nwsh"),
        Row(
            arguments: ["-c", "whoami"], facts: terminal, input: .commands("whoami"), target: .endpoint(nil),
            signIn: azureScript, sourceName: "-c"),
        // --endpoint wins over NWSH_ENDPOINT, which wins over the public cloud.
        Row(
            arguments: [], facts: facts(terminal, environment: ["NWSH_ENDPOINT": "https://arm.example"]), input: .interactive,
            target: .endpoint("https://arm.example"),
            signIn: .azure(interactive: true)),
        Row(
            arguments: ["--endpoint", "https://other.example"],
            facts: facts(terminal, environment: ["NWSH_ENDPOINT": "https://arm.example"]), input: .interactive,
            target: .endpoint("https://other.example"), signIn: .azure(interactive: true)),
        // The sandbox.
        Row(
            arguments: ["--sandbox"], facts: terminal, input: .interactive, target: .sandbox(retryAfter: 1, lab: nil),
            signIn: .sandboxPrincipal),
        Row(
            arguments: ["--sandbox", "--sandbox-retry-after", "0", "-c", "get /x"], facts: pipe, input: .commands("get /x"),
            target: .sandbox(retryAfter: 0, lab: nil), signIn: .sandboxPrincipal, sourceName: "-c"),
        // Recording, anonymized or not.
        Row(
            arguments: ["--sandbox", "--record", "s.yaml"], facts: terminal, input: .interactive, target: .sandbox(retryAfter: 1, lab: nil),
            cassette: .init(file: "s.yaml", mode: .all, reads: false), signIn: .sandboxPrincipal),
        Row(
            arguments: ["--record", "s.yaml", "--anonymize-name", "ContosoRG"], facts: pipe, input: .piped,
            target: .endpoint(nil),
            cassette: .init(file: "s.yaml", mode: .all, reads: false, anonymizedNames: ["ContosoRG"]), signIn: azureScript,
            sourceName: "stdin"),
        // Replaying: nothing is sent and no sign-in happens; the endpoint only names recorded URLs'
        // host, and the cloud is the cassette's unless one is named.
        Row(
            arguments: ["--replay", "s.yaml"], facts: facts(terminal, exists: true), input: .interactive,
            target: .replay(file: "s.yaml", endpoint: nil),
            cassette: .init(file: "s.yaml", mode: .none, reads: true),
            signIn: .chain([.cassette(file: "s.yaml")]), cloud: .recorded),
        Row(
            arguments: ["--replay", "s.yaml", "--cloud", "AzureChinaCloud"], facts: facts(terminal, exists: true), input: .interactive,
            target: .replay(file: "s.yaml", endpoint: nil),
            cassette: .init(file: "s.yaml", mode: .none, reads: true),
            signIn: .chain([.cassette(file: "s.yaml")]), cloud: .chosen(.azureChinaCloud, namedBy: "--cloud")),
        Row(
            arguments: ["--replay", "s.yaml", "--rerun"], facts: facts(pipe, exists: true), input: .rerun,
            target: .replay(file: "s.yaml", endpoint: nil),
            cassette: .init(file: "s.yaml", mode: .none, reads: true),
            signIn: .chain([.cassette(file: "s.yaml")]), sourceName: "s.yaml", cloud: .recorded),
        // A missing cassette is still read for `none`, so the run stops at its error.
        Row(
            arguments: ["--replay", "gone.yaml"], facts: pipe, input: .piped,
            target: .replay(file: "gone.yaml", endpoint: nil),
            cassette: .init(file: "gone.yaml", mode: .none, reads: true),
            signIn: .chain([.cassette(file: "gone.yaml")]), sourceName: "stdin", cloud: .recorded),
        // once: record when the cassette does not exist, else replay; NWSH_RECORD_MODE when no flag.
        Row(
            arguments: ["--record", "s.yaml", "--record-mode", "once"], facts: pipe, input: .piped,
            target: .endpoint(nil),
            cassette: .init(file: "s.yaml", mode: .all, reads: false), signIn: azureScript, sourceName: "stdin"),
        Row(
            arguments: ["--record", "s.yaml"], facts: facts(pipe, exists: true, environment: ["NWSH_RECORD_MODE": "once"]), input: .piped,
            target: .replay(file: "s.yaml", endpoint: nil),
            cassette: .init(file: "s.yaml", mode: .none, reads: true),
            signIn: .chain([.cassette(file: "s.yaml")]), sourceName: "stdin", cloud: .recorded),
        // new_episodes on the sandbox: what the cassette holds is answered, the rest sent and recorded.
        Row(
            arguments: ["--sandbox", "--replay", "s.yaml", "--record-mode", "new_episodes"], facts: facts(terminal, exists: true),
            input: .interactive,
            target: .sandbox(retryAfter: 1, lab: nil), cassette: .init(file: "s.yaml", mode: .newEpisodes, reads: true),
            signIn: .sandboxPrincipal, cloud: .recorded),
        // --rerun of a new_episodes cassette that does not exist yet has nothing to rerun.
        Row(
            arguments: ["--sandbox", "--replay", "s.yaml", "--record-mode", "new_episodes", "--rerun"], facts: pipe, input: .piped,
            target: .sandbox(retryAfter: 1, lab: nil), cassette: .init(file: "s.yaml", mode: .newEpisodes, reads: false),
            signIn: .sandboxPrincipal,
            sourceName: "s.yaml"),
        // The cloud: --cloud, else NWSH_CLOUD, else the Azure CLI's when its sign-in is borrowed;
        // it names the endpoint, the authority and the scope.
        Row(
            arguments: ["--cloud", "AzureUSGovernment"], facts: terminal, input: .interactive,
            target: .endpoint(nil),
            signIn: .azure(interactive: true),
            cloud: .chosen(.azureUSGovernment, namedBy: "--cloud")),
        Row(
            arguments: [], facts: facts(pipe, environment: ["NWSH_CLOUD": "azurechinacloud"]), input: .piped,
            target: .endpoint(nil),
            signIn: .azure(interactive: false), sourceName: "stdin",
            cloud: .chosen(.azureChinaCloud, namedBy: "NWSH_CLOUD")),
        Row(
            arguments: ["--cloud", "azurecloud"], facts: facts(pipe, environment: ["NWSH_CLOUD": "AzureChinaCloud"]), input: .piped,
            target: .endpoint(nil), signIn: azureScript, sourceName: "stdin",
            cloud: .chosen(.azureCloud, namedBy: "--cloud")),
        Row(
            arguments: [], facts: facts(pipe, environment: ["NWSH_CLOUD": "AzureGermanCloud"]), input: .piped,
            target: .endpoint(nil), signIn: azureScript, sourceName: "stdin",
            cloud: .unknown("AzureGermanCloud", namedBy: "NWSH_CLOUD")),
        // --endpoint names the endpoint; the cloud still names the sign-in and the scope.
        Row(
            arguments: ["--cloud", "AzureUSGovernment", "--endpoint", "http://127.0.0.1:8080"], facts: pipe, input: .piped,
            target: .endpoint("http://127.0.0.1:8080"),
            signIn: .azure(interactive: false), sourceName: "stdin",
            cloud: .chosen(.azureUSGovernment, namedBy: "--cloud")),
        Row(
            arguments: [], facts: azureCLI(pipe, "AzureUSGovernment"), input: .piped,
            target: .endpoint(nil),
            signIn: .azure(interactive: false), sourceName: "stdin",
            cloud: .chosen(.azureUSGovernment, namedBy: "the Azure CLI's setting (az cloud set)")),
        Row(
            arguments: [], facts: azureCLI(pipe, "AzureStackUser"), input: .piped, target: .endpoint(nil),
            signIn: azureScript, sourceName: "stdin",
            cloud: .unknown("AzureStackUser", namedBy: "the Azure CLI's setting (az cloud set)")),
        // The Azure CLI's cloud counts only when its sign-in is the one borrowed.
        Row(
            arguments: [], facts: azureCLI(pipe, "AzureUSGovernment", environment: ["NWSH_ACCESS_TOKEN": "t"]), input: .piped,
            target: .endpoint(nil),
            signIn: .azure(interactive: false), sourceName: "stdin"),
        Row(
            arguments: ["--sandbox"], facts: azureCLI(terminal, "AzureUSGovernment"), input: .interactive,
            target: .sandbox(retryAfter: 1, lab: nil), signIn: .sandboxPrincipal),
        // Adding to a cassette on Azure: its endpoint and sign-in are those of the cloud it names.
        Row(
            arguments: ["--replay", "s.yaml", "--record-mode", "new_episodes"], facts: facts(pipe, exists: true), input: .piped,
            target: .endpoint(nil), cassette: .init(file: "s.yaml", mode: .newEpisodes, reads: true), signIn: azureScript,
            sourceName: "stdin", cloud: .recorded),
        // NWSH_CLOUD does not move a cassette to another cloud.
        Row(
            arguments: ["--replay", "s.yaml"], facts: facts(pipe, exists: true, environment: ["NWSH_CLOUD": "AzureUSGovernment"]),
            input: .piped, target: .replay(file: "s.yaml", endpoint: nil), cassette: .init(file: "s.yaml", mode: .none, reads: true),
            signIn: .chain([.cassette(file: "s.yaml")]), sourceName: "stdin", cloud: .recorded),
        // An endpoint that is a cloud's Resource Manager names the cloud; one that contradicts the
        // cloud named is not guessed at.
        Row(
            arguments: ["--endpoint", "https://management.usgovcloudapi.net"], facts: pipe, input: .piped,
            target: .endpoint("https://management.usgovcloudapi.net"),
            signIn: .azure(interactive: false), sourceName: "stdin",
            cloud: .chosen(.azureUSGovernment, namedBy: "--endpoint")),
        Row(
            arguments: ["--cloud", "AzureChinaCloud", "--endpoint", "https://management.azure.com"], facts: pipe, input: .piped,
            target: .endpoint("https://management.azure.com"),
            signIn: .azure(interactive: false), sourceName: "stdin",
            cloud: .conflicting(.azureChinaCloud, namedBy: "--cloud", endpointCloud: .azureCloud, endpointNamedBy: "--endpoint")),
        Row(
            arguments: [],
            facts: facts(pipe, environment: ["NWSH_CLOUD": "AzureUSGovernment", "NWSH_ENDPOINT": "https://management.azure.com"]),
            input: .piped, target: .endpoint("https://management.azure.com"),
            signIn: .azure(interactive: false), sourceName: "stdin",
            cloud: .conflicting(.azureUSGovernment, namedBy: "NWSH_CLOUD", endpointCloud: .azureCloud, endpointNamedBy: "NWSH_ENDPOINT")),
        // The sandbox stands in for the cloud named.
        Row(
            arguments: ["--sandbox", "--cloud", "AzureChinaCloud"], facts: terminal, input: .interactive,
            target: .sandbox(retryAfter: 1, lab: nil), signIn: .sandboxPrincipal, cloud: .chosen(.azureChinaCloud, namedBy: "--cloud")),
    ]

    static func azureCLI(_ base: LaunchPlan.Facts, _ cloud: String, environment: [String: String] = [:]) -> LaunchPlan.Facts {
        var facts = facts(base, environment: environment)
        facts.azureCLICloud = cloud
        return facts
    }

    @Test(arguments: rows)
    func thePlanFollowsFromTheCommandLine(row: Row) throws {
        let plan = LaunchPlan(try Options.parse(row.arguments), facts: row.facts)
        #expect(plan.input == row.input)
        #expect(plan.target == row.target)
        #expect(plan.cassette == row.cassette)
        #expect(plan.signIn == row.signIn)
        #expect(plan.sourceName == row.sourceName)
        #expect(plan.cloud == row.cloud)
    }

    @Test func theAzureCLIsCloudIsReadOnlyWhenItsSignInWouldBeBorrowed() throws {
        let servicePrincipal = ["AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"]
        #expect(LaunchPlan.Facts.needsAzureCLICloud(try Options.parse([]), environment: [:]))
        #expect(LaunchPlan.Facts.needsAzureCLICloud(try Options.parse([]), environment: ["AZURE_CLIENT_ID": "c"]))
        #expect(!LaunchPlan.Facts.needsAzureCLICloud(try Options.parse([]), environment: servicePrincipal))
        #expect(!LaunchPlan.Facts.needsAzureCLICloud(try Options.parse([]), environment: ["ARMCLIENT_TOKEN": "t"]))
        #expect(!LaunchPlan.Facts.needsAzureCLICloud(try Options.parse([]), environment: ["NWSH_CLOUD": "AzureCloud"]))
        #expect(!LaunchPlan.Facts.needsAzureCLICloud(try Options.parse(["--cloud", "AzureCloud"]), environment: [:]))
        #expect(!LaunchPlan.Facts.needsAzureCLICloud(try Options.parse(["--sandbox"]), environment: [:]))
        #expect(!LaunchPlan.Facts.needsAzureCLICloud(try Options.parse(["--replay", "s.json"]), environment: [:]))
    }

    @Test func aCloudNwshDoesNotKnowStopsTheRunSayingWhichItKnows() {
        #expect(throws: Launcher.StartFailure.self) {
            try Launcher.cloud(.unknown("AzureGermanCloud", namedBy: "NWSH_CLOUD"), recordedIn: nil, file: nil)
        }
        do {
            _ = try Launcher.cloud(.unknown("AzureUSGov", namedBy: "NWSH_CLOUD"), recordedIn: nil, file: nil)
            Issue.record("an unknown cloud was taken")
        } catch {
            #expect(
                error.message
                    == "NWSH_CLOUD names the cloud 'AzureUSGov', which nwsh does not know. Name AzureCloud, AzureUSGovernment or AzureChinaCloud with --cloud (or NWSH_CLOUD). Did you mean 'AzureUSGovernment'?"
            )
        }
    }

    @Test func anEndpointThatContradictsTheCloudStopsTheRun() {
        do {
            _ = try Launcher.cloud(
                .conflicting(.azureUSGovernment, namedBy: "--cloud", endpointCloud: .azureCloud, endpointNamedBy: "NWSH_ENDPOINT"),
                recordedIn: nil, file: nil)
            Issue.record("a contradicted cloud was taken")
        } catch {
            #expect(
                error.message
                    == "NWSH_ENDPOINT is the Resource Manager of the public Azure cloud (AzureCloud), and --cloud names Azure Government (AzureUSGovernment). Name one cloud: leave out one of them, or make them agree."
            )
        }
    }

    @Test func aReplayIsInTheCloudItsCassetteWasRecordedIn() throws {
        var cassette = Cassette(
            metadata: .init(source: "sandbox", endpoint: "nwsh sandbox", recordedWith: "nwsh 0.1", recordedAt: "2026-12-02T00:00:00Z"),
            events: [])
        #expect(try Launcher.cloud(.recorded, recordedIn: cassette, file: "s.json") == .azureCloud)
        cassette.metadata.cloud = "AzureUSGovernment"
        #expect(try Launcher.cloud(.recorded, recordedIn: cassette, file: "s.json") == .azureUSGovernment)
        do {
            _ = try Launcher.cloud(.chosen(.azureChinaCloud, namedBy: "--cloud"), recordedIn: cassette, file: "s.json")
            Issue.record("a cassette was replayed in another cloud")
        } catch {
            #expect(
                error.message
                    == "the cassette s.json was recorded in Azure Government (AzureUSGovernment), and --cloud names Azure operated by 21Vianet (AzureChinaCloud): a cassette is replayed and added to in the cloud it was recorded in. Leave out --cloud, or give --cloud AzureUSGovernment."
            )
        }
        #expect(
            try Launcher.cloud(.chosen(.azureUSGovernment, namedBy: "--cloud"), recordedIn: cassette, file: "s.json") == .azureUSGovernment)
        cassette.metadata.cloud = "Mars"
        do {
            _ = try Launcher.cloud(.recorded, recordedIn: cassette, file: "s.json")
            Issue.record("a cassette from an unknown cloud was replayed")
        } catch {
            #expect(
                error.message
                    == "the cassette s.json names the cloud 'Mars', which nwsh does not know. Name AzureCloud, AzureUSGovernment or AzureChinaCloud with --cloud (or NWSH_CLOUD)."
            )
        }
    }

    @Test func theDeviceCodeAuthorityComesFromTheEnvironment() {
        let environment = ["AZURE_AUTHORITY_HOST": "https://login.microsoftonline.us", "AZURE_TENANT_ID": "contoso"]
        #expect(
            CredentialSource.azure(environment: environment, interactive: true) == [
                .accessToken, .servicePrincipal(authorityHost: "https://login.microsoftonline.us"), .azureCLI(.azureCloud),
                .deviceCode(Authority(host: "https://login.microsoftonline.us", tenant: "contoso"), interactive: true),
            ])
        #expect(
            CredentialSource.azure(environment: [:], interactive: false).last
                == .deviceCode(Authority(host: Authority.publicCloudHost, tenant: "organizations"), interactive: false))
    }

    @Test func eachCloudSignsInAtItsOwnAuthority() {
        #expect(
            CredentialSource.azure(environment: ["AZURE_TENANT_ID": "contoso"], interactive: true, cloud: .azureChinaCloud) == [
                .accessToken, .servicePrincipal(authorityHost: "https://login.chinacloudapi.cn"), .azureCLI(.azureChinaCloud),
                .deviceCode(Authority(host: "https://login.chinacloudapi.cn", tenant: "contoso"), interactive: true),
            ])
        // AZURE_AUTHORITY_HOST still wins, as it does for the Azure SDKs.
        #expect(
            CredentialSource.azure(
                environment: ["AZURE_AUTHORITY_HOST": "http://127.0.0.1:9"], interactive: false, cloud: .azureUSGovernment
            ).last == .deviceCode(Authority(host: "http://127.0.0.1:9", tenant: "organizations"), interactive: false))
    }

    @Test(arguments: [
        (["--color", "auto"], terminal, OutputStyle(color: true, errorColor: true, progress: true)),
        (["--color", "auto"], pipe, OutputStyle()),
        (["--color", "always", "-v"], pipe, OutputStyle(color: true, errorColor: true, verbose: true)),
        (["--color", "never"], terminal, OutputStyle(progress: true)),
        ([], facts(terminal, environment: ["NO_COLOR": "1"]), OutputStyle(progress: true)),
    ])
    func theStyleFollowsTheTerminalAndTheColorChoice(arguments: [String], facts: LaunchPlan.Facts, style: OutputStyle) throws {
        #expect(LaunchPlan(try Options.parse(arguments), facts: facts).style == style)
    }

    @Test func theSandboxSaysWhereItRunsAndWhichCloudItStandsFor() {
        #expect(
            Launcher.announcement(baseURL: "http://127.0.0.1:9", subscription: "S", cloud: .azureCloud)
                == "nwsh sandbox at http://127.0.0.1:9: an emulated subscription (S); no Azure account needed. Type 'help'.\n")
        #expect(
            Launcher.announcement(baseURL: "http://127.0.0.1:9", subscription: "S", cloud: .azureUSGovernment)
                == "nwsh sandbox at http://127.0.0.1:9: an emulated subscription (S) standing in for Azure Government; no Azure account needed. Type 'help'.\n"
        )
    }

    @Test func onlyAnInteractiveSandboxSaysWhereItRuns() throws {
        #expect(LaunchPlan(try Options.parse(["--sandbox"]), facts: Self.terminal).announcesSandbox)
        #expect(!LaunchPlan(try Options.parse(["--sandbox"]), facts: Self.pipe).announcesSandbox)
        #expect(!LaunchPlan(try Options.parse([]), facts: Self.terminal).announcesSandbox)
    }
}

/// The command line itself: every option is read by name, and combinations that make no sense
/// are refused with the reason.
@Suite struct OptionsTests {
    @Test(arguments: [
        (["--sandbox", "--endpoint", "https://x"], "--sandbox and --endpoint cannot be used together."),
        (["--rerun"], "--rerun needs --replay FILE."),
        (["--color", "sometimes"], "--color must be auto, always or never, not 'sometimes'."),
        (["--record-mode=twice", "--record", "f"], "--record-mode must be none, once, new_episodes or all, not 'twice'."),
        (["--sandbx"], "unknown option '--sandbx'. Did you mean '--sandbox'?"),
        (["--sandbox=yes"], "--sandbox takes no value."),
        (["--record"], "--record needs a value (FILE)."),
        (["a.nwsh", "b.nwsh"], "unexpected argument 'b.nwsh': give one script FILE."),
        (["--anonymize"], "--anonymize needs --record FILE."),
    ])
    func badCommandLinesSayWhy(arguments: [String], message: String) {
        #expect(throws: Options.UsageError(message: message)) { try Options.parse(arguments) }
    }

    @Test func everyOptionIsReadAndListed() throws {
        var expected = Options()
        expected.commands = "vars"
        expected.endpoint = "https://arm.example"
        expected.record = "s.yaml"
        expected.recordMode = .all
        expected.anonymize = true
        expected.anonymizeName = ["rg1", "rg2"]
        expected.color = .never
        expected.verbose = true
        #expect(
            try Options.parse([
                "-c", "vars", "--endpoint=https://arm.example", "--record", "s.yaml", "--record-mode", "all", "--anonymize",
                "--anonymize-name", "rg1", "--anonymize-name=rg2", "--color", "never", "--verbose",
            ]) == expected)
        #expect(try Options.parse(["-h"]).help)
        // --version leaves before anything else is checked, as --help does.
        #expect(try Options.parse(["--version", "--rerun"]).version)
        for flag in Options.Flag.allCases {
            for name in flag.names { #expect(Options.helpText.contains(name)) }
        }
    }
}
