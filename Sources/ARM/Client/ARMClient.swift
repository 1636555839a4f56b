import Foundation
import HTTPCore
import JSON

/// One call as a user asked for it: `post URL body -h "k: v" --no-wait`.
public struct ARMCall: Sendable {
    public var method: String
    /// A path or absolute URL, as written (resolved by ``Endpoint/resolve(_:)``).
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Poll long-running operations to completion (`--no-wait` turns it off).
    public var waitForCompletion: Bool
    /// Follow `nextLink` and merge the pages' `value` arrays (`--no-paging` turns it off).
    public var followPages: Bool

    public init(
        method: String, target: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil, waitForCompletion: Bool = true,
        followPages: Bool = true
    ) {
        self.method = method.uppercased()
        self.target = target
        self.headers = headers
        self.body = body
        self.waitForCompletion = waitForCompletion
        self.followPages = followPages
    }
}

/// What a call produced.
public struct ARMResult: Sendable {
    /// The final response (after polling), whose status decides success.
    public var response: HTTPResponse
    /// The final body as JSON, with pages merged; nil for an empty or non-JSON body.
    public var body: JSONValue?
    /// The first response, when it started a long-running operation.
    public var accepted: HTTPResponse?
    /// How many polls the operation took.
    public var polls: Int
    /// How many pages were read.
    public var pages: Int
    /// The absolute URL that was requested.
    public var url: String
}

/// Something that happened during a call, for `-v` output and progress.
public enum ARMEvent: Sendable {
    case sending(HTTPRequest)
    case received(HTTPRequest, HTTPResponse, seconds: Double)
    case retrying(reason: String, after: Double, attempt: Int, of: Int)
    case polling(count: Int, elapsed: Double, status: String?)
    case page(number: Int)
    case signedIn(AccessToken)
    /// A wait the server asked for (`Retry-After`) was changed: capped, or replaced because it
    /// was not a wait; the text says how, for the person waiting.
    case waitAdjusted(String)
}

/// Settings for an ``ARMClient``.
public struct ARMConfiguration: Sendable {
    public var endpoint: Endpoint
    public var retry: RetryPolicy
    /// Poll interval when a response has no `Retry-After`.
    public var defaultPollDelay: Double
    /// Longest total wait for a long-running operation, in (possibly virtual) seconds.
    public var maximumPollTime: Double
    /// Most polls of one long-running operation: a server that answers `Retry-After: 0` forever
    /// would otherwise never reach ``maximumPollTime``.
    public var maximumPolls: Int
    public var maximumPages: Int
    public var userAgent: String

    public init(
        endpoint: Endpoint, retry: RetryPolicy = RetryPolicy(), defaultPollDelay: Double = 5,
        maximumPollTime: Double = 1800, maximumPolls: Int = 1800, maximumPages: Int = 1000, userAgent: String = NWSHVersion.userAgent
    ) {
        self.endpoint = endpoint
        self.retry = retry
        self.defaultPollDelay = defaultPollDelay
        self.maximumPollTime = maximumPollTime
        self.maximumPolls = maximumPolls
        self.maximumPages = maximumPages
        self.userAgent = userAgent
    }
}

/// Sends ARM calls: authentication, retries, long-running-operation polling and paging.
public struct ARMClient: Sendable {
    public let configuration: ARMConfiguration
    public let transport: HTTPTransport
    public let credentials: Credentials
    private let sleeper: Sleeper
    private let observe: @Sendable (ARMEvent) -> Void

    public init(
        configuration: ARMConfiguration, transport: HTTPTransport, credentials: Credentials,
        sleeper: Sleeper = RealSleeper(), observe: @escaping @Sendable (ARMEvent) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.transport = transport
        self.credentials = credentials
        self.sleeper = sleeper
        self.observe = observe
    }

