import ARM
import Cassettes
import Foundation
import HTTPCore
import Testing

@testable import Shell

/// What the running call's reporter writes to standard error: server text never drives the
/// terminal, and a wait the server asked for that nwsh did not keep is said.
@Suite struct CallReporterTests {
    static let escape = "\u{1B}[2J\u{1B}]0;owned\u{07}"

    @Test func theOperationsStatusIsShownSafelyOnTheProgressLine() {
        let output = MemoryOutput()
        let reporter = CallReporter(output: output, style: OutputStyle(progress: true), secrets: SecretLedger())
        reporter.begin()
        reporter.handle(.polling(count: 2, elapsed: 1, status: "Running" + Self.escape))
        // nwsh's own sequences (clear the line) only; the server's are shown as text.
        #expect(output.err.hasPrefix("\r\u{1B}[K"))
        #expect(output.err.contains(", 2 polls, status Running\\u001B[2J\\u001B]0;owned\\u0007 (Ctrl-C to stop)"))
        #expect(!output.err.contains(Self.escape))
    }

    @Test func anAdjustedWaitIsSaidWhateverTheStyle() {
        let output = MemoryOutput()
        let reporter = CallReporter(output: output, style: OutputStyle(), secrets: SecretLedger())
        reporter.handle(.waitAdjusted("the server's Retry-After 'x\(Self.escape)' is not a wait nwsh can use; waiting 5 s"))
        #expect(
            output.err == "note: the server's Retry-After 'x\\u001B[2J\\u001B]0;owned\\u0007' is not a wait nwsh can use; waiting 5 s.\n")
    }

    @Test func verboseHeadersAndTheSignedInIdentityAreShownSafely() {
        let output = MemoryOutput()
        let reporter = CallReporter(output: output, style: OutputStyle(verbose: true), secrets: SecretLedger())
        // A JWT whose user name is hostile.
        let claims = Data(#"{"upn": "me\u001b[2J\u001b]0;owned\u0007"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let token = AccessToken(value: "e30.\(claims).sig", expiresOn: Date(), source: "a token")
        reporter.handle(.signedIn(token))
        reporter.handle(
            .received(
                HTTPRequest(method: "GET", url: "http://h/x"), HTTPResponse(status: 200, headers: ["X-Name\u{1B}": "v" + Self.escape]),
                seconds: 0.01))
        #expect(!output.err.contains(Self.escape))
        #expect(output.err.contains("signed in with a token as me\\u001B[2J\\u001B]0;owned\\u0007\n"))
        #expect(output.err.contains("< X-Name\\u001B: v\\u001B[2J\\u001B]0;owned\\u0007\n"))
    }
}
