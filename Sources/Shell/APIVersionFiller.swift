import ARM
import ARMPaths
import Foundation
import HTTPCore
import JSON
import ShellLanguage
import Synchronization

/// Fills in the `api-version` of a URL written without one (a version in the URL always wins):
/// the fixed version of ARM's own APIs for `/subscriptions`, resource groups, providers and the
/// like; for a resource type, the newest stable version its provider's metadata lists
/// (``ProviderVersions``), read once per session, kept in the ``ProviderCache`` for a day, a child
/// type falling back to its parent's list. When ARM refuses the chosen version and lists the ones
/// it takes, the call is retried once with the newest stable one listed, which the session then
/// keeps for that type.
///
/// While a cassette is recorded the metadata is asked over the wire once in the recording, never
/// taken from the cache, so the cassette holds it and replays anywhere; a replay never reads or
/// writes the cache.
final class APIVersionFiller: Sendable {
    /// A version chosen for a call: the target with it, and why, for `-v`.
    struct Choice: Sendable, Equatable {
        var target: String
        var version: String
        var why: String
        /// The provider type it was chosen for (`microsoft.network/virtualnetworks`), for a retry;
        /// nil for a fixed version.
        var type: String?
        /// The versions the provider lists for that type: a retry takes only one of these.
        var listed: [String] = []
    }

    private struct State {
        /// Provider metadata read in this session, by `subscription|namespace`.
        var providers: [String: ProviderVersions] = [:]
        /// Versions that worked after ARM refused the chosen one, by provider type.
        var corrected: [String: String] = [:]
        /// The recording the metadata was read in (nil: none): a new recording asks again, and
        /// forgets the corrected versions, so what it records replays as it was chosen.
        var recording: ObjectIdentifier?
    }

    private let state = Mutex(State())
    private let cache: ProviderCache?
    private let endpoint: String
    /// The recorder in use now, if any.
    private let recording: @Sendable () -> ObjectIdentifier?

    init(endpoint: String, cache: ProviderCache?, recording: @escaping @Sendable () -> ObjectIdentifier? = { nil }) {
        self.endpoint = endpoint
        self.cache = cache
        self.recording = recording
    }

    /// Whether a target names an `api-version` in its query.
    static func hasVersion(_ target: String) -> Bool {
        guard let query = ARMPath.splitQuery(target).query else { return false }
        return query.split(separator: "&").contains { $0.prefix { $0 != "=" }.lowercased() == "api-version" }
    }

    /// The target with `version` added to its query.
    static func adding(_ version: String, to target: String) -> String {
        target + (target.contains("?") ? "&" : "?") + "api-version=" + version
    }

    /// The path of a target, a path or an absolute URL.
    static func path(of target: String) -> ARMPath? {
        if ARMPath.isAbsolute(target) { return ARMPath(target) }
        guard let scheme = target.range(of: "://") else { return nil }
        // Among the Unicode scalars, as ARMPath reads paths.
        let afterHost = target[scheme.upperBound...].unicodeScalars.drop { $0 != "/" && $0 != "?" }
        let text = String(String.UnicodeScalarView(afterHost))
        return ARMPath(afterHost.first == "/" ? text : "/" + text)
    }

    /// The version for a target without one, asking the provider's metadata through `client` when
    /// needed; nil when the target has one, or is not a path nwsh can place (it is sent as written).
    func choose(for target: String, client: ARMClient) async throws -> Choice? {
        guard !Self.hasVersion(target), let path = Self.path(of: target) else { return nil }
        switch APIVersionChoice.choose(for: path) {
        case .unknown:
            return nil
        case .fixed(let version, let api):
            return Choice(target: Self.adding(version, to: target), version: version, why: "the version of \(api)", type: nil)
        case .provider(let namespace, let types, let subscription):
            let (provider, source) = try await metadata(namespace: namespace, subscription: subscription, client: client)
            guard let chosen = provider.choose(types: types) else {
                let listed = provider.types.keys.filter { !$0.contains("/") }.sorted()
                throw ShellError.apiVersion(
                    .typeNotListed(
                        namespace: namespace, type: types.joined(separator: "/"),
                        suggestion: Suggestion.closest(to: types[0], in: listed)))
            }
            let key = "\(namespace)/\(chosen.type)".lowercased()
            if let corrected = state.withLock({ $0.corrected[key] }) {
                return Choice(
                    target: Self.adding(corrected, to: target), version: corrected,
                    why: "the version ARM took for \(namespace)/\(chosen.type) earlier in this session", type: key,
                    listed: provider.types[chosen.type] ?? [])
            }
            let kind = chosen.stable ? "the newest stable version" : "the newest version (it lists no stable one)"
            let asked = types.joined(separator: "/")
            let parent = chosen.type.lowercased() == asked.lowercased() ? "" : ", the nearest listed parent of \(asked)"
            return Choice(
                target: Self.adding(chosen.version, to: target), version: chosen.version,
                why: "\(kind) \(provider.namespace) lists for \(chosen.type)\(parent) (\(source))", type: key,
                listed: provider.types[chosen.type] ?? [])
        }
    }

