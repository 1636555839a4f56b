import JSON

/// Network Watcher's answers, as its REST API returns them, worked out from a ``LabNetwork``:
/// `connectivityCheck`, `ipFlowVerify`, `nextHop`, `networkConfigurationDiagnostic` on a watcher,
/// `effectiveNetworkSecurityGroups` and `effectiveRouteTable` on a network interface. Requests are
/// read as ARM reads them (member names ignoring case); a request that cannot be answered throws
/// ARM's error. Pure: JSON in, JSON out.
public struct NetworkWatcherAnswers: Sendable {
    public let network: LabNetwork

    public init(network: LabNetwork) { self.network = network }

    // MARK: connectivityCheck

    /// `POST .../networkWatchers/W/connectivityCheck`. A destination port of 0 or none is the
    /// protocol's usual one: 443 for `Https` or an `https://` address, else 80 (the page's first
    /// example asks port 0 and is blocked by a port-80 rule). Probes and latency are the lab's,
    /// not measured: 100 probes; when reachable, an average of one millisecond a hop.
    public func connectivityCheck(_ request: JSONValue) throws(LabRefusal) -> JSONValue {
        let question = try Self.connectivityQuestion(request)
        let path = try network.walk(question)
        let seed = JSONFormatter.compact.format(request)
        let ids = path.hops.indices.map { LabIdentifier.uuid(seed: "hop-\($0)-\(path.hops[$0].resourceID)-\(seed)") }
        let hops: [JSONValue] = path.hops.enumerated().map { index, hop in
            .object(
                JSONObject([
                    "type": .string(hop.type),
                    "id": .string(ids[index]),
                    "address": .string(hop.address),
                    "resourceId": .string(hop.resourceID),
                    "nextHopIds": .array(index + 1 < ids.count ? [.string(ids[index + 1])] : []),
                    "issues": .array(
                        hop.issues.map { issue in
                            .object(
                                JSONObject([
                                    "origin": .string(issue.origin),
                                    "severity": .string("Error"),
                                    "type": .string(issue.type),
                                    "context": .array(
                                        issue.context.map { .object(JSONObject(["key": .string($0.key), "value": .string($0.value)])) }),
                                ]))
                        }),
                ]))
        }
        var result = JSONObject(["hops": .array(hops), "connectionStatus": .string(path.reachable ? "Reachable" : "Unreachable")])
        if path.reachable {
            let links = max(1, path.hops.count - 1)
            result["avgLatencyInMs"] = .number(JSONNumber(links))
            result["minLatencyInMs"] = .number(JSONNumber(0))
            result["maxLatencyInMs"] = .number(JSONNumber(7 * links))
        }
        result["probesSent"] = .number(JSONNumber(100))
        result["probesFailed"] = .number(JSONNumber(path.reachable ? 0 : 100))
        return .object(result)
    }

