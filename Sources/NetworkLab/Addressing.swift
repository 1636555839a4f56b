/// An IPv4 address, as a number.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address, most significant octet first.
    public var value: UInt32

    /// An address from its number.
    public init(value: UInt32) { self.value = value }

    /// An address in dotted-decimal notation (`10.1.4.4`); nil for anything else (no leading
    /// signs, at most three digits an octet, exactly four octets).
    public init?(_ text: some StringProtocol) {
        var value: UInt32 = 0
        var octets = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.utf8.count <= 3, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let octet = UInt8(part) else {
                return nil
            }
            value = value << 8 | UInt32(octet)
            octets += 1
        }
        guard octets == 4 else { return nil }
        self.value = value
    }

    public var description: String { "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)" }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 prefix (`10.1.0.0/16`; a plain address is a /32), kept as written: `10.1.2.3/16`
/// contains the same addresses as `10.1.0.0/16` but prints as it was given, as Azure echoes it.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    /// The address as written.
    public var address: IPv4Address
    /// The number of leading bits that are fixed, 0 to 32.
    public var length: Int

    /// A prefix from an address and a length (0 to 32).
    public init(address: IPv4Address, length: Int) {
        precondition((0...32).contains(length), "a prefix length is 0 to 32")
        self.address = address
        self.length = length
    }

    /// A prefix in CIDR notation, or a plain address; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPv4Address(parts[0]) else { return nil }
        var length = 32
        if parts.count == 2 {
            guard parts[1].utf8.count <= 2, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let bits = Int(parts[1]),
                bits <= 32
            else { return nil }
            length = bits
        }
        self.init(address: address, length: length)
    }

    /// The ranges Azure does not route to the internet by default: RFC 1918's three and RFC 6598's
    /// shared address space (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default).
    public static let reservedRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map { IPv4Prefix($0)! }

    /// Every address.
    public static let everything = IPv4Prefix(address: IPv4Address(value: 0), length: 0)

    /// The mask of the fixed bits.
    public var mask: UInt32 { length == 0 ? 0 : UInt32.max << (32 - length) }

    /// The first address of the range.
    public var first: IPv4Address { IPv4Address(value: address.value & mask) }

    /// The last address of the range.
    public var last: IPv4Address { IPv4Address(value: address.value | ~mask) }

    /// The same range written from its first address (`10.1.2.3/16` is `10.1.0.0/16`).
    public var normalized: IPv4Prefix { IPv4Prefix(address: first, length: length) }

    /// Whether the address is in the range.
    public func contains(_ other: IPv4Address) -> Bool { other.value & mask == address.value & mask }

    /// Whether every address of the other range is in this one.
    public func contains(_ other: IPv4Prefix) -> Bool { other.length >= length && contains(other.address) }

    /// Whether the two ranges share an address.
    public func overlaps(_ other: IPv4Prefix) -> Bool { contains(other.address) || other.contains(address) }

    public var description: String { "\(address)/\(length)" }
}
