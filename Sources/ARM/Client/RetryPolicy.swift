import Foundation

/// When and how long to wait before sending a request again.
///
/// 429 and 5xx responses (including one in the middle of polling, which real Azure produces) and
/// transient transport failures are retried up to ``maximumRetries`` times, waiting what
/// `Retry-After` says or else an exponential backoff capped at ``maximumDelay``.
public struct RetryPolicy: Sendable, Equatable {
    public var maximumRetries: Int
    public var baseDelay: Double
    public var maximumDelay: Double

    public init(maximumRetries: Int = 4, baseDelay: Double = 1, maximumDelay: Double = 30) {
        self.maximumRetries = maximumRetries
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// No retries.
    public static let none = RetryPolicy(maximumRetries: 0)

    /// Whether a response status is worth retrying.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504
    }

    /// The longest wait a `Retry-After` can ask for before a retry: longer asks are cut to this.
    public var longestRetryAfter: Double { maximumDelay * 4 }

    /// The wait before retry number `attempt` (1-based), or nil when retries are used up.
    public func delay(beforeRetry attempt: Int, retryAfter: String?, now: Date = Date()) -> Double? {
        wait(beforeRetry: attempt, retryAfter: retryAfter, now: now)?.seconds
    }

    /// The wait before retry number `attempt` (1-based), and a note when the server's
    /// `Retry-After` was not used as it stands (too long, negative, unreadable); nil when retries
    /// are used up.
    public func wait(beforeRetry attempt: Int, retryAfter: String?, now: Date = Date()) -> (seconds: Double, note: String?)? {
        guard attempt <= maximumRetries else { return nil }
        let backoff = min(baseDelay * pow(2, Double(attempt - 1)), maximumDelay)
        guard let retryAfter else { return (backoff, nil) }
        return Self.wait(retryAfter: retryAfter, otherwise: backoff, longest: longestRetryAfter, purpose: "before a retry", now: now)
    }

    /// The longest wait between polls of a long-running operation that `Retry-After` can ask for.
    public static let longestPollWait: Double = 60

    /// What to wait for a `Retry-After` value: its seconds, at most `longest`; `otherwise` when it
    /// is not a wait (negative, not a number or an HTTP date). The note says what was changed and
    /// why, for the person waiting.
    public static func wait(
        retryAfter: String, otherwise: Double, longest: Double, purpose: String, now: Date = Date()
    ) -> (seconds: Double, note: String?) {
        guard let seconds = parseRetryAfter(retryAfter, now: now) else {
            return (otherwise, "the server's Retry-After '\(retryAfter)' is not a wait nwsh can use; waiting \(format(otherwise))")
        }
        guard seconds <= longest else {
            return (
                longest,
                "the server asked to wait \(format(seconds)) (Retry-After: \(retryAfter)); waiting \(format(longest)), nwsh's longest wait \(purpose)"
            )
        }
        return (seconds, nil)
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && seconds < 1e15 ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }

    /// `Retry-After` as seconds: either a number of seconds or an HTTP date.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: trimmed) { return max(0, date.timeIntervalSince(now)) }
        return nil
    }
}
