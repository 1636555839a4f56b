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

    /// The wait before retry number `attempt` (1-based), or nil when retries are used up.
    public func delay(beforeRetry attempt: Int, retryAfter: String?, now: Date = Date()) -> Double? {
        guard attempt <= maximumRetries else { return nil }
        if let retryAfter, let seconds = Self.parseRetryAfter(retryAfter, now: now) {
            return min(seconds, maximumDelay * 4)
        }
        return min(baseDelay * pow(2, Double(attempt - 1)), maximumDelay)
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
