import JSON
import NetworkLab
import Testing

/// A property test: over generated networks and flows, the answers agree with each other as they
/// do in Azure. A check's first step is where `nextHop` says; a rule a check blames where traffic
/// leaves the source or enters the destination is the one `ipFlowVerify` names for that flow, and
/// `networkConfigurationDiagnostic` decides the same; the route `nextHop` picks is the longest
/// active prefix of `effectiveRouteTable`.
@Suite struct AgreementTests {
    /// SplitMix64: the same networks on every run.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    /// Two or three virtual networks (10.N.0.0/16, two /24 subnets each, some peered), route
    /// tables with appliance, drop and internet routes, security groups with random rules, and
    /// two VMs a subnet, some forwarding.
    static func network(seed: UInt64) -> (NetworkBuilder, vms: [(name: String, address: String)]) {
        var random = Generator(state: seed)
        var lab = NetworkBuilder()
        let vnetCount = 2 + random.below(2)
        var vms: [(name: String, address: String, vnet: Int, subnet: Int)] = []
        for v in 0..<vnetCount {
            for s in 1...2 {
                for host in 4...5 { vms.append(("vm\(v)\(s)\(host)", "10.\(v).\(s).\(host)", v, s)) }
            }
        }
        let ports = ["22", "80", "443", "1000-2000", "*"]
        let prefixes = ["*", "VirtualNetwork", "Internet", "10.0.0.0/16", "10.1.1.0/24", "10.2.0.0/16", "0.0.0.0/0", "AzureLoadBalancer"]
        for n in 0..<3 {
            var rules: [String] = []
            var used = Set<String>()
            for r in 0..<random.below(5) {
                let direction = random.chance(50) ? "Inbound" : "Outbound"
                let priority = 100 + random.below(20) * 10
                guard used.insert("\(priority)\(direction)").inserted else { continue }
                rules.append(
                    "R\(n)x\(r) \(priority) \(direction) \(random.chance(50) ? "Allow" : "Deny") \(random.pick(["Tcp", "*", "Udp"])) \(random.pick(prefixes)) * \(random.pick(prefixes)) \(random.pick(ports))"
                )
            }
            lab.nsg("nsg\(n)", rules)
        }
        for t in 0..<2 {
            var routes: [String] = []
            for r in 0..<(1 + random.below(3)) {
                let prefix = random.pick(["10.0.0.0/16", "10.1.0.0/16", "10.1.2.0/24", "0.0.0.0/0", "13.107.21.0/24", "10.2.1.0/24"])
                let kind = random.below(4)
                let appliance = random.pick(vms).address
                switch kind {
                case 0: routes.append("T\(t)r\(r) \(prefix) VirtualAppliance \(appliance)")
                case 1: routes.append("T\(t)r\(r) \(prefix) None")
                case 2: routes.append("T\(t)r\(r) \(prefix) Internet")
                default: routes.append("T\(t)r\(r) \(prefix) VnetLocal")
                }
            }
            // One route per prefix, as a route table holds them.
            var seen = Set<String>()
            lab.routeTable("rt\(t)", routes.filter { seen.insert(String($0.split(separator: " ")[1])).inserted })
        }
        for v in 0..<vnetCount {
            let peers = (0..<vnetCount).filter { $0 != v && random.chance(60) }.map { "v\($0)" }
            lab.vnet(
                "v\(v)", ["10.\(v).0.0/16"],
                subnets: (1...2).map { s in
                    (
                        "s\(s)", "10.\(v).\(s).0/24", nsg: random.chance(40) ? "nsg\(random.below(3))" : nil,
                        routes: random.chance(50) ? "rt\(random.below(2))" : nil
                    )
                }, peers: peers)
        }
        for vm in vms {
            lab.vm(
                vm.name, vm.address, subnet: ("v\(vm.vnet)", "s\(vm.subnet)"), nsg: random.chance(40) ? "nsg\(random.below(3))" : nil,
                forwarding: random.chance(50))
        }
        return (lab, vms.map { ($0.name, $0.address) })
    }

    static func ipFlowVerify(
        _ answers: NetworkWatcherAnswers, vm: String, direction: String, local: String, remote: String, port: String
    ) throws
        -> String
    {
        let inbound = direction == "Inbound"
        let answer = try answers.ipFlowVerify(
            .object(
                JSONObject([
                    "targetResourceId": .string(NetworkBuilder.vm(vm)), "direction": .string(direction), "protocol": .string("TCP"),
                    "localIPAddress": .string(local), "localPort": .string(inbound ? port : "*"), "remoteIPAddress": .string(remote),
                    "remotePort": .string(inbound ? "*" : port),
                ])))
        return "\(answer["access"]?.stringValue ?? "?") \(answer["ruleName"]?.stringValue ?? "-")"
    }

    /// `UserRule_X` as ipFlowVerify names it: `securityRules/X`.
    static func qualified(_ effectiveName: String) -> String {
        effectiveName.hasPrefix("UserRule_")
            ? "securityRules/" + effectiveName.dropFirst("UserRule_".count)
            : "defaultSecurityRules/" + effectiveName.dropFirst("DefaultRule_".count)
    }

