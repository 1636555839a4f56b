import ARM
import Cassettes
import Foundation
import HTTPCore
import Shell

/// What one run of nwsh will do, worked out from its options, its environment and its terminal
/// before anything is opened, started or sent. Pure: each combination is a row of a table test,
/// and ``Launcher`` carries the plan out.
public struct LaunchPlan: Equatable, Sendable {
    /// Where statements come from.
    public enum Input: Equatable, Sendable {
        /// A terminal: libedit, history, completion, Ctrl-C.
        case interactive
        /// `nwsh FILE`.
        case script(path: String)
        /// `nwsh -c COMMANDS`.
        case commands(String)
        /// Standard input that is not a terminal.
        case piped
        /// `--replay FILE --rerun`: the command lines the cassette holds.
        case rerun
    }

    /// Where requests go.
    public enum Target: Equatable, Sendable {
        /// Azure: the ARM endpoint named (`--endpoint`, `NWSH_ENDPOINT`), or nil for the
        /// cloud's Resource Manager.
        case endpoint(String?)
        /// The built-in sandbox, started on a free loopback port.
        case sandbox(retryAfter: Int, lab: String?)
        /// Nowhere: a cassette answers. The endpoint only says where recorded URLs point; nil for
        /// the cloud's Resource Manager.
        case replay(file: String, endpoint: String?)
    }

    /// Which Azure cloud the session is for: its Resource Manager, its sign-in and its tokens'
    /// audience, and the host a URL written for it names.
    public enum Cloud: Equatable, Sendable {
        /// This cloud, and what named it (`--cloud`, `NWSH_CLOUD`, the Azure CLI's setting); nil
        /// for the default, the public cloud.
        case chosen(AzureCloud, namedBy: String?)
        /// A cassette read (replayed, or added to with `new_episodes`), with no `--cloud`: the
        /// cloud it was recorded in.
        case recorded
        /// A name nwsh does not know, and what named it.
        case unknown(String, namedBy: String)
        /// A cloud named, and an endpoint (`--endpoint`, `NWSH_ENDPOINT`) that is another cloud's
        /// Resource Manager: nwsh does not guess which was meant.
        case conflicting(AzureCloud, namedBy: String, endpointCloud: AzureCloud, endpointNamedBy: String)
    }

    /// What the run does with its cassette.
    public struct CassettePlan: Equatable, Sendable {
        public var file: String
        /// The record mode, resolved: `once` has become `none` or `all`.
        public var mode: RecordMode
        /// Whether the cassette is read before the session (a missing one is then an error for
        /// `none`).
        public var reads: Bool
        /// With `--anonymize`: the names to replace besides subscription and tenant IDs; nil when
        /// the recording is not anonymized.
        public var anonymizedNames: [String]?

        /// Whether nothing is sent: every request is answered from the cassette.
        public var replaysOnly: Bool { mode == .none }
    }

    /// How the session signs in.
    public enum SignIn: Equatable, Sendable {
        /// These sources, in order.
        case chain([CredentialSource])
        /// The sources tried against Azure (``CredentialSource/azure(environment:interactive:cloud:)``),
        /// for the run's cloud, which a cassette may name (known once it is read).
        case azure(interactive: Bool)
        /// The sandbox's own service principal (known once it has started).
        case sandboxPrincipal
    }

    public var input: Input
    public var target: Target
    public var cloud: Cloud
    public var cassette: CassettePlan?
    public var signIn: SignIn
    public var style: OutputStyle
    /// What messages about a statement's line are prefixed with (`check.nwsh:3:`); nil
    /// interactively.
    public var sourceName: String?
    /// Whether the sandbox says where it runs when the session starts (interactive sessions).
    public var announcesSandbox: Bool

    /// The facts about the process a plan depends on.
    public struct Facts: Equatable, Sendable {
        public var environment: [String: String]
        public var stdinIsTerminal: Bool
        public var stdoutIsTerminal: Bool
        public var stderrIsTerminal: Bool
        /// Whether the cassette file (`--record` or `--replay`) exists, once an interrupted
        /// recording of it has been recovered.
        public var cassetteExists: Bool
        /// The cloud the Azure CLI is set to (``AzureCLIConfiguration``), when `az` is on PATH.
        public var azureCLICloud: String?

        public init(
            environment: [String: String], stdinIsTerminal: Bool, stdoutIsTerminal: Bool, stderrIsTerminal: Bool, cassetteExists: Bool,
            azureCLICloud: String? = nil
        ) {
            self.environment = environment
            self.stdinIsTerminal = stdinIsTerminal
            self.stdoutIsTerminal = stdoutIsTerminal
            self.stderrIsTerminal = stderrIsTerminal
            self.cassetteExists = cassetteExists
            self.azureCLICloud = azureCLICloud
        }

