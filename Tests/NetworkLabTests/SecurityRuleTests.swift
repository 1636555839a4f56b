import JSON
import NetworkLab
import Testing

/// Security rule evaluation, table-driven: priority order, default rules, service tags,
/// application security groups, and the order of subnet and interface groups
/// (https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works).
@Suite struct SecurityRuleTests {
    /// Two VMs in one virtual network, and one across a peering.
    static func lab(subnetNSG: String? = nil, nicNSG: String? = nil, rules: [String: [String]] = [:]) -> NetworkBuilder {
        var lab = NetworkBuilder()
        for (name, list) in rules { lab.nsg(name, list) }
        lab.vnet(
            "hub", ["10.1.0.0/16"],
            subnets: [("app", "10.1.1.0/24", nsg: subnetNSG, routes: nil), ("db", "10.1.4.0/24", nsg: nil, routes: nil)], peers: ["spoke"])
        lab.vnet("spoke", ["10.9.0.0/16"], subnets: [("work", "10.9.1.0/24", nsg: nil, routes: nil)], peers: ["hub"])
        lab.vm("App", "10.1.1.4", subnet: ("hub", "app"), nsg: nicNSG, asgs: ["web"])
        lab.vm("Db", "10.1.4.4", subnet: ("hub", "db"))
        lab.vm("Work", "10.9.1.4", subnet: ("spoke", "work"))
        return lab
    }

    static func verify(
        _ lab: NetworkBuilder, _ direction: String, remote: String, port: String = "80", proto: String = "TCP"
    ) throws -> String {
        let answer = try lab.answers.ipFlowVerify(
            .object(
                JSONObject([
                    "targetResourceId": .string(NetworkBuilder.vm("App")), "direction": .string(direction), "protocol": .string(proto),
                    "localIPAddress": .string("10.1.1.4"), "localPort": .string(direction == "Inbound" ? port : "*"),
                    "remoteIPAddress": .string(remote), "remotePort": .string(direction == "Inbound" ? "*" : port),
                ])))
        return "\(answer["access"]?.stringValue ?? "?") \(answer["ruleName"]?.stringValue ?? "-")"
    }

    @Test(
        "the first rule by priority that matches decides; default rules close each direction",
        arguments: [
            // (rules, direction, remote, port, expected)
            ([String](), "Inbound", "203.0.113.9", "22", "Deny defaultSecurityRules/DenyAllInBound"),
            ([], "Inbound", "10.1.4.4", "22", "Allow defaultSecurityRules/AllowVnetInBound"),
            ([], "Inbound", "10.9.1.4", "22", "Allow defaultSecurityRules/AllowVnetInBound"),
            ([], "Inbound", "168.63.129.16", "80", "Allow defaultSecurityRules/AllowVnetInBound"),
            ([], "Outbound", "13.107.21.200", "443", "Allow defaultSecurityRules/AllowInternetOutBound"),
            ([], "Outbound", "172.16.0.9", "443", "Deny defaultSecurityRules/DenyAllOutBound"),
            (["Ssh 300 Inbound Allow Tcp * * * 22"], "Inbound", "203.0.113.9", "22", "Allow securityRules/Ssh"),
            (
                ["Ssh 300 Inbound Allow Tcp * * * 22", "NoSsh 200 Inbound Deny * 203.0.113.0/24 * * 22"], "Inbound", "203.0.113.9", "22",
                "Deny securityRules/NoSsh"
            ),
            (
                ["Ssh 300 Inbound Allow Tcp * * * 22", "NoSsh 200 Inbound Deny * 203.0.113.0/24 * * 22"], "Inbound", "198.51.100.1", "22",
                "Allow securityRules/Ssh"
            ),
            (["Web 100 Inbound Allow Tcp * * * 80,443,8000-8080"], "Inbound", "203.0.113.9", "8080", "Allow securityRules/Web"),
            (
                ["Web 100 Inbound Allow Tcp * * * 80,443,8000-8080"], "Inbound", "203.0.113.9", "8081",
                "Deny defaultSecurityRules/DenyAllInBound"
            ),
            (["Web 100 Inbound Allow Udp * * * 80"], "Inbound", "203.0.113.9", "80", "Deny defaultSecurityRules/DenyAllInBound"),
            (["NoVnet 100 Outbound Deny * * * VirtualNetwork *"], "Outbound", "10.9.1.4", "80", "Deny securityRules/NoVnet"),
            (
                ["NoVnet 100 Outbound Deny * * * VirtualNetwork *"], "Outbound", "8.8.8.8", "53",
                "Allow defaultSecurityRules/AllowInternetOutBound"
            ),
            (["NoWeb 100 Outbound Deny * * * Internet *"], "Outbound", "8.8.8.8", "53", "Deny securityRules/NoWeb"),
            (["NoWeb 100 Outbound Deny * * * Internet *"], "Outbound", "10.1.4.4", "53", "Allow defaultSecurityRules/AllowVnetOutBound"),
            (["FromWeb 100 Outbound Deny * asg:web * * 25"], "Outbound", "8.8.8.8", "25", "Deny securityRules/FromWeb"),
            (
                ["FromOther 100 Outbound Deny * asg:other * * 25"], "Outbound", "8.8.8.8", "25",
                "Allow defaultSecurityRules/AllowInternetOutBound"
            ),
        ])
    func firstMatchDecides(rules: [String], direction: String, remote: String, port: String, expected: String) throws {
        let lab = Self.lab(nicNSG: "nicNsg", rules: ["nicNsg": rules])
        #expect(try Self.verify(lab, direction, remote: remote, port: port) == expected)
    }

