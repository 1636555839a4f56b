import Foundation
import HTTPCore
import JSON

/// Why an ARM call could not be completed. ``description`` turns each case into the sentence shown.
public enum ARMError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidEndpoint(String)
    case invalidURL(String, reason: String)
    case foreignHost(host: String, endpoint: String)
    /// A URL written for another Azure cloud's Resource Manager than the session's.
    case otherCloud(host: String, cloud: AzureCloud, sessionCloud: AzureCloud)
    /// A URL the server sent (a poll URL, a `nextLink`) names another host than the endpoint; `what`
    /// says where it came from ("its Location header").
    case serverPointedElsewhere(what: String, url: String, endpoint: String)
    /// The server answered a redirect (3xx with `Location`) on its own host; nwsh does not follow.
    case redirected(method: String, status: Int, url: String, location: String)
    case transport(TransportError, method: String)
    case authentication(AuthError)
    /// The long-running operation reported `Failed` or `Canceled`.
    case operationFailed(status: String, code: String?, message: String?)
    /// A poll of a long-running operation answered an error status.
    case pollFailed(status: Int, code: String?, message: String?)
    case pollingTimedOut(url: String, seconds: Double, polls: Int)
    case tooManyPages(limit: Int)

    public var description: String {
        switch self {
        case .invalidEndpoint(let text):
            return "The ARM endpoint '\(text)' is not a URL of the form https://host[:port]; check --endpoint or NWSH_ENDPOINT."
        case .invalidURL(let url, let reason):
            return "Cannot send a request to '\(TerminalText.sanitized(url))': \(reason)."
        case .foreignHost(let host, let endpoint):
            return
                "Refusing to send a request to \(host): nwsh sends requests (and your token) only to its ARM endpoint \(endpoint). Use a path such as /subscriptions/..., or start nwsh with --endpoint."
        case .otherCloud(let host, let cloud, let sessionCloud):
            return
                "Refusing to send a request to \(host): it is the Resource Manager of \(cloud.displayName) (\(cloud.name)), and this session is for \(sessionCloud.displayName) (\(sessionCloud.name)). Start nwsh with --cloud \(cloud.name) to work there."
        case .serverPointedElsewhere(let what, let url, let endpoint):
            return
                "The server pointed nwsh at \(TerminalText.sanitized(url)) (\(what)), which is not its ARM endpoint \(endpoint): nothing was sent there, and your token stayed here. An endpoint that is a proxy or an emulator must answer with URLs on its own host."
        case .redirected(let method, let status, let url, let location):
            return
                "The server answered \(method) \(TerminalText.sanitized(url)) with a redirect (HTTP \(status)) to \(TerminalText.sanitized(location)); ARM does not redirect, so nwsh does not follow: nothing more was sent. Check the URL and --endpoint."
        case .transport(let error, let method):
            switch error {
            case .connectionRefused(let host, let port):
                return "Connection refused by \(host):\(port) (\(method)); is the endpoint right and the server running?"
            case .hostNotFound(let host):
                return "Cannot resolve the host name \(host); check the URL, the endpoint and your DNS or proxy settings."
            case .connectTimeout(let host, let seconds):
                return "No connection to \(host) within \(Self.seconds(seconds)); check the network or proxy (HTTPS_PROXY)."
            case .responseTimeout(let url, let seconds):
                return
                    "No complete response from \(TerminalText.sanitized(url)) within \(Self.seconds(seconds)); the request may still be running on the server."
            case .connectionClosed(let url):
                return "The connection closed before a complete response from \(TerminalText.sanitized(url)); retries are used up."
            case .bodyTooLarge(let url, let limit):
                return
                    "The response from \(TerminalText.sanitized(url)) is larger than \(limit / (1024 * 1024)) MiB, nwsh's limit for one response; ARM pages long lists (nextLink), so an answer this large is not one ARM gives."
            case .tls(let host, let detail):
                return "TLS with \(host) failed: \(TerminalText.sanitized(detail))"
            case .invalidURL(let url):
                return "Cannot send a request to '\(TerminalText.sanitized(url))': it is not a valid URL."
            case .other(let url, let detail):
                return "The request to \(TerminalText.sanitized(url)) failed: \(TerminalText.sanitized(detail))"
            }
        case .authentication(let error):
            return error.description
        case .operationFailed(let status, let code, let message):
            return "The long-running operation ended with status \(status)" + Self.detail(code: code, message: message) + "."
        case .pollFailed(let status, let code, let message):
            return "Polling the long-running operation failed with HTTP \(status)" + Self.detail(code: code, message: message) + "."
        case .pollingTimedOut(let url, let seconds, let polls):
            return
                "The long-running operation did not finish within \(Self.seconds(seconds)) (\(polls) polls of \(TerminalText.sanitized(url))); run 'get' on that URL later to see its result."
        case .tooManyPages(let limit):
            return "Stopped after \(limit) pages of results; use --no-paging to read the first page only, or narrow the query."
        }
    }

    private static func detail(code: String?, message: String?) -> String {
        switch (code, message) {
        case (let code?, let message?): ": \(TerminalText.sanitized(code)): \(TerminalText.sanitized(message))"
        case (let code?, nil): ": \(TerminalText.sanitized(code))"
        case (nil, let message?): ": \(TerminalText.sanitized(message))"
        case (nil, nil): ""
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
