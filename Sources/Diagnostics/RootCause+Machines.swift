import HTTPCore
import JSON

extension RootCauseInvestigation {
    /// The VM a hop stands for: the one its resource ID names, else, at the source, the check's.
    func virtualMachine(at hop: ConnectivityResult.Hop) -> String? {
        Explanation.virtualMachine(hop.resourceId) ?? (hop.type.lowercased() == "source" ? context?.request.source : nil)
    }

    static func compute(_ path: String) -> String { "\(path)?api-version=\(ARMAPIVersion.compute)" }

    /// A stopped agent: the check runs in the source VM's Network Watcher agent extension
    /// (https://learn.microsoft.com/azure/network-watcher/connection-troubleshoot-overview), so the
    /// VM must be running and the extension provisioned. The VM's GET gives its OS and region, the
    /// list of its extensions (a VM's GET leaves them out when it has none) whether the agent is
    /// there, and its instance view the power state.
    func analyzeAgent(at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        guard let vm = virtualMachine(at: hop) else {
            analysis.cause.append("The hop names no virtual machine, so its agent cannot be looked up.")
            return
        }
        let name = Self.name(vm)
        let machine = ask(FollowUp(method: "GET", target: Self.compute(vm), purpose: "virtual machine \(name)"), for: &analysis)
        let extensions = ask(
            FollowUp(method: "GET", target: Self.compute("\(vm)/extensions"), purpose: "the extensions of virtual machine \(name)"),
            for: &analysis)
        let view = ask(
            FollowUp(method: "GET", target: Self.compute("\(vm)/instanceView"), purpose: "the power state of virtual machine \(name)"),
            for: &analysis)
        guard analysis.needs.isEmpty else { return }
        let power = (view?["statuses"]?.arrayValue ?? []).first { $0["code"]?.stringValue?.lowercased().hasPrefix("powerstate/") == true }
        let running = power.map { $0["code"]?.stringValue?.lowercased() == "powerstate/running" } ?? true
        if let power, !running {
            analysis.cause.append(
                "Virtual machine \(name) is not running (\(power["code"]?.stringValue ?? "")): the agent runs inside it, so a check from it can run only while it runs."
            )
            analysis.fixes.append(Explanation.NextStep(why: "start \(name)", command: "post \(Self.compute("\(vm)/start"))"))
        }
        let agent = (extensions?["value"]?.arrayValue ?? []).first {
            $0["properties"]?["type"]?.stringValue?.lowercased().hasPrefix("networkwatcheragent") == true
        }
        if let agent {
            let state = agent["properties"]?["provisioningState"]?.stringValue ?? "not given"
            let agentName = agent["name"]?.stringValue ?? "(unnamed)"
            if state.lowercased() == "succeeded" {
                guard running else { return }
                analysis.cause.append(
                    "Virtual machine \(name) runs and its agent extension \(agentName) is provisioned: the agent may have stopped inside the VM. Restart the VM, or remove the extension and install it again."
                )
                analysis.fixes.append(
                    Explanation.NextStep(
                        why: "remove the extension \(agentName), then install it with the command below",
                        command: "delete \(Self.compute("\(vm)/extensions/\(agentName)"))"))
            } else {
                analysis.cause.append(
                    "The Network Watcher agent extension \(agentName) of virtual machine \(name) is \(state), not Succeeded.")
            }
        } else if extensions != nil {
            analysis.cause.append("Virtual machine \(name) has no Network Watcher agent extension.")
        } else {
            analysis.cause.append(
                "Whether virtual machine \(name) has the Network Watcher agent is not known without its extensions.")
        }
        guard let machine else { return }
        // The extension as Microsoft documents it
        // (https://learn.microsoft.com/azure/network-watcher/network-watcher-agent-linux).
        let osType = machine["properties"]?["storageProfile"]?["osDisk"]?["osType"]?.stringValue
        for os in osType.map({ [$0] }) ?? ["Linux", "Windows"] where ["linux", "windows"].contains(os.lowercased()) {
            let type = os.lowercased() == "windows" ? "NetworkWatcherAgentWindows" : "NetworkWatcherAgentLinux"
            var body = JSONObject()
            if let location = machine["location"] { body["location"] = location }
            body["properties"] = .object(
                JSONObject([
                    "publisher": .string("Microsoft.Azure.NetworkWatcher"), "type": .string(type), "typeHandlerVersion": .string("1.4"),
                    "autoUpgradeMinorVersion": .bool(true),
                ]))
            let extensionName = agent?["name"]?.stringValue ?? "AzureNetworkWatcherExtension"
            analysis.fixes.append(
                Explanation.NextStep(
                    why: "install the agent (\(type))" + (osType == nil ? ", if \(name) runs \(os)" : ""),
                    command: "put \(Self.compute("\(vm)/extensions/\(extensionName)")) \(Explanation.singleQuoted(.object(body)))"))
        }
    }