    static func connectivityQuestion(_ request: JSONValue) throws(LabRefusal) -> ConnectivityQuestion {
        guard let source = request["source"]?["resourceId"]?.stringValue, !source.isEmpty else {
            throw LabRefusal(status: 400, code: "InvalidRequestFormat", message: "Source resource ID is missing in the request.")
        }
        let destination: ConnectivityQuestion.Destination
        var secure = false
        if let id = request["destination"]?["resourceId"]?.stringValue, !id.isEmpty {
            destination = .virtualMachine(id)
        } else if let address = request["destination"]?["address"]?.stringValue, !address.isEmpty {
            destination = .address(address)
            secure = address.lowercased().hasPrefix("https://")
        } else {
            throw LabRefusal(
                status: 400, code: "InvalidRequestFormat", message: "Destination address or resource ID is missing in the request.")
        }
        if let given = request["protocol"], given.stringValue == nil, given != .null {
            throw LabRefusal(
                status: 400, code: "InvalidRequestFormat",
                message: "'protocol' must be Tcp, Http, Https or Icmp, not \(given.kindDescription).")
        }
        let protocolName = request["protocol"]?.stringValue?.lowercased() ?? "tcp"
        let transport: FlowProtocol
        switch protocolName {
        case "tcp": transport = .tcp
        case "http": transport = .tcp
        case "https":
            transport = .tcp
            secure = true
        case "icmp": transport = .icmp
        default:
            throw LabRefusal(
                status: 400, code: "InvalidRequestFormat",
                message: "'protocol' must be Tcp, Http, Https or Icmp, not '\(request["protocol"]?.stringValue ?? "")'.")
        }
        let sourcePort = try Self.port(request["source"]?["port"], "source.port")
        var destinationPort = try Self.port(request["destination"]?["port"], "destination.port")
        if transport == .icmp {
            destinationPort = nil
        } else if destinationPort == nil || destinationPort == 0 {
            destinationPort = secure ? 443 : 80
        }
        return ConnectivityQuestion(
            source: source, sourcePort: sourcePort == 0 ? nil : sourcePort, destination: destination, destinationPort: destinationPort,
            transport: transport)
    }

    // MARK: ipFlowVerify, nextHop

    /// `POST .../networkWatchers/W/ipFlowVerify`: whether the security rules allow a flow to or
    /// from a VM, and which rule decides (`securityRules/NAME` or `defaultSecurityRules/NAME`).
    public func ipFlowVerify(_ request: JSONValue) throws(LabRefusal) -> JSONValue {
        let vmID = try Self.field(request, "targetResourceId")
        let direction: SecurityRule.Direction =
            try Self.oneOf(request, "direction", ["Inbound", "Outbound"]) == "Inbound" ? .inbound : .outbound
        let transport: FlowProtocol = try Self.oneOf(request, "protocol", ["TCP", "UDP"]) == "TCP" ? .tcp : .udp
        let local = try Self.address(request, "localIPAddress")
        let remote = try Self.address(request, "remoteIPAddress")
        let localPort = try Self.port(request["localPort"], "localPort", star: true)
        let remotePort = try Self.port(request["remotePort"], "remotePort", star: true)
        let (nic, configuration) = try interface(ofVM: vmID, address: local, explicit: request["targetNicResourceId"]?.stringValue)
        let outbound = direction == .outbound
        let flow = Flow(
            direction: direction, transport: transport, source: outbound ? local : remote, sourcePort: outbound ? localPort : remotePort,
            destination: outbound ? remote : local, destinationPort: outbound ? remotePort : localPort)
        let verdict = network.evaluate(flow, at: nic, configuration: configuration)
        // No group at all: Azure lets the flow through and names no rule.
        guard let deciding = verdict.deciding else { return .object(JSONObject(["access": .string("Allow")])) }
        return .object(JSONObject(["access": .string(deciding.rule.access), "ruleName": .string(deciding.rule.qualifiedName)]))
    }

    /// `POST .../networkWatchers/W/nextHop`: where a packet from the VM to a destination goes
    /// (`routeTableId` is the route table's ID for a user route, else `System Route`).
    public func nextHop(_ request: JSONValue) throws(LabRefusal) -> JSONValue {
        let vmID = try Self.field(request, "targetResourceId")
        let source = try Self.address(request, "sourceIPAddress")
        let destination = try Self.address(request, "destinationIPAddress")
        let (_, configuration) = try interface(ofVM: vmID, address: source, explicit: request["targetNicResourceId"]?.stringValue)
        let route = configuration.subnet.flatMap { network.route(to: destination, fromSubnet: $0) }
        var answer = JSONObject()
        answer["nextHopType"] = .string(route?.nextHopType ?? "None")
        if let hop = route?.nextHopAddress { answer["nextHopIpAddress"] = .string(hop.description) }
        answer["routeTableId"] = .string(route?.routeTable ?? "System Route")
        return .object(answer)
    }