    /// Performs a call to completion.
    public func perform(_ call: ARMCall) async throws -> ARMResult {
        let url = try configuration.endpoint.resolve(call.target)
        var headers = call.headers
        if call.body != nil, !headers.contains("Content-Type") { headers.add("Content-Type", "application/json") }
        let first = try await send(HTTPRequest(method: call.method, url: url, headers: headers, body: call.body))

        if call.waitForCompletion,
            let (operation, action) = LongRunningOperation.start(
                method: call.method, requestURL: url, response: first, defaultDelay: configuration.defaultPollDelay)
        {
            let (final, polls) = try await poll(operation, action: action, accepted: first)
            return ARMResult(response: final, body: Self.json(final.body), accepted: first, polls: polls, pages: 1, url: url)
        }
        if call.method == "GET", call.followPages, first.isSuccess {
            return try await readPages(first: first, url: url)
        }
        return ARMResult(response: first, body: Self.json(first.body), accepted: nil, polls: 0, pages: 1, url: url)
    }

    /// Performs the operation's actions until it ends; returns the final response and the number of polls.
    private func poll(
        _ start: LongRunningOperation, action: LongRunningOperation.Action, accepted: HTTPResponse
    ) async throws -> (HTTPResponse, Int) {
        var operation = start
        var action = action
        var waited = 0.0
        while true {
            switch action {
            case .finished(let response):
                return (response, operation.polls)
            case .failed(.operationFailed(let status, let body)):
                let envelope = ARMErrorEnvelope(body: body.body)
                throw ARMError.operationFailed(status: status, code: envelope?.code, message: envelope?.message)
            case .failed(.pollFailed(let response)):
                let envelope = ARMErrorEnvelope(body: response.body)
                throw ARMError.pollFailed(status: response.status, code: envelope?.code, message: envelope?.message)
            case .poll(let pollURL, let delay, let note):
                if let note { observe(.waitAdjusted(note)) }
                if waited + delay > configuration.maximumPollTime || operation.polls > configuration.maximumPolls {
                    throw ARMError.pollingTimedOut(url: pollURL, seconds: configuration.maximumPollTime, polls: operation.polls - 1)
                }
                try await sleeper.sleep(seconds: delay)
                waited += delay
                let header = ["Azure-AsyncOperation", "Location"].first { accepted.headers[$0] == pollURL }
                let target = try resolve(
                    serverURL: pollURL, from: header.map { "its \($0) header" } ?? "a long-running operation's poll URL")
                let response = try await send(HTTPRequest(method: "GET", url: target))
                observe(.polling(count: operation.polls, elapsed: waited, status: LongRunningOperation.operationStatus(response)))
                action = operation.next(after: response)
            }
        }
    }

    /// A URL the server sent: ARM's own host maps to the endpoint like user URLs do; another host
    /// is refused, saying the server (not the user) named it.
    private func resolve(serverURL url: String, from what: String) throws(ARMError) -> String {
        do {
            return try configuration.endpoint.resolve(url)
        } catch {
            // Another cloud's Resource Manager keeps its own sentence, which names the --cloud to use.
            if case .foreignHost = error { throw .serverPointedElsewhere(what: what, url: url, endpoint: configuration.endpoint.baseURL) }
            throw error
        }
    }

    private func readPages(first: HTTPResponse, url: String) async throws -> ARMResult {
        guard var body = Self.json(first.body), case .object(var object) = body,
            case .array(var values)? = object["value"], var next = object["nextLink"]?.stringValue, !next.isEmpty
        else {
            return ARMResult(response: first, body: Self.json(first.body), accepted: nil, polls: 0, pages: 1, url: url)
        }
        var pages = 1
        var last = first
        while !next.isEmpty {
            guard pages < configuration.maximumPages else { throw ARMError.tooManyPages(limit: configuration.maximumPages) }
            pages += 1
            observe(.page(number: pages))
            let response = try await send(
                HTTPRequest(method: "GET", url: try resolve(serverURL: next, from: "the nextLink of page \(pages - 1)")))
            last = response
            guard response.isSuccess else {
                return ARMResult(response: response, body: Self.json(response.body), accepted: nil, polls: 0, pages: pages, url: url)
            }
            guard let page = Self.json(response.body), case .array(let more)? = page["value"] else { break }
            values.append(contentsOf: more)
            next = page["nextLink"]?.stringValue ?? ""
        }
        object["value"] = .array(values)
        object["nextLink"] = nil
        body = .object(object)
        return ARMResult(response: last, body: body, accepted: nil, polls: 0, pages: pages, url: url)
    }