    /// Name resolution: the resolver the VM uses is the DNS servers set on its network interface,
    /// else those of its virtual network, else Azure-provided DNS at 168.63.129.16
    /// (https://learn.microsoft.com/azure/virtual-network/virtual-networks-name-resolution-for-vms-and-role-instances).
    func analyzeNameResolution(at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        var nic = Explanation.networkInterface(hop.resourceId)
        if nic == nil, let vm = virtualMachine(at: hop) {
            let machine = ask(
                FollowUp(method: "GET", target: Self.compute(vm), purpose: "virtual machine \(Self.name(vm))"), for: &analysis)
            let references = machine?["properties"]?["networkProfile"]?["networkInterfaces"]?.arrayValue ?? []
            let primary = references.first { $0["properties"]?["primary"] == .bool(true) } ?? references.first
            nic = primary?["id"]?.stringValue
        }
        guard analysis.needs.isEmpty else { return }
        guard let nic else {
            analysis.cause.append("The hop names no network interface, so the DNS servers it uses cannot be looked up.")
            return
        }
        var host = "the destination"
        if case .address(let address)? = context?.request.destination { host = Self.hostName(address) }
        let resolveAdvice = "Such servers must answer for the name, or forward what they do not know to a resolver that does."
        let interfaceAsked = FollowUp(method: "GET", target: Self.api(nic), purpose: "network interface \(Self.name(nic))")
        guard let interface = ask(interfaceAsked, for: &analysis) else { return }
        let own = (interface["properties"]?["dnsSettings"]?["dnsServers"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !own.isEmpty {
            analysis.cause.append(
                "Network interface \(Self.name(nic)) sets its own DNS servers, \(own.joined(separator: ", ")); they did not resolve \(host). \(resolveAdvice)"
            )
            return
        }
        let subnet = interface["properties"]?["ipConfigurations"]?.arrayValue?.first?["properties"]?["subnet"]?["id"]?.stringValue
        let segments = subnet?.split(separator: "/") ?? []
        guard let marker = segments.lastIndex(where: { $0.lowercased() == "subnets" }), marker > 0 else {
            analysis.cause.append(
                "Network interface \(Self.name(nic)) names no subnet, so its virtual network's DNS servers cannot be looked up.")
            return
        }
        let vnet = "/" + segments[..<marker].joined(separator: "/")
        let networkAsked = FollowUp(method: "GET", target: Self.api(vnet), purpose: "virtual network \(Self.name(vnet))")
        guard let network = ask(networkAsked, for: &analysis) else { return }
        let servers = (network["properties"]?["dhcpOptions"]?["dnsServers"]?.arrayValue ?? []).compactMap(\.stringValue)
        if servers.isEmpty {
            analysis.cause.append(
                "Neither network interface \(Self.name(nic)) nor virtual network \(Self.name(vnet)) sets DNS servers, so the VM uses Azure-provided DNS (168.63.129.16), which did not resolve \(host): a public name must be in public DNS, and a private one in a private DNS zone linked to \(Self.name(vnet))."
            )
            if host != "the destination" { privateZones(for: host, virtualNetwork: vnet, into: &analysis) }
        } else {
            analysis.cause.append(
                "Virtual network \(Self.name(vnet)) sets DNS servers \(servers.joined(separator: ", ")), which network interface \(Self.name(nic)) uses; they did not resolve \(host). \(resolveAdvice)"
            )
        }
    }

    /// The host name a destination names: a URL's host (`https://api.contoso.internal:8443/x` gives
    /// `api.contoso.internal`), without a port or the root's final dot.
    static func hostName(_ destination: String) -> String {
        var rest = Substring(destination)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        rest = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let userInfo = rest.lastIndex(of: "@") { rest = rest[rest.index(after: userInfo)...] }
        if let colon = rest.lastIndex(of: ":"), rest[rest.index(after: colon)...].allSatisfy(\.isNumber) { rest = rest[..<colon] }
        while rest.hasSuffix(".") { rest = rest.dropLast() }
        return String(rest)
    }

    /// The private DNS zones that could answer for a name (named for it or for a domain it is in),
    /// and whether each is linked to the virtual network: Azure-provided DNS answers from a private
    /// zone only in the virtual networks linked to it
    /// (https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links).
    func privateZones(for host: String, virtualNetwork vnet: String, into analysis: inout Analysis) {
        let segments = vnet.split(separator: "/")
        guard segments.count > 1 else { return }
        let version = "2020-06-01"
        let zonesAsked = FollowUp(
            method: "GET", target: "/subscriptions/\(segments[1])/providers/Microsoft.Network/privateDnsZones?api-version=\(version)",
            purpose: "the private DNS zones of the subscription")
        guard let zones = ask(zonesAsked, for: &analysis) else { return }
        let name = host.lowercased()
        let matching = (zones["value"]?.arrayValue ?? []).compactMap { zone -> (id: String, name: String)? in
            guard let id = zone["id"]?.stringValue, let zoneName = zone["name"]?.stringValue?.lowercased(),
                name == zoneName || name.hasSuffix("." + zoneName)
            else { return nil }
            return (id, zoneName)
        }
        guard !matching.isEmpty else {
            analysis.cause.append("No private DNS zone of the subscription is named for \(host) or a domain it is in.")
            return
        }
        var linkedNames = Set<String>()
        for zone in matching {
            let linksAsked = FollowUp(
                method: "GET", target: "\(zone.id)/virtualNetworkLinks?api-version=\(version)",
                purpose: "the virtual networks linked to private DNS zone \(zone.name)")
            guard let links = ask(linksAsked, for: &analysis) else { continue }
            let linked = (links["value"]?.arrayValue ?? []).contains {
                $0["properties"]?["virtualNetwork"]?["id"]?.stringValue?.lowercased() == vnet.lowercased()
            }
            // A network links at most one zone of a name: once one is linked, another is not offered.
            if !linked, linkedNames.contains(zone.name) { continue }
            if linked { linkedNames.insert(zone.name) }
            if linked {
                analysis.cause.append(
                    "Private DNS zone \(zone.name) is linked to virtual network \(Self.name(vnet)): look for a record of \(host) in it ('get \(zone.id)/ALL?api-version=\(version)')."
                )
            } else {
                analysis.cause.append(
                    "Private DNS zone \(zone.name) could answer for \(host), but it is not linked to virtual network \(Self.name(vnet)).")
                let body = JSONObject([
                    "location": .string("global"),
                    "properties": .object(
                        JSONObject(["virtualNetwork": .object(JSONObject(["id": .string(vnet)])), "registrationEnabled": .bool(false)])),
                ])
                analysis.fixes.append(
                    Explanation.NextStep(
                        why: "link private DNS zone \(zone.name) to virtual network \(Self.name(vnet))",
                        command:
                            "put \(zone.id)/virtualNetworkLinks/\(Self.name(vnet))-link?api-version=\(version) \(Explanation.singleQuoted(.object(body)))"
                    ))
            }
        }
    }
}
