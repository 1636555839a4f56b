import ARM
import Cassettes
import Foundation
import HTTPCore
import JSON
import LineEditing
import Sandbox
import Shell

/// Carries out a ``LaunchPlan``: reads the script, recovers and reads the cassette, starts the
/// sandbox, builds the credential chain and the transport stack, runs the session, and writes
/// the recording at the end.
public enum Launcher {
    /// Runs nwsh with checked options; returns the exit status: 0 success, 1 a command failed,
    /// 2 an unreadable script or cassette, a bad endpoint or a sandbox that did not start, 3 an
    /// unreachable check, or the status `exit N` gave.
    public static func run(_ options: Options, environment: [String: String]) async -> Int32 {
        let output = StandardOutput()
        do {
            return try await run(options, environment: environment, output: output)
        } catch {
            output.err("error: \(error.message)\n")
            return 2
        }
    }

    /// The cloud of a run: the one its plan chose, or for a cassette read with no `--cloud`, the
    /// one it was recorded in (the public cloud when it names none). A `--cloud` that differs from
    /// a read cassette's, a cloud nwsh does not know, and a cloud that its endpoint contradicts
    /// stop the run.
    static func cloud(_ choice: LaunchPlan.Cloud, recordedIn cassette: Cassette?, file: String?) throws(StartFailure) -> AzureCloud {
        func unknown(_ name: String, _ where: String) -> StartFailure {
            StartFailure(
                message:
                    "\(`where`) names the cloud '\(TerminalText.sanitized(name))', which nwsh does not know. Name \(Options.cloudNames) with --cloud (or NWSH_CLOUD).\(Options.cloudSuggestion(for: name))"
            )
        }
        let cassetteName = "the cassette \(file ?? "")"
        var recorded: AzureCloud?
        if let cassette {
            let name = cassette.metadata.cloud ?? AzureCloud.azureCloud.name
            guard let cloud = AzureCloud.named(name) else { throw unknown(name, cassetteName) }
            recorded = cloud
        }
        switch choice {
        case .chosen(let cloud, _):
            // A read cassette's cloud is chosen only by --cloud (else the plan says `.recorded`).
            if let recorded, recorded != cloud {
                throw StartFailure(
                    message:
                        "\(cassetteName) was recorded in \(recorded.displayName) (\(recorded.name)), and --cloud names \(cloud.displayName) (\(cloud.name)): a cassette is replayed and added to in the cloud it was recorded in. Leave out --cloud, or give --cloud \(recorded.name)."
                )
            }
            return cloud
        case .unknown(let name, let namedBy): throw unknown(name, namedBy)
        case .conflicting(let cloud, let namedBy, let endpointCloud, let endpointNamedBy):
            throw StartFailure(
                message:
                    "\(endpointNamedBy) is the Resource Manager of \(endpointCloud.displayName) (\(endpointCloud.name)), and \(namedBy) names \(cloud.displayName) (\(cloud.name)). Name one cloud: leave out one of them, or make them agree."
            )
        case .recorded: return recorded ?? .azureCloud
        }
    }

    /// What an interactive session on the sandbox says first: where it runs, and what it stands in for.
    static func announcement(baseURL: String, subscription: String, cloud: AzureCloud) -> String {
        let standIn = cloud.isPublic ? "" : " standing in for \(cloud.displayName)"
        return "nwsh sandbox at \(baseURL): an emulated subscription (\(subscription))\(standIn); no Azure account needed. Type 'help'.\n"
    }

    /// Why a run could not start; said as `error: MESSAGE`, exit status 2.
    struct StartFailure: Error {
        var message: String
    }