    @Test("with no security group anywhere, every flow is allowed and no rule is named")
    func noGroupAllowsEverything() throws {
        #expect(try Self.verify(Self.lab(), "Inbound", remote: "203.0.113.9") == "Allow -")
    }

    @Test(
        "inbound meets the subnet's group first, outbound the interface's; both must allow",
        arguments: [
            ("Inbound", ["AllowWeb 100 Inbound Allow Tcp * * * 80"], ["NoWeb 100 Inbound Deny Tcp * * * 80"], "Deny securityRules/NoWeb"),
            ("Inbound", ["NoWeb 100 Inbound Deny Tcp * * * 80"], ["AllowWeb 100 Inbound Allow Tcp * * * 80"], "Deny securityRules/NoWeb"),
            (
                "Inbound", ["AllowWeb 100 Inbound Allow Tcp * * * 80"], ["AllowWeb 100 Inbound Allow Tcp * * * 80"],
                "Allow securityRules/AllowWeb"
            ),
            ("Outbound", ["NoWeb 100 Outbound Deny Tcp * * * 80"], [], "Deny securityRules/NoWeb"),
            ("Outbound", [], ["NoWeb 100 Outbound Deny Tcp * * * 80"], "Deny securityRules/NoWeb"),
            // Both deny: the one met first decides and is named.
            ("Inbound", ["SubnetNo 100 Inbound Deny Tcp * * * 80"], ["NicNo 100 Inbound Deny Tcp * * * 80"], "Deny securityRules/SubnetNo"),
            ("Outbound", ["SubnetNo 100 Outbound Deny Tcp * * * 80"], ["NicNo 100 Outbound Deny Tcp * * * 80"], "Deny securityRules/NicNo"),
        ])
    func bothGroupsMustAllow(direction: String, subnetRules: [String], nicRules: [String], expected: String) throws {
        let lab = Self.lab(subnetNSG: "subnetNsg", nicNSG: "nicNsg", rules: ["subnetNsg": subnetRules, "nicNsg": nicRules])
        #expect(try Self.verify(lab, direction, remote: "203.0.113.9") == expected)
    }

    @Test("networkConfigurationDiagnostic names each group's deciding rule and the fields of every rule it looked at")
    func diagnosticNamesFields() throws {
        let lab = Self.lab(
            subnetNSG: "subnetNsg",
            rules: ["subnetNsg": ["Ssh 200 Inbound Allow Tcp 198.51.100.0/24 * * 22", "NoWeb 300 Inbound Deny Tcp * * * 80"]])
        let answer = try lab.answers.networkConfigurationDiagnostic(
            try JSONParser.parse(
                """
                {"targetResourceId": "\(NetworkBuilder.vm("App"))", "profiles": [
                  {"direction": "Inbound", "protocol": "TCP", "source": "203.0.113.9", "destination": "10.1.1.4", "destinationPort": "80"}]}
                """))
        let group = answer["results"]?.arrayValue?.first?["networkSecurityGroupResult"]
        #expect(group?["securityRuleAccessResult"] == .string("Deny"))
        let evaluated = group?["evaluatedNetworkSecurityGroups"]?.arrayValue?.first
        #expect(evaluated?["appliedTo"] == .string(NetworkBuilder.subnet("hub", "app")))
        #expect(evaluated?["matchedRule"] == .object(JSONObject(["ruleName": .string("UserRule_NoWeb"), "action": .string("Deny")])))
        let fields = (evaluated?["rulesEvaluationResult"]?.arrayValue ?? []).map { rule in
            let names = ["protocolMatched", "sourceMatched", "sourcePortMatched", "destinationMatched", "destinationPortMatched"]
            return "\(rule["name"]?.stringValue ?? "?"): " + names.filter { rule[$0] == .bool(false) }.joined(separator: ",")
        }
        #expect(fields == ["UserRule_Ssh: sourceMatched,destinationPortMatched", "UserRule_NoWeb: "])
    }

