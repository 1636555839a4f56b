import JSON

/// Connectivity results in sentences: the verdict, the probes, and one sentence per issue. Pure.
public enum Narration {
    /// The verdict in words, for every status the service or its specification uses, and any other.
    public static func verdict(_ status: String?) -> String {
        switch status?.lowercased() {
        case "reachable", "connected": "Reachable: the destination answered."
        case "unreachable", "disconnected": "Unreachable: the destination did not answer."
        case "degraded": "Degraded: the destination answered, but some probes failed or were slow."
        case "unknown": "Unknown: Network Watcher could not tell whether the destination is reachable."
        case nil: "No verdict: the result has no connectionStatus."
        default: "Status \"\(status ?? "")\": not a status nwsh knows; the hops below say what Network Watcher found."
        }
    }

    /// Whether a status says the destination answered: `Reachable`, or the specification's
    /// `Connected`. `Degraded` is not: a check script should notice it.
    public static func isReachable(_ status: String?) -> Bool {
        ["reachable", "connected"].contains(status?.lowercased() ?? "")
    }

    /// "100 of 100 probes failed; latency 1 ms min, 2 ms avg, 5 ms max." Nil when the result has
    /// neither probes nor latency.
    public static func probes(_ result: ConnectivityResult) -> String? {
        var parts: [String] = []
        if let sent = result.probesSent {
            let failed = result.probesFailed ?? 0
            parts.append(sent == 0 ? "No probes were sent" : "\(failed) of \(sent) probe\(sent == 1 ? "" : "s") failed")
        }
        let latency = [("min", result.minimumLatency), ("avg", result.averageLatency), ("max", result.maximumLatency)]
            .compactMap { name, value in value.map { "\($0) ms \(name)" } }
        if !latency.isEmpty { parts.append("latency " + latency.joined(separator: ", ")) }
        return parts.isEmpty ? nil : parts.joined(separator: "; ") + "."
    }

    /// What a resource ID names, in words: "network interface appNic0", "load balancer lb1".
    /// Child resources (`.../networkInterfaces/nic/ipConfigurations/ipconfig1`) are named by their
    /// parent, which is what a user looks up. Nil when the ID has no provider type.
    public static func resourceName(_ resourceId: String?) -> String? {
        var text = TextBuilder()
        appendResourceName(resourceId, to: &text)
        return text.isEmpty ? nil : text.text
    }

    /// Appends `prefix` and ``resourceName(_:)`` to `text` (no intermediate strings: a path can
    /// have thousands of hops); nothing when the ID has no provider type.
    static func appendResourceName(_ resourceId: String?, after prefix: String = "", to text: inout TextBuilder) {
        guard var id = resourceId else { return }
        id.withUTF8 { bytes in
            guard let (_, type, name) = providerRanges(bytes) else { return }
            text.append(prefix)
            let typeBytes = UnsafeBufferPointer(rebasing: bytes[type])
            if let words = words(forType: typeBytes) { text.append(words) } else { text.append(typeBytes) }
            text.append(" ")
            text.append(UnsafeBufferPointer(rebasing: bytes[name]))
        }
    }

    /// The ID up to `.../providers/NAMESPACE/TYPE/NAME` when `resourceId` is a subscription's
    /// resource ID naming such a resource or a child of one; namespace and type compared
    /// ignoring case, as ARM does.
    static func resource(_ resourceId: String?, namespace: String, type: String) -> String? {
        guard let resourceId, resourceId.utf8.count > 15,
            resourceId.utf8.prefix(15).elementsEqual("/subscriptions/".utf8, by: { $0 | 0x20 == $1 }),
            let found = providerSegments(resourceId),
            found.namespace.lowercased() == namespace.lowercased(), found.type.lowercased() == type.lowercased()
        else { return nil }
        return String(resourceId[..<found.name.endIndex])
    }