    // MARK: networkConfigurationDiagnostic

    /// `POST .../networkWatchers/W/networkConfigurationDiagnostic`: for each profile (a flow), how
    /// each security group on the target decides it: the matched rule, and every rule looked at
    /// with which of its fields matched. The target is a VM (its primary interface) or an interface.
    public func networkConfigurationDiagnostic(_ request: JSONValue) throws(LabRefusal) -> JSONValue {
        let targetID = try Self.field(request, "targetResourceId")
        let (nic, configuration) = try interface(of: targetID)
        guard let profiles = request["profiles"]?.arrayValue, !profiles.isEmpty else {
            throw LabRefusal(
                status: 400, code: "InvalidRequestFormat", message: "The request needs 'profiles', a list of flows to diagnose.")
        }
        var results: [JSONValue] = []
        for profile in profiles {
            let direction: SecurityRule.Direction =
                try Self.oneOf(profile, "direction", ["Inbound", "Outbound"]) == "Inbound" ? .inbound : .outbound
            let protocolName = try Self.oneOf(profile, "protocol", ["TCP", "UDP", "ICMP", "*"])
            let transport: FlowProtocol = protocolName == "UDP" ? .udp : protocolName == "ICMP" ? .icmp : .tcp
            let ownAddress = configuration.address ?? IPv4Address(value: 0)
            let source = try Self.address(profile, "source", orStar: direction == .outbound ? ownAddress : nil)
            let destination = try Self.address(profile, "destination", orStar: direction == .inbound ? ownAddress : nil)
            let flow = Flow(
                direction: direction, transport: transport, source: source, sourcePort: nil, destination: destination,
                destinationPort: try Self.port(profile["destinationPort"], "destinationPort", star: true))
            let verdict = network.evaluate(flow, at: nic, configuration: configuration)
            let groups: [JSONValue] = verdict.decisions.map { decision in
                let appliedTo: String
                switch decision.attachment {
                case .subnet(let id): appliedTo = id
                case .networkInterface(let id): appliedTo = id
                }
                return .object(
                    JSONObject([
                        "networkSecurityGroupId": .string(decision.group.id),
                        "appliedTo": .string(appliedTo),
                        "matchedRule": .object(
                            JSONObject(["ruleName": .string(decision.rule.effectiveName), "action": .string(decision.rule.access)])),
                        "rulesEvaluationResult": .array(
                            decision.evaluated.map { rule, match in
                                .object(
                                    JSONObject([
                                        "name": .string(rule.effectiveName),
                                        "protocolMatched": .bool(match.protocolMatched),
                                        "sourceMatched": .bool(match.sourceMatched),
                                        "sourcePortMatched": .bool(match.sourcePortMatched),
                                        "destinationMatched": .bool(match.destinationMatched),
                                        "destinationPortMatched": .bool(match.destinationPortMatched),
                                    ]))
                            }),
                    ]))
            }
            results.append(
                .object(
                    JSONObject([
                        "profile": profile,
                        "networkSecurityGroupResult": .object(
                            JSONObject([
                                "securityRuleAccessResult": .string(verdict.allows ? "Allow" : "Deny"),
                                "evaluatedNetworkSecurityGroups": .array(groups),
                            ])),
                    ])))
        }
        return .object(JSONObject(["results": .array(results)]))
    }

    // MARK: Effective rules and routes

