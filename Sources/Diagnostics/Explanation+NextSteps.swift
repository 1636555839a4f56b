import HTTPCore
import JSON

extension Explanation {
    /// The network interface a hop's resource ID names (an IP configuration's parent included).
    static func networkInterface(_ resourceId: String?) -> String? {
        Narration.resource(resourceId, namespace: "Microsoft.Network", type: "networkInterfaces")
    }

    /// The VM a resource ID names.
    static func virtualMachine(_ resourceId: String?) -> String? {
        Narration.resource(resourceId, namespace: "Microsoft.Compute", type: "virtualMachines")
    }

    static func nextSteps(for issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop) -> [NextStep] {
        let nic = networkInterface(hop.resourceId)
        let nicName = nic.flatMap { Narration.providerSegments($0) }.map { String($0.name) }
        let vm = virtualMachine(hop.resourceId)
        var steps: [NextStep] = []
        switch issue.type.lowercased() {
        case "networksecurityrule":
            if let nic, let nicName {
                let rule = issue.context("RuleName").map { ", find \($0)" } ?? ""
                steps.append(
                    NextStep(
                        why: "the security rules in effect on network interface \(nicName)\(rule)",
                        command: "post \(nic)/effectiveNetworkSecurityGroups?api-version=\(ARMAPIVersion.network)"))
            }
        case "userdefinedroute":
            if let nic, let nicName {
                steps.append(
                    NextStep(
                        why: "the routes in effect on network interface \(nicName): which route sends the traffic where",
                        command: "post \(nic)/effectiveRouteTable?api-version=\(ARMAPIVersion.network)"))
            }
        case "guestfirewall", "agentstopped":
            if let vm {
                steps.append(
                    NextStep(
                        why: "the VM's extensions (NetworkWatcherAgent must be provisioned and running) and its state",
                        command: "get \(vm)/instanceView?api-version=\(ARMAPIVersion.compute)"))
            }
        case "dnsresolution":
            if let nic, let nicName {
                steps.append(
                    NextStep(
                        why: "the DNS servers network interface \(nicName) uses (dnsSettings)",
                        command: "get \(nic)?api-version=\(ARMAPIVersion.network)"))
            }
        default:
            break
        }
        if steps.isEmpty, let resource = nic ?? vm ?? hop.resourceId {
            steps.append(
                NextStep(
                    why: "the resource at hop \(hop.address ?? hop.type)",
                    command:
                        "get \(resource)?api-version=\(nic != nil ? ARMAPIVersion.network : vm != nil ? ARMAPIVersion.compute : ARMAPIVersion.network)"
                ))
        }
        return steps
    }

    /// Questions for the watcher about the check's own flow (from its source VM to the address
    /// the path ended at). At the source hop: `ipFlowVerify` for a security rule and `nextHop` for
    /// a route, from the VM. At a later hop (an appliance, the destination), where the rule or
    /// route is on that hop's network interface, not the VM's: `networkConfigurationDiagnostic`
    /// of that interface for the same flow, which names each group's deciding rule and which of
    /// its fields matched (a route there is in the hop's `effectiveRouteTable`, already suggested).
    static func watcherSteps(
        for issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, result: ConnectivityResult, context: CheckContext
    ) -> [NextStep] {
        guard let vm = context.request.source,
            let local = (result.hops.first { $0.type.lowercased() == "source" } ?? result.hops.first)?.address,
            let remote = context.destinationAddress(in: result)
        else { return [] }
        let vmName = Narration.providerSegments(vm).map { String($0.name) } ?? vm
        let atSource = hop.type.lowercased() == "source"
        switch issue.type.lowercased() {
        case "networksecurityrule":
            let protocolName = context.request.effectiveProtocol
            guard protocolName != "Icmp", let port = context.request.destinationPort else { return [] }
            if !atSource, let nic = networkInterface(hop.resourceId), let nicName = Narration.providerSegments(nic).map({ String($0.name) })
            {
                let direction = issue.origin?.lowercased() == "inbound" ? "Inbound" : "Outbound"
                let profile = JSONObject([
                    "direction": .string(direction), "protocol": .string("TCP"), "source": .string(local), "destination": .string(remote),
                    "destinationPort": .string(String(port)),
                ])
                let body = JSONObject(["targetResourceId": .string(nic), "profiles": .array([.object(profile)])])
                return [
                    NextStep(
                        why:
                            "which rule of each security group on network interface \(nicName) decides TCP from \(local) to \(remote) port \(port) (\(direction.lowercased())), and which of its fields matched",
                        command:
                            "post \(context.watcher)/networkConfigurationDiagnostic?api-version=\(ARMAPIVersion.network) \(singleQuoted(.object(body)))"
                    )
                ]
            }
            let body = JSONObject([
                "targetResourceId": .string(vm), "direction": .string("Outbound"), "protocol": .string("TCP"),
                "localIPAddress": .string(local), "localPort": .string(context.request.sourcePort.map(String.init) ?? "*"),
                "remoteIPAddress": .string(remote), "remotePort": .string(String(port)),
            ])
            return [
                NextStep(
                    why:
                        "whether the security rules let TCP from \(vmName) (\(local)) out to \(remote) port \(port), and which rule decides",
                    command: "post \(context.watcher)/ipFlowVerify?api-version=\(ARMAPIVersion.network) \(singleQuoted(.object(body)))")
            ]
        case "userdefinedroute":
            guard atSource else { return [] }
            let body = JSONObject([
                "targetResourceId": .string(vm), "sourceIPAddress": .string(local), "destinationIPAddress": .string(remote),
            ])
            return [
                NextStep(
                    why: "where \(vmName) (\(local)) sends packets for \(remote), and which route table says so",
                    command: "post \(context.watcher)/nextHop?api-version=\(ARMAPIVersion.network) \(singleQuoted(.object(body)))")
            ]
        default:
            return []
        }
    }

    /// JSON as a single-quoted nwsh string (literal; a quote inside is doubled).
    static func singleQuoted(_ value: JSONValue) -> String {
        var text = "'"
        for character in JSONFormatter.compact.format(value) { text += character == "'" ? "''" : String(character) }
        return text + "'"
    }
}
