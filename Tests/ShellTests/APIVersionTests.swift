import ARM
import Foundation
import JSON
import Sandbox
import Shell
import Testing

/// URLs written without an `api-version`: the version filled in (fixed for ARM's own APIs, else
/// from the provider's metadata, read once per session), a refused version retried once, and the
/// metadata kept in the cache between sessions. Against the sandbox, which serves provider
/// metadata as ARM does.
@Suite struct APIVersionTests {
    static let subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"
    static let vnet = "\(subscription)/resourceGroups/ContosoRG/providers/Microsoft.Network/virtualNetworks/ContosoVNet"
    static let metadata = "GET \(subscription)/providers/Microsoft.Network"

    /// The notes `-v` writes, without the request and response lines.
    static func notes(_ fixture: SessionFixture) -> [String] {
        fixture.output.err.components(separatedBy: "\n").filter { $0.hasPrefix("api-version ") }
    }

    @Test("a URL without api-version gets one: fixed for ARM's own paths, the provider's newest stable for a type, read once")
    func versionsAreFilledIn() async throws {
        let fixture = try await SessionFixture.start(style: OutputStyle(verbose: true))
        let script = """
            get \(Self.subscription)/resourceGroups
            get \(Self.vnet)/subnets/multitierapp0-subnet
            $v = get https://management.azure.com\(Self.vnet)
            $v.name
            get \(Self.vnet)?api-version=2023-09-01
            """
        #expect(await fixture.run(script) == .success, "\(fixture.output.err)")
        #expect(
            Self.notes(fixture) == [
                "api-version 2021-04-01: the version of the resources API",
                "api-version 2024-05-01: the newest stable version Microsoft.Network lists for virtualNetworks, the nearest listed parent of virtualNetworks/subnets (read now from its metadata)",
                "api-version 2024-05-01: the newest stable version Microsoft.Network lists for virtualNetworks (read earlier in this session)",
            ])
        let err = fixture.output.err
        #expect(err.contains("> GET http://sandbox.localhost\(Self.vnet)/subnets/multitierapp0-subnet?api-version=2024-05-01\n"))
        #expect(err.contains("> GET http://sandbox.localhost\(Self.vnet)?api-version=2023-09-01\n"), "a version in the URL wins")
        #expect(fixture.output.out.contains("ContosoVNet\n"))
        #expect(await fixture.server.arm.log.filter { $0 == Self.metadata }.count == 1)
    }

    @Test("a type the provider does not list: said, with the closest type it lists")
    func anUnlistedTypeIsExplained() async throws {
        let fixture = try await SessionFixture.start()
        let typo = Self.vnet.replacingOccurrences(of: "virtualNetworks", with: "virtualNetwork")
        #expect(await fixture.run("get \(typo)") == .failure)
        #expect(
            fixture.output.err
                == "error: Cannot choose an api-version: Microsoft.Network lists no resource type 'virtualNetwork', nor a parent type of it. Did you mean 'virtualNetworks'? Check the path, or write the version in the URL: ?api-version=YYYY-MM-DD.\n"
        )
        #expect(
            await fixture.run("get \(Self.subscription)/resourceGroups/ContosoRG/providers/Microsoft.Storage/storageAccounts/x") == .failure
        )
        #expect(
            fixture.output.err.hasSuffix(
                "error: Cannot choose an api-version for this Microsoft.Storage resource: its provider's metadata (GET http://sandbox.localhost\(Self.subscription)/providers/Microsoft.Storage?api-version=2021-04-01) answered HTTP 404 Not Found (InvalidResourceNamespace: The resource namespace 'Microsoft.Storage' is invalid.). Write the version in the URL: ?api-version=YYYY-MM-DD.\n"
            ), "\(fixture.output.err)")
    }

    @Test("a URL on another host is refused before any metadata is asked")
    func anotherHostAsksNothing() async throws {
        let fixture = try await SessionFixture.start()
        #expect(await fixture.run("get https://example.com\(Self.vnet)") == .failure)
        #expect(fixture.output.err.hasPrefix("error: Refusing to send a request to example.com: "), "\(fixture.output.err)")
        #expect(await fixture.server.arm.log.filter { !$0.contains("/oauth2/") } == [])
    }

    @Test("a version ARM refuses is retried once with the newest stable one it lists, and kept; one written in the URL is not")
    func aRefusedVersionIsRetried() async throws {
        let fixture = try await SessionFixture.start(style: OutputStyle(verbose: true))
        await fixture.server.arm.inject(
            Fault(
                .refuseAPIVersion(supported: ["2023-09-01", "2024-02-01-preview", "2022-11-01"]), pathContains: "/virtualNetworks/",
                count: 10))
        #expect(await fixture.run("get \(Self.vnet)\nget \(Self.vnet)/subnets/multitierapp0-subnet") == .success, "\(fixture.output.err)")
        #expect(
            Self.notes(fixture) == [
                "api-version 2024-05-01: the newest stable version Microsoft.Network lists for virtualNetworks (read now from its metadata)",
                "api-version 2023-09-01: ARM refused 2024-05-01 (NoRegisteredProviderFound); 2023-09-01 is the newest stable version it lists; sending again",
                "api-version 2023-09-01: the version ARM took for Microsoft.Network/virtualNetworks earlier in this session",
            ])
        #expect(await fixture.server.arm.log.filter { $0.hasPrefix("GET \(Self.vnet)") }.count == 3)
        #expect(await fixture.run("get \(Self.vnet)?api-version=2024-05-01") == .failure)
        #expect(fixture.output.err.contains("NoRegisteredProviderFound"))
        #expect(await fixture.server.arm.log.filter { $0.hasPrefix("GET \(Self.vnet)") }.count == 4)
    }

    @Test("a retry takes only a version the provider lists for the type, and is kept only once ARM took it")
    func retriesAreCareful() async throws {
        let fixture = try await SessionFixture.start(style: OutputStyle(verbose: true))
        // ARM's own resources API's versions, as InvalidApiVersionParameter can list them: none is
        // one Microsoft.Network lists, so there is no retry.
        await fixture.server.arm.inject(
            Fault(.refuseAPIVersion(supported: ["2021-04-01", "2020-01-01"]), pathContains: "/virtualNetworks/"))
        #expect(await fixture.run("get \(Self.vnet)") == .failure)
        #expect(fixture.output.err.contains("NoRegisteredProviderFound"))
        #expect(!fixture.output.err.contains("sending again"))
        // A retry that fails too is not kept: the next request chooses as before.
        await fixture.server.arm.inject(Fault(.refuseAPIVersion(supported: ["2023-09-01"]), pathContains: "/virtualNetworks/"))
        await fixture.server.arm.inject(Fault(.status(409, retryAfter: nil), pathContains: "/virtualNetworks/"))
        #expect(await fixture.run("get \(Self.vnet)") == .failure)
        #expect(await fixture.run("get \(Self.vnet)") == .success)
        let notes = Self.notes(fixture)
        #expect(
            notes.last
                == "api-version 2024-05-01: the newest stable version Microsoft.Network lists for virtualNetworks (read earlier in this session)"
        )
        #expect(
            notes.contains(
                "api-version 2023-09-01: ARM refused 2024-05-01 (NoRegisteredProviderFound); 2023-09-01 is the newest stable version it lists; sending again"
            ))
    }

    @Test("the provider metadata cache: written, used by the next session, asked again after a day or while recording")
    func theCacheIsWrittenReusedAndRenewed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["XDG_CACHE_HOME": directory]
        func session(recording: RecordingContext? = nil) async throws -> SessionFixture {
            let fixture = try await SessionFixture.start(
                style: OutputStyle(verbose: true), target: .azure, environment: environment, recording: recording)
            #expect(await fixture.run("get \(Self.vnet)") == .success, "\(fixture.output.err)")
            return fixture
        }
        let file = "\(directory)/nwsh/providers-sandbox.localhost-00000000-0000-0000-0000-000000000000.json"

        let first = try await session()
        #expect(await first.server.arm.log.contains(Self.metadata))
        let written = try JSONParser.parse(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let network = written["providers"]?["microsoft.network"]
        #expect(network?["types"]?["virtualNetworks"]?.arrayValue?.first == .string("2024-05-01"))

        let second = try await session()
        #expect(await !second.server.arm.log.contains(Self.metadata))
        #expect(
            Self.notes(second) == [
                "api-version 2024-05-01: the newest stable version Microsoft.Network lists for virtualNetworks (from the cache, read less than an hour ago)"
            ])

        // A day and a minute old: asked again, and written again.
        guard case .object(var stale)? = network, case .object(var document) = written, case .object(var providers)? = document["providers"]
        else { throw CacheFileError.unexpectedShape }
        stale["fetched"] = .number(JSONNumber(Date().timeIntervalSince1970 - 86_460))
        providers["microsoft.network"] = .object(stale)
        document["providers"] = .object(providers)
        try Data(JSONFormatter().bytes(.object(document))).write(to: URL(fileURLWithPath: file))
        let third = try await session()
        #expect(await third.server.arm.log.contains(Self.metadata))
        let renewed = try JSONParser.parse(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        let fetched = renewed["providers"]?["microsoft.network"]?["fetched"]?.numberValue?.doubleValue ?? 0
        #expect(Date().timeIntervalSince1970 - fetched < 60)

        // While recording, the metadata is asked over the wire, so the cassette holds it.
        let recording = RecordingContext(source: "sandbox", endpointBase: "http://sandbox.localhost") { _ in }
        try recording.start(file: "\(directory)/session.cassette.json")
        let recorded = try await session(recording: recording)
        #expect(await recorded.server.arm.log.contains(Self.metadata))
    }

    enum CacheFileError: Error { case unexpectedShape }
}
