/// Waits between polls and retries. Injected so tests (and replays) never sleep for real.
public protocol Sleeper: Sendable {
    /// Waits `seconds`, throwing `CancellationError` when the task is cancelled (Ctrl-C).
    func sleep(seconds: Double) async throws
}

/// Does not wait at all: a replay answers polls and retries at once, whatever `Retry-After` says.
public struct ImmediateSleeper: Sleeper {
    public init() {}
    public func sleep(seconds: Double) async throws { try Task.checkCancellation() }
}

/// Sleeps on the continuous clock.
public struct RealSleeper: Sleeper {
    public init() {}
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
    }
}
