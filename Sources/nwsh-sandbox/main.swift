import ArgumentParser
import CMalloc
import Foundation
import HTTPCore
import Sandbox

/// `nwsh-sandbox`: the ARM emulator on its own, for curl, other tools, or an nwsh started with
/// `--endpoint http://127.0.0.1:PORT` and `AZURE_AUTHORITY_HOST` pointing at it.
@main
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nwsh-sandbox",
        abstract: "Serve nwsh's ARM sandbox (an emulated subscription) over HTTP on loopback.",
        discussion: """
            Its service principal: tenant, client id and secret are printed at start-up. Point nwsh at it with
            NWSH_ENDPOINT=http://127.0.0.1:PORT AZURE_AUTHORITY_HOST=http://127.0.0.1:PORT and those
            AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET, or simply run 'nwsh --sandbox'.
            Faults for testing: POST JSON to /sandbox/faults (see the README).
            """)

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Retry-After seconds on long-running operations.")
    var retryAfter: Int = 1

    @Option(help: "Polls answered 202 before a long-running operation completes.")
    var polls: Int = 2

    @Option(help: "Items per page of a list.")
    var pageSize: Int = 2

    @Option(
        help: ArgumentHelp(
            "Load the lab from FILE instead of the Contoso network: an nwsh cassette, a HAR file, a vcrpy YAML cassette, or JSON with ARM resources.",
            valueName: "FILE"))
    var lab: String?

    @Option(
        help: ArgumentHelp(
            "The Azure cloud to stand in for. Tokens are issued only for its Resource Manager (give nwsh the same --cloud).",
            valueName: "CLOUD"))
    var cloud: AzureCloud = .azureCloud

    func run() async throws {
        // As nwsh does: loading a large lab allocates in bursts (Sources/CMalloc).
        _ = nwsh_tune_malloc()
        var world = try SandboxData.bundled()
        if let lab {
            do {
                let (loaded, report) = try world.with(labAt: lab)
                world = loaded
                FileHandle.standardError.write(Data(report.utf8))
            } catch {
                FileHandle.standardError.write(Data("nwsh-sandbox: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
        }
        let server = try await SandboxServer.start(
            host: host, port: port,
            options: SandboxOptions(
                retryAfter: retryAfter, pollsBeforeDone: polls, pageSize: pageSize, cloud: cloud),
            data: world
        )
        let data = server.arm.data
        let standIn = cloud.isPublic ? "" : ", standing in for \(cloud.displayName)"
        let banner = """
            nwsh-sandbox listening on \(server.baseURL)\(standIn)
            tenant \(data.tenantID), client id \(data.clientID), client secret \(data.clientSecret) (sandbox credentials, not secret)

            """
        FileHandle.standardOutput.write(Data(banner.utf8))
        try await server.wait()
    }
}

/// `--cloud` by the names `az cloud set` takes, in any case.
extension AzureCloud: ExpressibleByArgument {
    public init?(argument: String) {
        guard let cloud = AzureCloud.named(argument) else { return nil }
        self = cloud
    }

    public static var allValueStrings: [String] { all.map(\.name) }
}