    /// `POST .../networkInterfaces/NIC/effectiveNetworkSecurityGroups`: the groups on the
    /// interface and on its subnet, each with its rules (user rules, then default ones).
    public func effectiveNetworkSecurityGroups(networkInterface id: String) throws(LabRefusal) -> JSONValue {
        let (nic, configuration) = try interface(of: id)
        let tags = network.tagContext(for: configuration)
        let groups: [JSONValue] = network.securityGroups(of: nic, configuration: configuration).map { group, attachment in
            let association: JSONObject
            switch attachment {
            case .networkInterface(let id): association = JSONObject(["networkInterface": .object(JSONObject(["id": .string(id)]))])
            case .subnet(let id): association = JSONObject(["subnet": .object(JSONObject(["id": .string(id)]))])
            }
            return .object(
                JSONObject([
                    "networkSecurityGroup": .object(JSONObject(["id": .string(group.id)])),
                    "association": .object(association),
                    "effectiveSecurityRules": .array((group.rules + group.defaultRules).map { Self.effectiveJSON($0, tags: tags) }),
                ]))
        }
        return .object(JSONObject(["value": .array(groups)]))
    }

    /// `POST .../networkInterfaces/NIC/effectiveRouteTable`: system routes, then user routes; a
    /// system route a user route replaces is `Invalid`.
    public func effectiveRouteTable(networkInterface id: String) throws(LabRefusal) -> JSONValue {
        let (_, configuration) = try interface(of: id)
        let routes = configuration.subnet.map { network.effectiveRoutes(ofSubnet: $0) } ?? []
        return .object(JSONObject(["value": .array(routes.map(\.json))]))
    }

    /// A rule as `effectiveNetworkSecurityGroups` shows it: `*` written as Azure writes it
    /// (`0.0.0.0/0`, `0-65535`), protocol `All`, service tags with their expansion.
    static func effectiveJSON(_ rule: SecurityRule, tags: TagContext) -> JSONValue {
        func ports(_ ranges: [String]) -> [String] {
            ranges.map { range in SecurityRule.portRange(range).map { "\($0.0)-\($0.1)" } ?? range }
        }
        func prefixes(_ entries: [String]) -> [String] { entries.map { $0 == "*" ? "0.0.0.0/0" : $0 } }
        var object = JSONObject([
            "name": .string(rule.qualifiedName),
            "protocol": .string(rule.protocolName == "*" ? "All" : rule.protocolName),
            "sourcePortRange": .string(ports(rule.sourcePorts).first ?? "0-65535"),
            "destinationPortRange": .string(ports(rule.destinationPorts).first ?? "0-65535"),
            "sourceAddressPrefix": .string(prefixes(rule.sourcePrefixes).first ?? ""),
            "destinationAddressPrefix": .string(prefixes(rule.destinationPrefixes).first ?? ""),
        ])
        if rule.sourcePorts.count > 1 { object["sourcePortRanges"] = .array(ports(rule.sourcePorts).map(JSONValue.string)) }
        if rule.destinationPorts.count > 1 { object["destinationPortRanges"] = .array(ports(rule.destinationPorts).map(JSONValue.string)) }
        for (key, entries) in [
            ("expandedSourceAddressPrefix", rule.sourcePrefixes), ("expandedDestinationAddressPrefix", rule.destinationPrefixes),
        ] {
            let tagged = entries.filter { IPv4Prefix($0) == nil && $0 != "*" }
            let expanded = tagged.compactMap { tags.expand($0) }.flatMap { $0 }
            if !expanded.isEmpty { object[key] = .array(expanded.map { .string($0.description) }) }
        }
        object["access"] = .string(rule.access)
        object["priority"] = .number(JSONNumber(rule.priority))
        object["direction"] = .string(rule.direction.rawValue)
        return .object(object)
    }

    // MARK: Reading requests and resources

    /// A VM's interface that has this address (or the one named); refused when it has none.
    private func interface(
        ofVM vmID: String, address: IPv4Address, explicit: String?
    ) throws(LabRefusal) -> (LabNetwork.NetworkInterface, LabNetwork.IPConfiguration) {
        guard let vm = network.virtualMachines[LabNetwork.key(vmID)] else {
            throw LabRefusal(status: 404, code: "NotFound", message: "Virtual machine \(vmID) was not found.")
        }
        for key in vm.networkInterfaces where explicit.map({ LabNetwork.key($0) == key }) ?? true {
            guard let nic = network.networkInterfaces[key] else { continue }
            if let configuration = nic.ipConfigurations.first(where: { $0.address == address }) { return (nic, configuration) }
        }
        throw LabRefusal(
            status: 400, code: "InvalidIPAddress",
            message: "\(address) is not an address of virtual machine \(vm.name)'s network interfaces.")
    }

