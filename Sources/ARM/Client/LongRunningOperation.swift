import HTTPCore
import JSON

/// The polling of one ARM long-running operation, as a value-type state machine.
///
/// The caller sends the initial request, hands the response to ``start(method:requestURL:response:)``,
/// then performs each ``Action`` and feeds back the response, until ``Action/finished(_:)`` or
/// ``Action/failed(_:)``. No I/O or clock lives here, which is what lets tests and replays run
/// polls with virtual time.
///
/// It follows ARM's async-operation guidance: `Azure-AsyncOperation` is preferred over `Location`;
/// an `Azure-AsyncOperation` body reports `status` (`Succeeded`, `Failed`, `Canceled`, or still
/// running); after success, a POST's result is read from `Location` and a PUT/PATCH's from the
/// resource itself. A `Location` poll is done when it stops answering 202.
public struct LongRunningOperation: Sendable {
    /// What to do next.
    public enum Action: Sendable, Equatable {
        /// Wait `after` seconds, then GET `url` and pass the response to ``next(after:)``. `note`
        /// says when the server's `Retry-After` was not used as it stands (capped at
        /// ``RetryPolicy/longestPollWait``, or unusable).
        case poll(url: String, after: Double, note: String? = nil)
        /// The operation is over; this is its final response.
        case finished(HTTPResponse)
        /// The operation ended badly.
        case failed(Failure)
    }

    /// How an operation failed.
    public enum Failure: Sendable, Equatable {
        /// The operation reported `Failed` or `Canceled`; the body has ARM's error.
        case operationFailed(status: String, body: HTTPResponse)
        /// A poll answered with an error status.
        case pollFailed(HTTPResponse)
    }

    private enum Phase: Sendable {
        case asyncOperation(url: String)
        case location(url: String)
        case finalGet
    }

    private let method: String
    private let requestURL: String
    private var phase: Phase
    private let location: String?
    private let defaultDelay: Double
    /// Number of polls sent so far.
    public private(set) var polls = 0

    /// Starts tracking an operation; returns nil when the response is not a long-running one
    /// (no 201/202 with `Azure-AsyncOperation` or `Location`, and no 200 to a PUT or PATCH with
    /// `Azure-AsyncOperation` and a `provisioningState` still running, which is how Azure's
    /// network provider answers the update of a resource).
    public static func start(
        method: String, requestURL: String, response: HTTPResponse, defaultDelay: Double = 5
    ) -> (LongRunningOperation, Action)? {
        let asyncURL = response.headers["Azure-AsyncOperation"]
        let updating =
            response.status == 200 && asyncURL != nil && ["PUT", "PATCH"].contains(method.uppercased())
            && !isTerminal(provisioningState(response))
        guard response.status == 201 || response.status == 202 || updating else { return nil }
        let location = response.headers["Location"]
        let phase: Phase
        if let asyncURL {
            phase = .asyncOperation(url: asyncURL)
        } else if let location, response.status == 202 {
            phase = .location(url: location)
        } else {
            return nil
        }
        var operation = LongRunningOperation(
            method: method.uppercased(), requestURL: requestURL, phase: phase, location: location, defaultDelay: defaultDelay)
        let action = operation.pollAction(url: asyncURL ?? location ?? requestURL, response: response)
        return (operation, action)
    }

    private init(method: String, requestURL: String, phase: Phase, location: String?, defaultDelay: Double) {
        self.method = method
        self.requestURL = requestURL
        self.phase = phase
        self.location = location
        self.defaultDelay = defaultDelay
    }

    private mutating func pollAction(url: String, response: HTTPResponse) -> Action {
        polls += 1
        guard let retryAfter = response.headers["Retry-After"] else { return .poll(url: url, after: defaultDelay) }
        let wait = RetryPolicy.wait(
            retryAfter: retryAfter, otherwise: defaultDelay, longest: RetryPolicy.longestPollWait, purpose: "between polls")
        return .poll(url: url, after: wait.seconds, note: wait.note)
    }

    /// The next action, given the response to the last poll.
    public mutating func next(after response: HTTPResponse) -> Action {
        switch phase {
        case .asyncOperation(let url):
            guard response.isSuccess else { return .failed(.pollFailed(response)) }
            let status = Self.operationStatus(response)
            switch status?.lowercased() {
            case "succeeded":
                switch method {
                case "POST":
                    guard let location else { return .finished(response) }
                    phase = .finalGet
                    polls += 1
                    return .poll(url: location, after: 0)
                case "PUT", "PATCH":
                    phase = .finalGet
                    polls += 1
                    return .poll(url: requestURL, after: 0)
                default:
                    return .finished(response)
                }
            case "failed", "canceled", "cancelled":
                return .failed(.operationFailed(status: status ?? "Failed", body: response))
            default:
                return pollAction(url: url, response: response)
            }
        case .location(let url):
            if response.status == 202 { return pollAction(url: response.headers["Location"] ?? url, response: response) }
            guard response.isSuccess else { return .failed(.pollFailed(response)) }
            return .finished(response)
        case .finalGet:
            guard response.isSuccess else { return .failed(.pollFailed(response)) }
            return .finished(response)
        }
    }

    /// The `properties.provisioningState` of a resource body.
    static func provisioningState(_ response: HTTPResponse) -> String? {
        guard let json = try? JSONParser.parse(bytes: response.body) else { return nil }
        return json["properties"]?["provisioningState"]?.stringValue
    }

    /// Whether a provisioning state is final (none at all counts as final).
    static func isTerminal(_ state: String?) -> Bool {
        guard let state else { return true }
        return ["succeeded", "failed", "canceled", "cancelled"].contains(state.lowercased())
    }

    /// The `status` member of an operation-status body (case-insensitive member name).
    static func operationStatus(_ response: HTTPResponse) -> String? {
        guard let json = try? JSONParser.parse(bytes: response.body) else { return nil }
        return json["status"]?.stringValue
    }
}
