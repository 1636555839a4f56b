import Foundation
import HTTPCore

/// The session's token: acquired from the first source that works, cached, and acquired again
/// shortly before it expires.
public actor Credentials {
    /// Tokens are refreshed this many seconds before they expire.
    public static let refreshMargin: Double = 300

    private let sources: [TokenSource]
    private let scope: String
    private let now: @Sendable () -> Date
    private var cached: AccessToken?
    private var cachedSourceIndex: Int?

    /// The public cloud's ARM scope (`https://management.azure.com/.default`).
    public static let armScope = AzureCloud.azureCloud.resourceManagerScope

    /// Credentials asking `sources` in order for tokens with `scope` (the session's cloud's
    /// ``AzureCloud/resourceManagerScope``).
    public init(sources: [TokenSource], scope: String = armScope, now: @escaping @Sendable () -> Date = Date.init) {
        self.sources = sources
        self.scope = scope
        self.now = now
    }

    /// The current token, if one was acquired and has not expired.
    public var current: AccessToken? {
        guard let cached, cached.expiresOn > now() else { return nil }
        return cached
    }

    /// A valid token: the cached one, or a new one when it is missing or about to expire.
    public func token() async throws -> AccessToken {
        if let cached, cached.expiresOn.timeIntervalSince(now()) > Self.refreshMargin { return cached }
        return try await login()
    }

    /// Acquires a new token from the first source that works (the previous source first, when refreshing).
    @discardableResult
    public func login() async throws -> AccessToken {
        var tried: [String] = []
        var order = Array(sources.indices)
        if let index = cachedSourceIndex {
            order.removeAll { $0 == index }
            order.insert(index, at: 0)
        }
        for index in order {
            let source = sources[index]
            if let reason = source.unavailableReason {
                tried.append(reason)
                continue
            }
            do {
                let token = try await source.acquire(scope: scope)
                cached = token
                cachedSourceIndex = index
                return token
            } catch let error as AuthError {
                // A source that is configured but refuses is reported as it is: falling through to
                // another identity would be surprising.
                throw error
            }
        }
        throw AuthError.noCredentials(tried: tried)
    }

    /// Forgets the cached token (after a 401, or `logout`).
    public func reset() {
        cached = nil
    }
}
