import ARM
import Testing

/// The sentences people read for ARM and sign-in failures that the integration tests do not reach.
@Suite struct ErrorMessageTests {
    static let messages: [(ARMError, String)] = [
        (
            .invalidEndpoint("ftp://x"),
            "The ARM endpoint 'ftp://x' is not a URL of the form https://host[:port]; check --endpoint or NWSH_ENDPOINT."
        ),
        (
            .operationFailed(status: "Failed", code: "Conflict", message: "busy"),
            "The long-running operation ended with status Failed: Conflict: busy."
        ),
        (.pollFailed(status: 404, code: nil, message: nil), "Polling the long-running operation failed with HTTP 404."),
        (
            .tooManyPages(limit: 1000),
            "Stopped after 1000 pages of results; use --no-paging to read the first page only, or narrow the query."
        ),
        (
            .transport(.hostNotFound(host: "x.invalid"), method: "GET"),
            "Cannot resolve the host name x.invalid; check the URL, the endpoint and your DNS or proxy settings."
        ),
        (
            .transport(.connectTimeout(host: "h", seconds: 10), method: "GET"),
            "No connection to h within 10 s; check the network or proxy (HTTPS_PROXY)."
        ),
        (
            .transport(.responseTimeout(url: "https://h/x", seconds: 0.5), method: "GET"),
            "No complete response from https://h/x within 0.5 s; the request may still be running on the server."
        ),
        (
            .transport(.connectionClosed(url: "https://h/x"), method: "GET"),
            "The connection closed before a complete response from https://h/x; retries are used up."
        ),
        (.authentication(.deviceCodeExpired), "The device-code sign-in expired before it was completed; run 'login' again."),
        (
            .authentication(.malformedResponse(source: "service principal", detail: "HTTP 500 without access_token")),
            "Sign-in with service principal returned an unexpected answer: HTTP 500 without access_token"
        ),
    ]

    @Test("each error reads as a sentence that says what to do", arguments: messages)
    func message(error: ARMError, expected: String) {
        #expect(error.description == expected)
    }
}