    @Test("connectivityCheck, nextHop, ipFlowVerify, networkConfigurationDiagnostic and effectiveRouteTable agree", arguments: 0..<60)
    func answersAgree(seed: Int) throws {
        let (lab, vms) = Self.network(seed: UInt64(seed) &* 7919 &+ 1)
        let answers = lab.answers
        var random = Generator(state: UInt64(seed))
        for _ in 0..<12 {
            let source = random.pick(vms)
            let destination = random.pick(vms.filter { $0.name != source.name } + [("internet", "13.107.21.200"), ("internet", "8.8.8.8")])
            let port = random.pick([22, 80, 443, 1500, 3389])
            let context = "seed \(seed): \(source.name) \(source.address) to \(destination.1):\(port)"
            let request = JSONValue.object(
                JSONObject([
                    "source": .object(JSONObject(["resourceId": .string(NetworkBuilder.vm(source.name))])),
                    "destination": .object(JSONObject(["address": .string(destination.1), "port": .number(JSONNumber(port))])),
                ]))
            let check = try answers.connectivityCheck(request)
            let hops = check["hops"]?.arrayValue ?? []
            let next = try answers.nextHop(
                .object(
                    JSONObject([
                        "targetResourceId": .string(NetworkBuilder.vm(source.name)), "sourceIPAddress": .string(source.address),
                        "destinationIPAddress": .string(destination.1),
                    ])))
            let nextType = next["nextHopType"]?.stringValue ?? ""

            // The first step goes where nextHop says.
            let second = hops.count > 1 ? hops[1] : nil
            switch nextType {
            case "None":
                #expect(second?["type"] == .string("Destination"), "\(context)")
                #expect(hops[0]["issues"]?.arrayValue?.contains { $0["type"] == .string("UserDefinedRoute") } == true, "\(context)")
            case "VirtualAppliance":
                #expect(second?["address"]?.stringValue == next["nextHopIpAddress"]?.stringValue, "\(context)")
                #expect(second?["type"] == .string("VirtualAppliance"), "\(context)")
            case "Internet":
                #expect(second?["type"] == .string("Internet"), "\(context)")
            default:
                #expect(second?["type"] == .string(nextType), "\(context)")
                #expect(second?["address"] == .string(destination.1), "\(context)")
            }

            // nextHop's route is the longest active prefix of the interface's effective routes.
            let routes =
                try answers.effectiveRouteTable(networkInterface: NetworkBuilder.nic(source.name + "Nic"))["value"]?.arrayValue ?? []
            let target = IPv4Address(destination.1)!
            let longest = routes.filter {
                $0["state"] == .string("Active")
                    && IPv4Prefix($0["addressPrefix"]?.arrayValue?.first?.stringValue ?? "")?.contains(target) == true
            }.map { IPv4Prefix($0["addressPrefix"]!.arrayValue![0].stringValue!)!.length }.max()
            let chosen = routes.filter {
                $0["state"] == .string("Active") && $0["nextHopType"]?.stringValue == nextType
                    && IPv4Prefix($0["addressPrefix"]?.arrayValue?.first?.stringValue ?? "").map {
                        $0.contains(target) && $0.length == longest
                    } == true
            }
            #expect(!chosen.isEmpty, "\(context): nextHop \(nextType) is not the longest active route")

            // A rule blamed where traffic leaves the source is the rule ipFlowVerify names.
            let leaving = try Self.ipFlowVerify(
                answers, vm: source.name, direction: "Outbound", local: source.address, remote: destination.1, port: String(port))
            let blamed = hops[0]["issues"]?.arrayValue?.first { $0["type"] == .string("NetworkSecurityRule") }
            if let rule = blamed?["context"]?.arrayValue?.first?["value"]?.stringValue {
                #expect(leaving == "Deny \(Self.qualified(rule))", "\(context)")
            } else {
                #expect(leaving.hasPrefix("Allow"), "\(context): \(leaving)")
            }
            let diagnostic = try answers.networkConfigurationDiagnostic(
                .object(
                    JSONObject([
                        "targetResourceId": .string(NetworkBuilder.nic(source.name + "Nic")),
                        "profiles": .array([
                            .object(
                                JSONObject([
                                    "direction": .string("Outbound"), "protocol": .string("TCP"), "source": .string(source.address),
                                    "destination": .string(destination.1), "destinationPort": .string(String(port)),
                                ]))
                        ]),
                    ])))
            let access = diagnostic["results"]?.arrayValue?.first?["networkSecurityGroupResult"]?["securityRuleAccessResult"]?.stringValue
            #expect(access == String(leaving.prefix { $0 != " " }), "\(context)")

            // A rule blamed where traffic enters the destination is the one ipFlowVerify names inbound.
            if let last = hops.last, hops.count > 1, last["address"] == .string(destination.1),
                last["resourceId"]?.stringValue?.contains("/ipConfigurations/") == true
            {
                let entering = try Self.ipFlowVerify(
                    answers, vm: destination.0, direction: "Inbound", local: destination.1, remote: source.address, port: String(port))
                let inbound = last["issues"]?.arrayValue?.first { $0["type"] == .string("NetworkSecurityRule") }
                if let rule = inbound?["context"]?.arrayValue?.first?["value"]?.stringValue {
                    #expect(entering == "Deny \(Self.qualified(rule))", "\(context)")
                } else {
                    #expect(entering.hasPrefix("Allow"), "\(context): \(entering)")
                }
            }
        }
    }
}