    /// A random (version 4) UUID in lowercase, for `x-ms-client-request-id`. Foundation's `UUID()`
    /// opens /dev/urandom on every call on Linux; the system generator needs no file.
    static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        // 128 random bits with the version (4) and variant (10) bits set.
        let high = generator.next() & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        let low = generator.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for nibble in 0..<32 {
            if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 { text.append(UInt8(ascii: "-")) }
            let word = nibble < 16 ? high : low
            text.append(digits[Int(word >> UInt64(60 - 4 * (nibble % 16)) & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Sends one request with auth and standard headers, retrying 429, 5xx and transient failures.
    public func send(_ base: HTTPRequest) async throws -> HTTPResponse {
        var attempt = 0
        while true {
            try Task.checkCancellation()
            var request = base
            request.headers.replace("x-ms-client-request-id", Self.newRequestID())
            if !request.headers.contains("Accept") { request.headers.add("Accept", "application/json") }
            request.headers.replace("User-Agent", configuration.userAgent)
            if configuration.endpoint.accepts(request.url) {
                let token: AccessToken
                do {
                    let hadToken = await credentials.current != nil
                    token = try await credentials.token()
                    if !hadToken { observe(.signedIn(token)) }
                } catch let error as AuthError {
                    throw ARMError.authentication(error)
                }
                request.headers.replace("Authorization", "Bearer \(token.value)")
            }
            observe(.sending(request))
            let started = ContinuousClock.now
            let reason: String
            var retryAfter: String?
            do {
                let response = try await transport.send(request)
                observe(.received(request, response, seconds: (ContinuousClock.now - started).inSeconds))
                try refuseRedirect(response, to: request)
                guard RetryPolicy.isRetryable(status: response.status) else { return response }
                reason = "HTTP \(response.status)"
                retryAfter = response.headers["Retry-After"]
                attempt += 1
                guard let wait = configuration.retry.wait(beforeRetry: attempt, retryAfter: retryAfter) else { return response }
                if let note = wait.note { observe(.waitAdjusted(note)) }
                observe(.retrying(reason: reason, after: wait.seconds, attempt: attempt, of: configuration.retry.maximumRetries))
                try await sleeper.sleep(seconds: wait.seconds)
            } catch let error as TransportError {
                attempt += 1
                guard error.isTransient, let delay = configuration.retry.delay(beforeRetry: attempt, retryAfter: nil) else {
                    throw ARMError.transport(error, method: request.method)
                }
                observe(
                    .retrying(
                        reason: ARMError.transport(error, method: request.method).description, after: delay, attempt: attempt,
                        of: configuration.retry.maximumRetries))
                try await sleeper.sleep(seconds: delay)
            }
        }
    }

    /// ARM does not redirect, so nwsh follows no redirect: one to another host is the server
    /// pointing elsewhere (the token must not follow), one on the endpoint is said as such.
    private func refuseRedirect(_ response: HTTPResponse, to request: HTTPRequest) throws(ARMError) {
        guard (300..<400).contains(response.status), let location = response.headers["Location"] else { return }
        let target = try resolve(serverURL: location, from: "a redirect, HTTP \(response.status)")
        throw .redirected(method: request.method, status: response.status, url: request.url, location: target)
    }

    static func json(_ body: [UInt8]) -> JSONValue? {
        guard !body.isEmpty else { return nil }
        return try? JSONParser.parse(bytes: body)
    }
}