    private static func run(_ options: Options, environment: [String: String], output: OutputSink) async throws(StartFailure) -> Int32 {
        var scriptText: String?
        if let file = options.file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw StartFailure(
                    message:
                        "cannot read the script \(file): \(FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file")."
                )
            }
            scriptText = String(decoding: data, as: UTF8.self)
        }
        var cassetteExists = false
        if let file = options.record ?? options.replay {
            do throws(CassetteError) {
                if let recovered = try CassetteRecorder.recover(file: file) {
                    output.err(
                        "Recovered \(recovered) interaction\(recovered == 1 ? "" : "s") from an interrupted recording into \(file).\n")
                }
            } catch {
                throw StartFailure(message: error.description)
            }
            cassetteExists = FileManager.default.fileExists(atPath: file)
        }
        let plan = LaunchPlan(
            options,
            facts: LaunchPlan.Facts(
                environment: environment, stdinIsTerminal: isatty(STDIN_FILENO) == 1, stdoutIsTerminal: isatty(STDOUT_FILENO) == 1,
                stderrIsTerminal: isatty(STDERR_FILENO) == 1, cassetteExists: cassetteExists,
                azureCLICloud: LaunchPlan.Facts.needsAzureCLICloud(options, environment: environment)
                    && AzureCLITokenSource(environment: environment).unavailableReason == nil
                    ? AzureCLIConfiguration.cloudName(environment: environment) : nil))

        var replayed: Cassette?
        if let cassette = plan.cassette, cassette.reads {
            do throws(CassetteError) {
                replayed = try Cassette.load(path: cassette.file)
            } catch {
                throw StartFailure(message: error.description)
            }
        }

        let cloud = try Self.cloud(plan.cloud, recordedIn: replayed, file: plan.cassette?.file)

        // Where requests go, and how to sign in there.
        let endpoint: Endpoint
        var server: SandboxServer?
        // The sandbox's own service principal, once it has started.
        var sandboxPrincipal: CredentialSource?
        do {
            switch plan.target {
            case .endpoint(let url), .replay(_, let url):
                endpoint = try Endpoint(url ?? cloud.resourceManager, cloud: cloud)
            case .sandbox(let retryAfter, let lab):
                var world: SandboxData
                do {
                    world = try SandboxData.bundled()
                } catch {
                    throw StartFailure(message: "could not start the sandbox: \(error)")
                }
                if let lab {
                    do {
                        let (loaded, report) = try world.with(labAt: lab)
                        world = loaded
                        output.err(TerminalText.sanitized(report))
                    } catch {
                        throw StartFailure(message: TerminalText.sanitized(error.description))
                    }
                }
                let started: SandboxServer
                do {
                    started = try await SandboxServer.start(options: SandboxOptions(retryAfter: retryAfter, cloud: cloud), data: world)
                } catch {
                    throw StartFailure(message: "could not start the sandbox: \(error)")
                }
                server = started
                endpoint = try Endpoint(started.baseURL, cloud: cloud)
                let data = started.arm.data
                sandboxPrincipal = .clientSecret(
                    Authority(host: started.baseURL, tenant: data.tenantID), clientID: data.clientID, secret: data.clientSecret,
                    name: "the sandbox's service principal")
                if plan.announcesSandbox {
                    output.err(Self.announcement(baseURL: started.baseURL, subscription: started.arm.data.subscriptionID, cloud: cloud))
                }
            }
        } catch let error as ARMError {
            throw StartFailure(message: error.description)
        } catch let error as StartFailure {
            throw error
        } catch {
            // Endpoint(_:) throws ARMError only, and a sandbox that does not start is a StartFailure.
            preconditionFailure("unexpected error starting a session: \(error)")
        }
        let signIn: [CredentialSource]
        switch plan.signIn {
        case .chain(let sources): signIn = sources
        case .azure(let interactive): signIn = CredentialSource.azure(environment: environment, interactive: interactive, cloud: cloud)
        case .sandboxPrincipal:
            // A plan signs in to the sandbox only when its target is the sandbox, started above.
            guard let sandboxPrincipal else { preconditionFailure("a sandbox sign-in without a sandbox") }
            signIn = [sandboxPrincipal]
        }

        // The recorder's one owner, and the transports stacked over the network.
        let secrets = SecretLedger()
        var recording: RecordingContext?
        let layers: TransportStack.Layers
        if let cassette = plan.cassette, cassette.replaysOnly, let replayed {
            layers = .replayOnly(replayed, file: cassette.file)
        } else {
            let context = RecordingContext(
                source: server != nil ? "sandbox" : endpoint.baseURL, endpointBase: endpoint.baseURL, cloud: cloud, secrets: secrets,
                onFailure: { output.err("error: \($0.description)\n") })
            recording = context
            if let cassette = plan.cassette {
                do throws(CassetteError) {
                    try context.start(
                        file: cassette.file, events: cassette.mode == .newEpisodes ? replayed?.events ?? [] : [],
                        anonymizer: cassette.anonymizedNames.map { Anonymizer(names: $0) })
                } catch {
                    // Said at once; the session itself still runs.
                    output.err("error: \(error.description)\n")
                }
            }
            var first: (cassette: Cassette, file: String)?
            if let cassette = plan.cassette, cassette.mode == .newEpisodes, let replayed { first = (replayed, cassette.file) }
            layers = .record(into: context.slot, replayingFirst: first)
        }
        let stack = TransportStack(live: LiveTransport(environment: environment), layers: layers, secrets: secrets)
        let replaysOnly = plan.cassette?.replaysOnly == true
        let sleeper: Sleeper = replaysOnly ? ImmediateSleeper() : RealSleeper()
        let credentials = Credentials(
            chain: signIn, environment: environment, transport: stack.signIn, sleeper: sleeper, scope: cloud.resourceManagerScope,
            show: { output.err($0 + "\n") })

        let target: SessionTarget
        switch plan.target {
        case .endpoint: target = .azure
        case .sandbox: target = .sandbox
        case .replay(let file, _): target = .replay(file: file)
        }
        let session = Session(
            configuration: ARMConfiguration(endpoint: endpoint), transport: stack.transport, credentials: credentials, sleeper: sleeper,
            output: output, style: plan.style, target: target, environment: environment, sourceName: plan.sourceName, recording: recording,
            currentCassette: { [replayed, recording] in replaysOnly ? replayed : recording?.snapshot }, secrets: secrets)

        var status: Int32
        let runner = ScriptRunner(session: session, output: output)
        switch plan.input {
        case .rerun:
            status = await runner.rerun(replayed?.commandRuns ?? [], transport: stack.replayOnly).exitStatus
        case .commands(let text):
            status = await runner.run(lines: ScriptRunner.lines(of: text)).exitStatus
        case .script:
            status = await runner.run(lines: ScriptRunner.lines(of: scriptText ?? "")).exitStatus
        case .interactive:
            status = await InteractiveSession(session: session, environment: environment, secrets: secrets).run()
        case .piped:
            let reader = PlainLineReader()
            status = await runner.run {
                if case .line(let line) = reader.readLine(prompt: "") { return line }
                return nil
            }.exitStatus
        }
        if await !session.endRecording(), status == 0 { status = 1 }
        await server?.stop()
        return status
    }
}
