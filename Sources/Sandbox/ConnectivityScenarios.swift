import JSON

/// Picks the connectivity-check answer for a request from the scenario data: the first scenario
/// whose `match` fits, else the default for the destination's kind with its `${...}` placeholders
/// filled in (`${source.address}`, `${destination.ipConfigurationId}`, `${hopId:NAME}`, ...).
struct ConnectivityScenarios {
    let data: SandboxData
    let resources: [String: JSONValue]

    func answer(request: JSONValue, sourceVM: JSONValue, destinationID: String?, destinationAddress: String?) -> JSONValue {
        for scenario in data.scenarios {
            guard let result = scenario["result"] else { continue }
            // `match` is one set of fields, or a list of sets of which any may fit.
            let alternatives = scenario["match"].map { $0.arrayValue ?? [$0] } ?? []
            if alternatives.contains(where: { alternative in
                alternative.objectValue?.members.allSatisfy { matches(request, path: $0.key, expected: $0.value) } ?? false
            }) {
                return result
            }
        }
        var values: [String: String] = [:]
        let source = primaryIPConfiguration(ofVM: sourceVM)
        values["source.address"] = source.address
        values["source.ipConfigurationId"] = source.id
        let template: JSONValue?
        if let destinationID, let destinationVM = resources[SandboxARM.key(destinationID)] {
            let destination = primaryIPConfiguration(ofVM: destinationVM)
            values["destination.address"] = destination.address
            values["destination.ipConfigurationId"] = destination.id
            template = data.defaults["virtualMachine"]
        } else if let destinationAddress, let configuration = ipConfiguration(withAddress: destinationAddress) {
            // An address of one of the sandbox's network interfaces: the VM behind it.
            values["destination.address"] = destinationAddress
            values["destination.ipConfigurationId"] = configuration
            template = data.defaults["virtualMachine"]
        } else {
            values["destination.address"] = Self.publicAddress(for: destinationAddress ?? "")
            template = data.defaults["address"]
        }
        let seed = JSONFormatter.compact.format(request)
        return fill(template ?? .object(JSONObject()), values: values, seed: seed)
    }

    /// Whether the request's value at a dotted path equals the expected one (strings compare
    /// case-insensitively, as ARM IDs and host names do).
    private func matches(_ request: JSONValue, path: String, expected: JSONValue) -> Bool {
        var value: JSONValue? = request
        for key in path.split(separator: ".") { value = value?[String(key)] }
        guard let value else { return false }
        if let left = value.stringValue, let right = expected.stringValue { return left.lowercased() == right.lowercased() }
        return value == expected
    }

    private func primaryIPConfiguration(ofVM vm: JSONValue) -> (address: String, id: String) {
        guard let nicID = vm["properties"]?["networkProfile"]?["networkInterfaces"]?.arrayValue?.first?["id"]?.stringValue,
            let nic = resources[SandboxARM.key(nicID)],
            let configuration = nic["properties"]?["ipConfigurations"]?.arrayValue?.first
        else {
            return ("10.0.0.4", "Unknown")
        }
        return (configuration["properties"]?["privateIPAddress"]?.stringValue ?? "10.0.0.4", configuration["id"]?.stringValue ?? "Unknown")
    }

    /// The ID of the IP configuration that has this private address, if a network interface has it.
    private func ipConfiguration(withAddress address: String) -> String? {
        for resource in resources.values where resource["type"]?.stringValue?.lowercased() == "microsoft.network/networkinterfaces" {
            for configuration in resource["properties"]?["ipConfigurations"]?.arrayValue ?? []
            where configuration["properties"]?["privateIPAddress"]?.stringValue == address {
                return configuration["id"]?.stringValue
            }
        }
        return nil
    }

    /// The address itself when it is an IPv4 address, else a stable made-up public address for the host.
    static func publicAddress(for destination: String) -> String {
        var host = Substring(destination)
        if let scheme = host.range(of: "://") { host = host[scheme.upperBound...] }
        host = host.prefix { $0 != "/" && $0 != ":" }
        let octets = host.split(separator: ".")
        if octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) { return String(host) }
        var hash: UInt32 = 2166136261
        for byte in host.lowercased().utf8 { hash = (hash ^ UInt32(byte)) &* 16777619 }
        return "20.\(hash >> 16 & 0xFF).\(hash >> 8 & 0xFF).\(max(1, hash & 0xFF))"
    }

    private func fill(_ value: JSONValue, values: [String: String], seed: String) -> JSONValue {
        switch value {
        case .string(let text):
            guard text.contains("${") else { return value }
            var result = ""
            var rest = Substring(text)
            while let start = rest.range(of: "${") {
                result += rest[..<start.lowerBound]
                guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
                let name = String(rest[start.upperBound..<end])
                if name.hasPrefix("hopId:") {
                    result += SandboxARM.uuid(seed: seed + name)
                } else {
                    result += values[name] ?? ""
                }
                rest = rest[rest.index(after: end)...]
            }
            result += rest
            return .string(result)
        case .array(let elements):
            return .array(elements.map { fill($0, values: values, seed: seed) })
        case .object(let object):
            return .object(JSONObject(object.members.map { .init(key: $0.key, value: fill($0.value, values: values, seed: seed)) }))
        default:
            return value
        }
    }
}
