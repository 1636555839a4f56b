import HTTPCore
import JSON

extension RootCauseInvestigation {
    /// An appliance that drops what it should forward: its interface passes on traffic not
    /// addressed to it only with IP forwarding on
    /// (https://learn.microsoft.com/azure/virtual-network/virtual-network-network-interface#enable-or-disable-ip-forwarding).
    /// The fix is the interface's own body with forwarding on (a network interface takes a PUT of
    /// the whole resource).
    func analyzeForwarding(at nic: String, into analysis: inout Analysis) {
        let asked = FollowUp(method: "GET", target: Self.api(nic), purpose: "network interface \(Self.name(nic))")
        guard let interface = ask(asked, for: &analysis) else { return }
        guard interface["properties"]?["enableIPForwarding"] != .bool(true) else {
            analysis.cause.append(
                "Network interface \(Self.name(nic)) of the appliance has IP forwarding on, so Azure passes traffic on to it; the operating system inside the appliance must forward too (Linux: net.ipv4.ip_forward; Windows: routing). \(Self.platformAdvice)"
            )
            return
        }
        analysis.cause.append(
            "Network interface \(Self.name(nic)) of the appliance has IP forwarding off, so Azure drops traffic that reaches it for another address instead of passing it on."
        )
        if let fix = Self.forwardingOn(interface, nic: nic) { analysis.fixes.append(fix) }
    }

    /// The `put` that turns an interface's IP forwarding on: its own body, forwarding on (a network
    /// interface takes a PUT of the whole resource). Nil when the body is not an object.
    static func forwardingOn(_ interface: JSONValue, nic: String) -> Explanation.NextStep? {
        guard case .object(var body) = interface, case .object(var properties)? = interface["properties"] else { return nil }
        properties["enableIPForwarding"] = .bool(true)
        body["properties"] = .object(properties)
        return Explanation.NextStep(
            why: "turn IP forwarding on (the interface as it is, with enableIPForwarding true)",
            command: "put \(Self.api(nic)) \(Explanation.singleQuoted(.object(body)))")
    }
}

extension RootCauseInvestigation {
    /// The `runCommand` request that lists a guest's listeners and firewall rules, for its OS
    /// (https://learn.microsoft.com/rest/api/compute/virtual-machines/run-command): printed, since
    /// it runs inside the VM. The VM is the hop's, found through its interface when the hop names one.
    func listGuest(at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        var vm = virtualMachine(at: hop)
        if vm == nil, let nic = Explanation.networkInterface(hop.resourceId) {
            let interface = ask(
                FollowUp(method: "GET", target: Self.api(nic), purpose: "network interface \(Self.name(nic))"), for: &analysis)
            vm = interface?["properties"]?["virtualMachine"]?["id"]?.stringValue
        }
        guard analysis.needs.isEmpty, let vm else { return }
        let machine = ask(FollowUp(method: "GET", target: Self.compute(vm), purpose: "virtual machine \(Self.name(vm))"), for: &analysis)
        guard analysis.needs.isEmpty else { return }
        let osType = machine?["properties"]?["storageProfile"]?["osDisk"]?["osType"]?.stringValue
        let commands = [
            ("Linux", "RunShellScript", ["ss -ltnp", "iptables -S"]),
            ("Windows", "RunPowerShellScript", ["Get-NetTCPConnection -State Listen", "Get-NetFirewallRule -Enabled True"]),
        ]
        for (os, commandID, script) in commands where osType == nil || osType?.lowercased() == os.lowercased() {
            let body = JSONObject(["commandId": .string(commandID), "script": .array(script.map(JSONValue.string))])
            analysis.fixes.append(
                Explanation.NextStep(
                    why: "list the listening ports and firewall rules inside \(Self.name(vm))" + (osType == nil ? ", if it runs \(os)" : "")
                        + " (runs a command in the guest)",
                    command: "post \(Self.compute("\(vm)/runCommand")) \(Explanation.singleQuoted(.object(body)))"))
        }
    }
}

extension RootCauseInvestigation {
    /// Issue types without follow-ups yet: what they mean and where to look, without inventing
    /// certainty.
    func analyzeInWords(_ issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, into analysis: inout Analysis) {
        switch issue.type.lowercased() {
        case "guestfirewall", "socketbind":
            analysis.cause.append(
                "ARM cannot see inside the VM's operating system: its firewall and which programs listen on which ports are known only there. Run, in the guest, 'sudo ss -ltnp' and 'sudo iptables -S' (Linux) or 'Get-NetTCPConnection -State Listen' and 'Get-NetFirewallRule -Enabled True' (Windows)."
            )
            listGuest(at: hop, into: &analysis)
        case "portthrottled":
            analysis.cause.append(
                "Too many connections use the port. Azure does not say more; one known cause is a VM that has used up its SNAT ports for outbound connections: look at the outbound rules of its load balancer or NAT gateway, and at connections the application does not reuse."
            )
        case "platform":
            if hop.type.lowercased() == "virtualappliance", let nic = Explanation.networkInterface(hop.resourceId) {
                analyzeForwarding(at: nic, into: &analysis)
            } else {
                analysis.cause.append(Self.platformAdvice)
            }
        case "cpu", "memory":
            // "High CPU utilization", "High memory utilization" (the fault types of
            // https://learn.microsoft.com/azure/network-watcher/connection-troubleshoot-overview#fault-types).
            let resource = issue.type.lowercased() == "cpu" ? "CPU" : "memory"
            analysis.cause.append(
                "The VM's \(resource) is highly used, which slows or drops connections; ARM does not say by what. Look at the VM's \(resource) metrics in Azure Monitor and at the processes using it in the guest."
            )
        case "unknown":
            analysis.cause.append(
                "Network Watcher could not classify the problem: check again, and if it stays, compare with a check from another VM in the same subnet."
            )
        default:
            analysis.cause.append(
                "nwsh does not investigate \(issue.type) issues further; 'explain' without --deep lists the resources to look at.")
        }
    }
}
