import Foundation
import HTTPCore
import Testing

@testable import ARM

@Suite struct LongRunningOperationTests {
    private func response(_ status: Int, _ headers: HTTPHeaders = [:], _ body: String = "") -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    @Test func azureAsyncOperationIsPreferredAndAPostReadsItsResultFromLocation() {
        guard
            var (operation, action) = LongRunningOperation.start(
                method: "POST", requestURL: "https://h/x",
                response: response(202, ["Azure-AsyncOperation": "https://h/op", "Location": "https://h/result", "Retry-After": "3"]))
        else {
            Issue.record("not an operation")
            return
        }
        #expect(action == .poll(url: "https://h/op", after: 3))
        action = operation.next(after: response(200, [:], #"{"status": "InProgress"}"#))
        #expect(action == .poll(url: "https://h/op", after: 5))
        action = operation.next(after: response(200, [:], #"{"status": "Succeeded"}"#))
        #expect(action == .poll(url: "https://h/result", after: 0))
        let final = response(200, [:], #"{"hops": []}"#)
        #expect(operation.next(after: final) == .finished(final))
    }

    @Test func aPutReadsTheResourceAfterSuccess() {
        guard
            var (operation, _) = LongRunningOperation.start(
                method: "PUT", requestURL: "https://h/r", response: response(201, ["Azure-AsyncOperation": "https://h/op"]))
        else {
            Issue.record("not an operation")
            return
        }
        #expect(operation.next(after: response(200, [:], #"{"status": "Succeeded"}"#)) == .poll(url: "https://h/r", after: 0))
    }

    @Test func aFailedOperationEndsWithItsError() {
        guard
            var (operation, _) = LongRunningOperation.start(
                method: "DELETE", requestURL: "https://h/r", response: response(202, ["Azure-AsyncOperation": "https://h/op"]))
        else {
            Issue.record("not an operation")
            return
        }
        let failed = response(200, [:], #"{"status": "Failed", "error": {"code": "Conflict", "message": "busy"}}"#)
        #expect(operation.next(after: failed) == .failed(.operationFailed(status: "Failed", body: failed)))
    }

    @Test func locationPollingEndsWhenTheAnswerIsNot202() {
        guard
            let (start, action) = LongRunningOperation.start(
                method: "POST", requestURL: "https://h/x", response: response(202, ["Location": "https://h/l", "Retry-After": "10"]))
        else {
            Issue.record("not an operation")
            return
        }
        #expect(action == .poll(url: "https://h/l", after: 10))
        var operation = start
        #expect(operation.next(after: response(202, ["Retry-After": "2"])) == .poll(url: "https://h/l", after: 2))
        let done = response(200, [:], "{}")
        #expect(operation.next(after: done) == .finished(done))
        #expect(operation.polls == 2)
    }

    /// Azure's network provider answers the update of a resource 200, `Updating`, with
    /// `Azure-AsyncOperation`; a 200 that is already `Succeeded`, or to a POST, is the answer.
    @Test func aPutAnswered200WhileUpdatingIsAnOperation() {
        let updating = response(200, ["Azure-AsyncOperation": "https://h/op"], #"{"properties": {"provisioningState": "Updating"}}"#)
        guard var (operation, action) = LongRunningOperation.start(method: "PUT", requestURL: "https://h/r", response: updating) else {
            Issue.record("not an operation")
            return
        }
        #expect(action == .poll(url: "https://h/op", after: 5))
        #expect(operation.next(after: response(200, [:], #"{"status": "Succeeded"}"#)) == .poll(url: "https://h/r", after: 0))
        let done = response(200, ["Azure-AsyncOperation": "https://h/op"], #"{"properties": {"provisioningState": "Succeeded"}}"#)
        #expect(LongRunningOperation.start(method: "PUT", requestURL: "u", response: done) == nil)
        #expect(LongRunningOperation.start(method: "POST", requestURL: "u", response: updating) == nil)
    }

    @Test func a200OrA202WithoutHeadersIsNotAnOperation() {
        #expect(LongRunningOperation.start(method: "POST", requestURL: "u", response: response(200)) == nil)
        #expect(LongRunningOperation.start(method: "POST", requestURL: "u", response: response(202)) == nil)
    }
}

@Suite struct RetryPolicyTests {
    @Test func retryAfterIsSecondsOrAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_496_435_000)
        #expect(RetryPolicy.parseRetryAfter("10") == 10)
        #expect(RetryPolicy.parseRetryAfter("Fri, 02 Jun 2017 20:23:40 GMT", now: now) == 20)
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }

    @Test func backoffDoublesUpToTheCapAndStops() {
        let policy = RetryPolicy(maximumRetries: 6, baseDelay: 1, maximumDelay: 10)
        #expect((1...7).map { policy.delay(beforeRetry: $0, retryAfter: nil) } == [1, 2, 4, 8, 10, 10, nil])
        #expect(policy.delay(beforeRetry: 1, retryAfter: "3") == 3)
    }
}

@Suite struct EndpointTests {
    @Test func publicARMURLsAndPathsGoToTheEndpoint() throws {
        let endpoint = try Endpoint("http://127.0.0.1:8080")
        #expect(try endpoint.resolve("/subscriptions/s?api-version=1") == "http://127.0.0.1:8080/subscriptions/s?api-version=1")
        #expect(try endpoint.resolve("https://MANAGEMENT.azure.com/subscriptions/s?x=1") == "http://127.0.0.1:8080/subscriptions/s?x=1")
        #expect(try endpoint.resolve("http://127.0.0.1:8080/a") == "http://127.0.0.1:8080/a")
    }

    @Test func badTargetsAreExplained() throws {
        let endpoint = try Endpoint(AzureCloud.azureCloud.resourceManager)
        #expect(
            throws: ARMError.invalidURL(
                "/a b", reason: "it contains white space at character 3 (did a variable expand to text with spaces?)")
        ) {
            try endpoint.resolve("/a b")
        }
        #expect(
            throws: ARMError.invalidURL("subscriptions/x", reason: "it is neither an absolute URL (https://...) nor a path starting with /")
        ) {
            try endpoint.resolve("subscriptions/x")
        }
        #expect(throws: ARMError.invalidEndpoint("ftp://x")) { try Endpoint("ftp://x") }
    }
}

@Suite struct ProxySettingsTests {
    @Test func noProxyExcludesHostsAndDomains() {
        let settings = ProxySettings(environment: [
            "HTTPS_PROXY": "http://user:pw@proxy.local:3128", "NO_PROXY": "localhost, .internal.example,127.0.0.1",
        ])
        #expect(settings.proxy(forScheme: "https", host: "management.azure.com")?.host == "proxy.local")
        #expect(settings.proxy(forScheme: "https", host: "management.azure.com")?.port == 3128)
        #expect(settings.proxy(forScheme: "https", host: "management.azure.com")?.username == "user")
        #expect(settings.proxy(forScheme: "https", host: "a.internal.example") == nil)
        #expect(settings.proxy(forScheme: "https", host: "127.0.0.1") == nil)
        #expect(settings.proxy(forScheme: "http", host: "management.azure.com") == nil)
    }
}

@Suite struct RequestIDTests {
    @Test func requestIDsAreDistinctVersion4UUIDs() {
        let ids = (0..<200).map { _ in ARMClient.newRequestID() }
        #expect(Set(ids).count == 200)
        for id in ids {
            #expect(id.wholeMatch(of: #/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/#) != nil, "\(id)")
        }
    }
}

@Suite struct URLAuthorityTests {
    /// The hand-written reader must agree with Foundation's URLComponents wherever it answers.
    @Test(arguments: [
        "https://management.azure.com/subscriptions/s?api-version=1",
        "https://MANAGEMENT.Azure.com/subscriptions/s",
        "HTTP://127.0.0.1:8080/a?b=c#d",
        "http://127.0.0.1:8080",
        "https://h:443?x=1",
        "https://h:/path",
        "https://user@h/path",
        "https://[::1]:8080/path",
        "https://h:99999/path",
        "https://h:8x/path",
        "https://h/{id}",
        "https://h/a b",
        "https:///path",
        "1https://h/",
        "https://h%41/path",
    ])
    func theAuthorityIsReadAsFoundationReadsIt(url: String) {
        let expected = URLComponents(string: url).flatMap { components -> (String, String, Int?)? in
            guard let host = components.host?.lowercased(), let scheme = components.scheme else { return nil }
            return (scheme, host, components.port)
        }
        let found = Endpoint.authority(of: url)
        #expect(found?.scheme.lowercased() == expected?.0.lowercased(), "\(url)")
        #expect(found?.host == expected?.1, "\(url)")
        #expect(found?.port == expected?.2, "\(url)")
    }
}

/// The sandbox reads headers as ARM's front door does, whichever way a request reaches it: in
/// order, repeated ones kept, looked up ignoring case (the first of a repeated header counts).
@Suite struct SandboxHeaderTests {
    @Test(arguments: [false, true])
    func aRepeatedHeaderIsKeptAndTheFirstCounts(overHTTP: Bool) async throws {
        let fixture = try await SandboxFixture.start(overHTTP: overHTTP)
        var headers: HTTPHeaders = ["x-ms-correlation-request-id": "first"]
        headers.add("X-MS-Correlation-Request-Id", "second")
        let response = try await fixture.transport.send(
            HTTPRequest(method: "GET", url: fixture.server.baseURL + "/subscriptions?api-version=2022-12-01", headers: headers))
        #expect(response.status == 401)
        #expect(response.headers["x-ms-correlation-request-id"] == "first")
        #expect(response.headers.fields.filter { $0.name.lowercased() == "x-ms-request-id" }.count == 1)
        await fixture.server.stop()
    }
}
