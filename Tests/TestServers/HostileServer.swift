import Foundation
import Synchronization

/// A deliberately bad HTTP server on a loopback port, for tests of what nwsh does with answers
/// no real ARM endpoint gives: redirects and long-running-operation URLs to other hosts, huge or
/// truncated bodies, invalid UTF-8, deep nesting, escape sequences, headers followed by silence.
///
/// It speaks just enough HTTP/1.1 by hand (POSIX sockets, a thread a connection) to send any
/// bytes at all, which a real server framework would refuse to. Every request it receives is
/// kept, so a test can assert what was (and was not) sent to it.
public final class HostileServer: Sendable {
    /// A request as received.
    public struct Request: Sendable {
        public var method: String
        /// The request target: path and query.
        public var target: String
        /// The head as sent, request line and header lines.
        public var head: String
        public var body: [UInt8]
    }

    /// What the server does with one request.
    public enum Reply: Sendable {
        /// Sends these bytes (a whole response, head and body, written by the test) and closes.
        case bytes([UInt8])
        /// Sends these bytes, then keeps the connection open and silent until the server stops.
        case bytesThenSilence([UInt8])
        /// Sends a head with this `Content-Length`, then `count` bytes of `byte`, streamed, and
        /// closes (a body larger than anything it claims, or one that stops early).
        case stream(head: String, byte: UInt8, count: Int)
    }

    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let answer: @Sendable (Request) -> Reply
    private let state = Mutex<(requests: [Request], open: Set<Int32>, stopped: Bool)>(([], [], false))

    /// Starts listening; `answer` decides each reply.
    public init(answer: @escaping @Sendable (Request) -> Reply) throws {
        self.answer = answer
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EMFILE) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 64) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Every request received so far, in order.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// Stops listening and closes every open connection.
    /// Idempotent: the listening socket is closed once, so a descriptor number the system has
    /// since given to someone else is never closed by mistake.
    public func stop() {
        let (wasStopped, open) = state.withLock { state -> (Bool, Set<Int32>) in
            defer { state.stopped = true }
            return (state.stopped, state.open)
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for descriptor in open { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.open.insert(connection)
                return true
            }
            guard accepted else {
                close(connection)
                return
            }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer {
            state.withLock { _ = $0.open.remove(connection) }
            close(connection)
        }
        guard let request = read(from: connection) else { return }
        state.withLock { $0.requests.append(request) }
        switch answer(request) {
        case .bytes(let bytes):
            write(bytes, to: connection)
        case .bytesThenSilence(let bytes):
            write(bytes, to: connection)
            while !state.withLock({ $0.stopped }) { usleep(20_000) }
        case .stream(let head, let byte, let count):
            write(Array(head.utf8), to: connection)
            let chunk = [UInt8](repeating: byte, count: 64 * 1024)
            var sent = 0
            while sent < count, !state.withLock({ $0.stopped }) {
                let size = min(chunk.count, count - sent)
                guard write(Array(chunk[..<size]), to: connection) else { return }
                sent += size
            }
        }
    }

    /// Reads one request: the head up to the blank line, then `Content-Length` bytes of body.
    private func read(from connection: Int32) -> Request? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            received += buffer[..<count]
            if received.count >= 4 {
                headEnd = (0...(received.count - 4)).first { Array(received[$0..<$0 + 4]) == separator }
            }
        }
        guard let headEnd else { return nil }
        let head = String(decoding: received[..<headEnd], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ").map(String.init) ?? []
        let length =
            lines.dropFirst().compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        var body = Array(received[(headEnd + 4)...])
        while body.count < length {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            body += buffer[..<count]
        }
        return Request(method: requestLine.first ?? "", target: requestLine.count > 1 ? requestLine[1] : "", head: head, body: body)
    }

    @discardableResult
    private func write(_ bytes: [UInt8], to connection: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// A whole response: status line, `Content-Length`, `Connection: close`, the given headers,
    /// and the body.
    public static func response(_ status: Int, headers: [(String, String)] = [], body: [UInt8] = []) -> [UInt8] {
        var head = "HTTP/1.1 \(status) Status\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// A whole JSON response.
    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> Reply {
        .bytes(response(status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: Array(text.utf8)))
    }
}