        /// Whether the cloud the Azure CLI is set to matters to a run with these options: one on
        /// Azure, naming no cloud, that would borrow the CLI's sign-in. ``Launcher`` reads the
        /// CLI's configuration only then.
        public static func needsAzureCLICloud(_ options: Options, environment: [String: String]) -> Bool {
            options.cloud == nil && (environment["NWSH_CLOUD"] ?? "").isEmpty && !options.sandbox && options.replay == nil
                && CredentialSource.borrowsAzureCLI(environment: environment)
        }
    }

    /// The plan for `options` (already checked by ``Options/parse(_:)``) in these circumstances.
    public init(_ options: Options, facts: Facts) {
        let environment = facts.environment
        let interactive = options.commands == nil && options.file == nil && facts.stdinIsTerminal

        if let file = options.record ?? options.replay {
            let given =
                options.recordMode ?? environment["NWSH_RECORD_MODE"].flatMap(RecordMode.init(rawValue:))
                ?? (options.record != nil ? .all : .none)
            let mode = given.resolved(cassetteExists: facts.cassetteExists)
            cassette = CassettePlan(
                file: file, mode: mode, reads: mode.readsCassette(exists: facts.cassetteExists),
                anonymizedNames: options.anonymize || !options.anonymizeName.isEmpty ? options.anonymizeName : nil)
        } else {
            cassette = nil
        }

        let replaysOnly = cassette?.replaysOnly == true
        // An ARM endpoint that is a cloud's public Resource Manager names that cloud.
        let endpointNamedBy = options.endpoint != nil ? "--endpoint" : "NWSH_ENDPOINT"
        let endpointCloud = (options.endpoint ?? (options.sandbox || replaysOnly ? nil : environment["NWSH_ENDPOINT"]))
            .flatMap { URLComponents(string: $0)?.host?.lowercased() }.flatMap(AzureCloud.owning(resourceManagerHost:))
        if let cloud = options.cloud {
            self.cloud = .chosen(cloud, namedBy: "--cloud")
        } else if cassette?.reads == true {
            // Replayed or added to, a cassette stays in the cloud it was recorded in.
            self.cloud = .recorded
        } else if let name = environment["NWSH_CLOUD"], !name.isEmpty {
            self.cloud = AzureCloud.named(name).map { .chosen($0, namedBy: "NWSH_CLOUD") } ?? .unknown(name, namedBy: "NWSH_CLOUD")
        } else if let endpointCloud {
            self.cloud = .chosen(endpointCloud, namedBy: endpointNamedBy)
        } else if let name = facts.azureCLICloud, Facts.needsAzureCLICloud(options, environment: environment) {
            let namedBy = "the Azure CLI's setting (az cloud set)"
            self.cloud = AzureCloud.named(name).map { .chosen($0, namedBy: namedBy) } ?? .unknown(name, namedBy: namedBy)
        } else {
            self.cloud = .chosen(.azureCloud, namedBy: nil)
        }
        if case .chosen(let chosen, let namedBy?) = self.cloud, let endpointCloud, endpointCloud != chosen, !options.sandbox, !replaysOnly {
            self.cloud = .conflicting(chosen, namedBy: namedBy, endpointCloud: endpointCloud, endpointNamedBy: endpointNamedBy)
        }

        if let cassette, replaysOnly {
            target = .replay(file: cassette.file, endpoint: options.endpoint)
            signIn = .chain([.cassette(file: cassette.file)])
        } else if options.sandbox {
            target = .sandbox(retryAfter: options.sandboxRetryAfter, lab: options.lab)
            signIn = .sandboxPrincipal
        } else {
            target = .endpoint(options.endpoint ?? environment["NWSH_ENDPOINT"])
            signIn = .azure(interactive: interactive)
        }

        if options.rerun, cassette?.reads == true {
            input = .rerun
        } else if let commands = options.commands {
            input = .commands(commands)
        } else if let file = options.file {
            input = .script(path: file)
        } else {
            input = interactive ? .interactive : .piped
        }
        sourceName = options.file ?? (options.commands != nil ? "-c" : options.rerun ? options.replay : interactive ? nil : "stdin")
        style = OutputStyle(
            color: options.color.enabled(isTerminal: facts.stdoutIsTerminal, environment: environment),
            errorColor: options.color.enabled(isTerminal: facts.stderrIsTerminal, environment: environment),
            progress: facts.stderrIsTerminal, verbose: options.verbose)
        announcesSandbox = options.sandbox && interactive
    }
}