    /// The interface a target names (an interface, or a VM's primary one) and its primary configuration.
    private func interface(of id: String) throws(LabRefusal) -> (LabNetwork.NetworkInterface, LabNetwork.IPConfiguration) {
        let key = LabNetwork.key(id)
        let nic =
            network.networkInterfaces[key]
            ?? network.virtualMachines[key]?.networkInterfaces.first.flatMap { network.networkInterfaces[$0] }
        guard let nic else {
            throw LabRefusal(status: 404, code: "NotFound", message: "Network interface or virtual machine \(id) was not found.")
        }
        guard let configuration = nic.primaryConfiguration else {
            throw LabRefusal(status: 400, code: "InvalidRequestFormat", message: "Network interface \(nic.name) has no IP configuration.")
        }
        return (nic, configuration)
    }

    static func field(_ request: JSONValue, _ name: String) throws(LabRefusal) -> String {
        guard let value = request[name]?.stringValue, !value.isEmpty else {
            throw LabRefusal(status: 400, code: "InvalidRequestFormat", message: "The request needs '\(name)'.")
        }
        return value
    }

    static func oneOf(_ request: JSONValue, _ name: String, _ allowed: [String]) throws(LabRefusal) -> String {
        let value = try field(request, name)
        guard let match = allowed.first(where: { $0.lowercased() == value.lowercased() }) else {
            throw LabRefusal(
                status: 400, code: "InvalidRequestFormat",
                message: "'\(name)' must be \(allowed.joined(separator: " or ")), not '\(value)'.")
        }
        return match
    }

    static func address(_ request: JSONValue, _ name: String, orStar star: IPv4Address? = nil) throws(LabRefusal) -> IPv4Address {
        let value = try field(request, name)
        if let star, value == "*" { return star }
        guard let address = IPv4Address(value) else {
            throw LabRefusal(status: 400, code: "InvalidIPAddress", message: "'\(name)' must be an IPv4 address, not '\(value)'.")
        }
        return address
    }

    /// A port number given as a number or a string; `*` (any, nil) only where `star` allows it.
    static func port(_ value: JSONValue?, _ name: String, star: Bool = false) throws(LabRefusal) -> Int? {
        guard let value, value != .null else {
            if star { throw LabRefusal(status: 400, code: "InvalidRequestFormat", message: "The request needs '\(name)'.") }
            return nil
        }
        let text = value.stringValue ?? value.numberValue?.description ?? ""
        if star, text == "*" { return nil }
        guard let port = Int(text), (0...65535).contains(port) else {
            throw LabRefusal(
                status: 400, code: "InvalidRequestFormat",
                message: "'\(name)' must be a port from 0 to 65535\(star ? " or *" : ""), not '\(text)'.")
        }
        return port
    }
}

/// Deterministic identifiers, so repeated lab sessions give the same IDs.
public enum LabIdentifier {
    /// A UUID-shaped identifier derived from a seed (FNV-1a, twice).
    public static func uuid(seed: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in seed.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x100_0000_01b3 &+ 7
        }
        let digits = Array("0123456789abcdef")
        var characters: [Character] = []
        characters.reserveCapacity(32)
        for word in [hash, second] {
            for shift in stride(from: 60, through: 0, by: -4) { characters.append(digits[Int(word >> UInt64(shift) & 0xF)]) }
        }
        return
            "\(String(characters[0..<8]))-\(String(characters[8..<12]))-4\(String(characters[13..<16]))-a\(String(characters[17..<20]))-\(String(characters[20..<32]))"
    }
}