    /// The namespace, type and name after `/providers/` in a resource ID, as slices of it (so
    /// `resourceId[..<name.endIndex]` is the resource's own ID), found in one pass over its UTF-8
    /// code units: a result can have thousands of hops.
    static func providerSegments(_ resourceId: String) -> (namespace: Substring, type: Substring, name: Substring)? {
        var id = resourceId
        guard let found = id.withUTF8(providerRanges) else { return nil }
        let utf8 = resourceId.utf8
        func slice(_ range: Range<Int>) -> Substring {
            Substring(
                utf8[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)])
        }
        return (slice(found.namespace), slice(found.type), slice(found.name))
    }

    /// Where ``providerSegments(_:)`` are in a resource ID's UTF-8.
    static func providerRanges(_ bytes: UnsafeBufferPointer<UInt8>) -> (namespace: Range<Int>, type: Range<Int>, name: Range<Int>)? {
        var afterProviders = -1
        var namespace = 0..<0
        var type = 0..<0
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
            defer { start = index + 1 }
            guard start < index else { continue }
            if afterProviders < 0 {
                if index - start == 9, zip(bytes[start..<index], "providers".utf8).allSatisfy({ $0 | 0x20 == $1 }) { afterProviders = 0 }
                continue
            }
            afterProviders += 1
            switch afterProviders {
            case 1: namespace = start..<index
            case 2: type = start..<index
            default: return (namespace, type, start..<index)
            }
        }
        return nil
    }

    /// Words for resource types, as ARM spells the types. A list rather than a dictionary: a
    /// path names a type on every line, and comparing a few lengths costs less than hashing.
    static let typeWords: [(type: String, words: String)] = [
        ("networkInterfaces", "network interface"), ("loadBalancers", "load balancer"), ("privateEndpoints", "private endpoint"),
        ("virtualMachines", "VM"), ("publicIPAddresses", "public IP address"), ("virtualNetworkGateways", "virtual network gateway"),
        ("applicationGateways", "application gateway"), ("azureFirewalls", "Azure Firewall"), ("virtualNetworks", "virtual network"),
        ("networkSecurityGroups", "network security group"), ("routeTables", "route table"), ("natGateways", "NAT gateway"),
        ("bastionHosts", "Bastion host"), ("storageAccounts", "storage account"), ("privateLinkServices", "Private Link service"),
        ("virtualMachineScaleSets", "scale set"),
    ]

    /// The words for a resource type (its UTF-8): spelled as ARM does, or else ignoring case, as
    /// ARM compares.
    static func words(forType type: UnsafeBufferPointer<UInt8>) -> String? {
        for (known, words) in typeWords where known.utf8.count == type.count {
            var known = known
            if known.withUTF8({ known in (0..<known.count).allSatisfy { known[$0] == type[$0] } }) { return words }
        }
        let lowercased = String(decoding: type, as: UTF8.self).lowercased()
        return typeWords.first { $0.type.lowercased() == lowercased }?.words
    }

    /// Where a hop is, in words: "hop 3 (VirtualAppliance 10.1.3.4, network interface auNic)".
    public static func place(_ hop: ConnectivityResult.Hop, number: Int) -> String {
        let details = [hop.type, hop.address].compactMap { $0 }.joined(separator: " ")
        let resource = resourceName(hop.resourceId).map { ", " + $0 } ?? ""
        return "hop \(number) (\(details)\(resource))"
    }

    /// One sentence for an issue at a hop: where, direction, severity, and what, with the context
    /// entries the issue type explains folded in and any others listed as they are.
    public static func sentence(for issue: ConnectivityResult.Issue, at hop: ConnectivityResult.Hop, number: Int) -> String {
        let direction =
            issue.origin.map { origin -> String in
                switch origin.lowercased() {
                case "inbound": "inbound traffic"
                case "outbound": "outbound traffic"
                case "local": "traffic at the hop itself"
                default: "traffic (origin \(origin))"
                }
            } ?? "traffic"
        var used: Set<String> = []
        func take(_ key: String) -> String? {
            guard let value = issue.context(key) else { return nil }
            used.insert(key.lowercased())
            return value
        }
        let what: String
        switch issue.type.lowercased() {
        case "networksecurityrule":
            what = "\(direction) is denied by the network security rule " + (take("RuleName") ?? "(not named)")
        case "userdefinedroute":
            // "Traffic is dropped due to a user defined or system route"
            // (https://learn.microsoft.com/azure/network-watcher/connection-troubleshoot-overview#fault-types):
            // the route's type says which; without it, the narration does not guess.
            let routeType = take("RouteType")
            switch routeType?.lowercased() {
            case "user": what = "\(direction) is dropped by a user-defined route (route type User)"
            case "system": what = "\(direction) is dropped by a system route (route type System)"
            case nil: what = "\(direction) is dropped by a route (user-defined or system: the issue does not say which)"
            default: what = "\(direction) is dropped by a route of type \(routeType ?? "")"
            }
        case "guestfirewall":
            what = "the firewall inside the VM's operating system blocks \(direction)"
        case "dnsresolution":
            what = "the destination's name could not be resolved by DNS"
        case "socketbind":
            what = "the VM could not bind the source port for \(direction) (in use, or not allowed)"
        case "portthrottled":
            what = "\(direction) is throttled: too many connections on the port (often SNAT port exhaustion)"
        case "agentstopped":
            what = "the Network Watcher agent on the VM is stopped, so the check could not run there"
        case "platform":
            what = "the Azure platform reported a problem with \(direction)"
        case "unknown":
            what = "Network Watcher reported a problem it could not classify with \(direction)"
        default:
            what = "an issue of type \(issue.type) affects \(direction)"
        }
        let rest = issue.context.filter { !used.contains($0.key.lowercased()) }.map { "\($0.key): \($0.value)" }
        let severity =
            issue.severity.map { severity -> String in
                switch severity.lowercased() {
                case "error": "Error"
                case "warning": "Warning"
                default: "Severity \(severity)"
                }
            } ?? "Issue"
        let place = place(hop, number: number)
        return "\(severity) at \(place): \(what)" + (rest.isEmpty ? "" : " (\(rest.joined(separator: ", ")))") + "."
    }
}
