import JSON

/// What the lab knows that ARM does not hold: how names resolve, and what happens inside each
/// guest (its firewall and the ports something listens on). A check needs them to say
/// `DnsResolution` or `GuestFirewall`; the sandbox reads them from its scenario file and from
/// `/sandbox/lab/...` requests (see the README's "The network lab").
public struct LabFacts: Sendable, Equatable {
    /// A public name and what it resolves to.
    public struct Host: Sendable, Equatable {
        public var addresses: [IPv4Address]
        /// The service tags its addresses belong to (`Storage`, `Storage.WestCentralUS`), so a
        /// security rule naming one matches them.
        public var serviceTags: [String]

        public init(addresses: [IPv4Address], serviceTags: [String] = []) {
            self.addresses = addresses
            self.serviceTags = serviceTags
        }
    }

    /// Inside a virtual machine.
    public struct Guest: Sendable, Equatable {
        /// The ports something listens on; nil is every port (the lab's default).
        public var listeningPorts: Set<Int>?
        /// Inbound ports the guest's own firewall blocks.
        public var firewallBlockedPorts: Set<Int>

        public init(listeningPorts: Set<Int>? = nil, firewallBlockedPorts: Set<Int> = []) {
            self.listeningPorts = listeningPorts
            self.firewallBlockedPorts = firewallBlockedPorts
        }
    }

    /// Public names by lower-cased name.
    public var hosts: [String: Host]
    /// Guests by the lower-cased ID of their VM.
    public var guests: [String: Guest]

    public init(hosts: [String: Host] = [:], guests: [String: Guest] = [:]) {
        self.hosts = hosts
        self.guests = guests
    }

    /// Reads `{"hosts": {"bing.com": {"addresses": [...], "serviceTags": [...]}}, "guests": {VM-ID: {...}}}`.
    public init(json: JSONValue) throws(LabFactsError) {
        self.init()
        for member in json["hosts"]?.objectValue?.members ?? [] {
            hosts[member.key.lowercased()] = try Self.host(member.value, name: member.key)
        }
        for member in json["guests"]?.objectValue?.members ?? [] {
            guests[LabNetwork.key(member.key)] = try Self.guest(member.value, name: member.key)
        }
    }

    /// A host entry from JSON.
    public static func host(_ json: JSONValue, name: String) throws(LabFactsError) -> Host {
        let texts = json["addresses"]?.arrayValue ?? []
        var addresses: [IPv4Address] = []
        for text in texts {
            guard let address = text.stringValue.flatMap(IPv4Address.init) else {
                throw LabFactsError(what: "host \(name)", problem: "'addresses' must list IPv4 addresses")
            }
            addresses.append(address)
        }
        guard !addresses.isEmpty else { throw LabFactsError(what: "host \(name)", problem: "'addresses' must list at least one address") }
        return Host(addresses: addresses, serviceTags: (json["serviceTags"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    /// A guest entry from JSON: `{"listeningPorts": [80, 443] or "*", "firewallBlockedPorts": [...]}`.
    public static func guest(_ json: JSONValue, name: String) throws(LabFactsError) -> Guest {
        func ports(_ field: String) throws(LabFactsError) -> Set<Int>? {
            guard let value = json[field], value != .string("*") else { return nil }
            var result = Set<Int>()
            for element in value.arrayValue ?? [.null] {
                guard let port = element.numberValue?.intValue, (0...65535).contains(port) else {
                    throw LabFactsError(what: "guest \(name)", problem: "'\(field)' must be \"*\" or a list of ports from 0 to 65535")
                }
                result.insert(port)
            }
            return result
        }
        return Guest(listeningPorts: try ports("listeningPorts"), firewallBlockedPorts: try ports("firewallBlockedPorts") ?? [])
    }

    /// The name a destination names: `http://bing.com/x` and `bing.com:80` are `bing.com`.
    public static func hostName(_ destination: String) -> Substring {
        var host = Substring(destination)
        if let scheme = host.firstRange(of: "://") { host = host[scheme.upperBound...] }
        return host.prefix { $0 != "/" && $0 != ":" && $0 != "?" }
    }

    /// The service tags an address belongs to, from the hosts table.
    public func serviceTags(of address: IPv4Address) -> [String] {
        hosts.values.filter { $0.addresses.contains(address) }.flatMap(\.serviceTags)
    }
}

/// An entry of the lab's facts that cannot be read.
public struct LabFactsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was being read (`host bing.com`).
    public var what: String
    /// What is wrong with it.
    public var problem: String

    public var description: String { "The lab's \(what) cannot be read: \(problem)." }
}