    /// The target to send again after ARM refused a chosen version, and why; nil when the
    /// response is not such a refusal or lists no other version the provider lists for the type
    /// (`InvalidApiVersionParameter` can list ARM's own resources API's versions, which a
    /// provider's type does not take).
    func retry(after response: HTTPResponse, of choice: Choice, target: String) -> Choice? {
        guard let type = choice.type, response.status == 400 || response.status == 404,
            let envelope = ARMErrorEnvelope(body: response.body), let code = envelope.code,
            APIVersionChoice.refusalCodes.contains(code.lowercased())
        else { return nil }
        let listed = APIVersionChoice.supportedVersions(inMessage: envelope.message ?? "").filter {
            $0 != choice.version && choice.listed.contains($0)
        }
        guard let newest = APIVersionChoice.newest(of: listed) else { return nil }
        return Choice(
            target: Self.adding(newest.version, to: target), version: newest.version,
            why:
                "ARM refused \(choice.version) (\(code)); \(newest.version) is the newest \(newest.stable ? "stable " : "")version it lists",
            type: type, listed: choice.listed)
    }

    /// Keeps a version that ARM took after a refusal, for the type's next requests this session.
    func remember(_ choice: Choice) {
        guard let type = choice.type else { return }
        state.withLock { $0.corrected[type] = choice.version }
    }

    /// The provider metadata for a path's type (for Tab's `api-version=` values); nil for a path
    /// whose version is not read from a provider.
    func provider(for path: ARMPath, client: ARMClient) async throws -> ProviderVersions? {
        guard case .provider(let namespace, _, let subscription) = APIVersionChoice.choose(for: path) else { return nil }
        return try await provider(namespace: namespace, subscription: subscription, client: client)
    }

    /// A provider's metadata (`cd` into a namespace asks it to know the namespace exists, and the
    /// versions of its types are then known).
    func provider(namespace: String, subscription: String?, client: ARMClient) async throws -> ProviderVersions {
        try await metadata(namespace: namespace, subscription: subscription, client: client).0
    }

    /// A provider's metadata: from this session, else the cache (not while recording), else ARM.
    private func metadata(
        namespace: String, subscription: String?, client: ARMClient
    ) async throws -> (ProviderVersions, String) {
        let key = "\(subscription ?? "")|\(namespace.lowercased())"
        let recorder = recording()
        let known = state.withLock { state -> (ProviderVersions, String)? in
            if state.recording != recorder {
                state.providers = [:]
                state.corrected = [:]
                state.recording = recorder
            }
            return state.providers[key].map { ($0, "read earlier in this session") }
        }
        if let known { return known }
        let now = Date()
        if recorder == nil, let cache,
            let (provider, fetched) = cache.read(endpoint: endpoint, subscription: subscription, namespace: namespace),
            now.timeIntervalSince(fetched) < ProviderCache.lifetime, now >= fetched
        {
            let hours = Int(now.timeIntervalSince(fetched) / 3600)
            let source = "from the cache, read \(hours == 0 ? "less than an hour" : counted(hours, "hour")) ago"
            state.withLock { $0.providers[key] = provider }
            return (provider, source)
        }
        let metadataPath = (subscription.map { "/subscriptions/\($0)" } ?? "") + "/providers/\(namespace)"
        let call = ARMCall(method: "GET", target: "\(metadataPath)?api-version=\(APIVersionChoice.resourcesVersion)")
        let result = try await client.perform(call)
        guard result.response.isSuccess, let json = result.body, let provider = ProviderVersions(json: json) else {
            let envelope = ARMErrorEnvelope(body: result.response.body)
            throw ShellError.apiVersion(
                .metadataFailed(
                    namespace: namespace, url: result.url, status: result.response.status, code: envelope?.code,
                    message: envelope?.message))
        }
        if recorder == nil { cache?.write(endpoint: endpoint, subscription: subscription, provider: provider, fetched: now) }
        state.withLock { $0.providers[key] = provider }
        return (provider, "read now from its metadata")
    }
}

/// Why no api-version could be chosen for a URL written without one.
public enum APIVersionProblem: Sendable, Equatable {
    /// The provider's metadata could not be read.
    case metadataFailed(namespace: String, url: String, status: Int, code: String?, message: String?)
    /// The provider lists neither the type nor a parent type of it.
    case typeNotListed(namespace: String, type: String, suggestion: String?)
}
