/// The check a result came from: its watcher and request. With it, `explain` suggests
/// `ipFlowVerify` and `nextHop` for the same source, destination and port.
public struct CheckContext: Sendable, Equatable {
    /// The network watcher's resource ID.
    public var watcher: String
    public var request: CheckRequest

    public init(watcher: String, request: CheckRequest) {
        self.watcher = watcher
        self.request = request
    }

    /// The watcher a POST to `.../networkWatchers/W/connectivityCheck` (absolute URL or path)
    /// goes to; nil for any other URL, so other requests' bodies are never looked at.
    public static func watcher(ofCheckURL url: String) -> String? {
        // ARM paths are ASCII; compare them byte by byte, ignoring case.
        let path = Array(url.utf8.prefix { $0 != UInt8(ascii: "?") })
        let lowered = path.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        let suffix = Array("/connectivitycheck".utf8)
        let marker = Array("/subscriptions/".utf8)
        guard lowered.count > suffix.count, Array(lowered.suffix(suffix.count)) == suffix,
            let start = lowered.indices.first(where: { lowered[$0...].starts(with: marker) })
        else { return nil }
        return String(decoding: path[start..<(path.count - suffix.count)], as: UTF8.self)
    }

    /// The destination as an IP address: the one asked for when it is one, else the address of
    /// the hop the path ends at.
    func destinationAddress(in result: ConnectivityResult) -> String? {
        if case .address(let address) = request.destination, Self.isIPAddress(address) { return address }
        let ends = result.hops.filter { $0.nextHopIds.isEmpty }
        return (ends.last ?? result.hops.last)?.address.flatMap { Self.isIPAddress($0) ? $0 : nil }
    }

    static func isIPAddress(_ text: String) -> Bool {
        !text.isEmpty
            && (text.allSatisfy { $0.isNumber || $0 == "." }
                || (text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }))
    }
}
