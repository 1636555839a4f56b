import Foundation

/// The "token" of a replayed session: nothing is sent anywhere, so no sign-in is needed, and
/// `login` (and a script's `armclient login`) succeed at once.
public struct ReplayTokenSource: TokenSource {
    public let file: String
    public init(file: String) { self.file = file }
    public var name: String { "the cassette \((file as NSString).lastPathComponent) (replay: no sign-in needed)" }
    public var unavailableReason: String? { nil }
    public func acquire(scope: String) async throws -> AccessToken {
        AccessToken(value: "replay", expiresOn: Date.distantFuture, source: name)
    }
}