    @Test(
        "effective rules expand the VirtualNetwork tag to the space, the peered space, 168.63.129.16 and the subnet's user route prefixes")
    func virtualNetworkTagExpansion() throws {
        var lab = Self.lab(nicNSG: "nicNsg", rules: ["nicNsg": []])
        lab.routeTable("onPrem", ["ToOnPrem 192.168.0.0/16 VirtualAppliance 10.1.4.4"])
        lab.vnet(
            "hub", ["10.1.0.0/16"],
            subnets: [("app", "10.1.1.0/24", nsg: nil, routes: "onPrem"), ("db", "10.1.4.0/24", nsg: nil, routes: nil)],
            peers: ["spoke"])
        let answer = try lab.answers.effectiveNetworkSecurityGroups(networkInterface: NetworkBuilder.nic("AppNic"))
        let rule = answer["value"]?.arrayValue?.first?["effectiveSecurityRules"]?.arrayValue?.first
        #expect(rule?["name"] == .string("defaultSecurityRules/AllowVnetInBound"))
        #expect(
            rule?["expandedSourceAddressPrefix"]
                == .array(["10.1.0.0/16", "10.9.0.0/16", "168.63.129.16/32", "192.168.0.0/16"].map(JSONValue.string)))
        #expect(rule?["protocol"] == .string("All"))
        #expect(rule?["sourcePortRange"] == .string("0-65535"))
    }

    @Test(
        "forced tunnelling of 0.0.0.0/0 to an appliance makes VirtualNetwork everything, so AllowVnetInBound admits the internet (azure-docs#22178)"
    )
    func forcedTunnellingWidensVirtualNetwork() throws {
        var lab = Self.lab(nicNSG: "nicNsg", rules: ["nicNsg": []])
        #expect(try Self.verify(lab, "Inbound", remote: "203.0.113.9") == "Deny defaultSecurityRules/DenyAllInBound")
        lab.routeTable("tunnel", ["Default 0.0.0.0/0 VirtualAppliance 10.1.4.4"])
        lab.vnet(
            "hub", ["10.1.0.0/16"],
            subnets: [("app", "10.1.1.0/24", nsg: nil, routes: "tunnel"), ("db", "10.1.4.0/24", nsg: nil, routes: nil)],
            peers: ["spoke"])
        #expect(try Self.verify(lab, "Inbound", remote: "203.0.113.9") == "Allow defaultSecurityRules/AllowVnetInBound")
    }

    @Test(
        "requests that cannot be answered get ARM's error",
        arguments: [
            (#"{"direction": "Inbound"}"#, "InvalidRequestFormat: The request needs 'targetResourceId'."),
            (
                #"{"targetResourceId": "VM", "direction": "Sideways"}"#,
                "InvalidRequestFormat: 'direction' must be Inbound or Outbound, not 'Sideways'."
            ),
            (
                #"{"targetResourceId": "VM", "direction": "Inbound", "protocol": "TCP", "localIPAddress": "10.1.1.400"}"#,
                "InvalidIPAddress: 'localIPAddress' must be an IPv4 address, not '10.1.1.400'."
            ),
            (
                #"{"targetResourceId": "VM", "direction": "Inbound", "protocol": "TCP", "localIPAddress": "10.1.1.4", "remoteIPAddress": "1.2.3.4", "localPort": "70000", "remotePort": "*"}"#,
                "InvalidRequestFormat: 'localPort' must be a port from 0 to 65535 or *, not '70000'."
            ),
            (
                #"{"targetResourceId": "VM", "direction": "Inbound", "protocol": "TCP", "localIPAddress": "10.1.1.5", "remoteIPAddress": "1.2.3.4", "localPort": "80", "remotePort": "*"}"#,
                "InvalidIPAddress: 10.1.1.5 is not an address of virtual machine App's network interfaces."
            ),
        ])
    func refusals(body: String, expected: String) throws {
        let request = try JSONParser.parse(body.replacing("\"VM\"", with: "\"\(NetworkBuilder.vm("App"))\""))
        let refusal = #expect(throws: LabRefusal.self) { try Self.lab().answers.ipFlowVerify(request) }
        #expect(refusal.map { "\($0.code): \($0.message)" } == expected)
    }

    /// ARM reads member names ignoring case; a list wins over its single form when it is not
    /// empty; a value of the wrong kind counts as none; other members are not read.
    @Test("a rule's JSON is read ignoring the case of member names, lists before single values")
    func rulesAreReadFromJSON() throws {
        let spelled = try JSONParser.parse(
            #"{"name": "Web", "properties": {"PRIORITY": 310, "Direction": "OUTBOUND", "ACCESS": "allow", "Protocol": "Tcp", "description": "x", "provisioningState": "Succeeded", "SourceAddressPrefix": "10.1.0.0/16", "sourceAddressPrefixes": [], "SOURCEPORTRANGES": ["1000-2000", 7], "destinationaddressprefix": ["not", "a", "string"], "DestinationAddressPrefixes": "not a list", "destinationPortRange": "", "DestinationApplicationSecurityGroups": [{"id": "/S/ASG/Web"}]}}"#
        )
        let rule = try #require(SecurityRule(spelled, isDefault: false))
        #expect(
            rule
                == SecurityRule(
                    name: "Web", isDefault: false, priority: 310, direction: .outbound, allows: true, protocolName: "Tcp",
                    sourcePrefixes: ["10.1.0.0/16"], sourcePorts: ["1000-2000"], destinationPrefixes: [], destinationGroups: ["/s/asg/web"],
                    destinationPorts: ["*"]))
        #expect(SecurityRule(try JSONParser.parse(#"{"name": "NoPriority", "properties": {"Priority": "100"}}"#), isDefault: false) == nil)
    }
}
