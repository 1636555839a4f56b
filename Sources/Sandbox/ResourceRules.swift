import JSON
import NetworkLab

/// The checks ARM's network provider makes of a body before it stores it, per type, with the
/// error codes and messages Azure returns. Where a code is quoted from Azure, the comment says
/// where it was seen; the others (a malformed field) use ARM's generic `InvalidRequestFormat`.
enum ResourceRules {
    static func check(_ record: JSONValue, path: ResourcePath, store: ResourceStore) throws(LabRefusal) {
        switch path.type?.lowercased() ?? "" {
        case "microsoft.network/virtualnetworks": try checkVirtualNetwork(record, store: store)
        case "microsoft.network/networksecuritygroups": try checkSecurityGroup(path, store: store)
        case "microsoft.network/routetables": try checkRouteTable(path, store: store)
        case "microsoft.network/networkinterfaces": try checkNetworkInterface(path, store: store)
        case "microsoft.compute/virtualmachines": try checkVirtualMachine(record, path: path)
        default: break
        }
    }

    static func invalid(_ message: String) -> LabRefusal {
        LabRefusal(status: 400, code: "InvalidRequestFormat", message: "Cannot parse the request: \(message)")
    }

    /// A subnet's or a VNet's prefixes (`addressPrefix` or `addressPrefixes`).
    static func prefixes(of subnet: JSONValue) -> [IPv4Prefix] {
        let properties = subnet["properties"]
        let many = (properties?["addressPrefixes"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(IPv4Prefix.init) }
        return many.isEmpty ? (properties?["addressPrefix"]?.stringValue.flatMap(IPv4Prefix.init).map { [$0] } ?? []) : many
    }

    private static func prefixTexts(_ properties: JSONValue?, single: String, plural: String) -> [String] {
        let many = (properties?[plural]?.arrayValue ?? []).compactMap(\.stringValue)
        return many.isEmpty ? (properties?[single]?.stringValue.map { [$0] } ?? []) : many
    }

    // MARK: Virtual networks and subnets

    /// Subnets inside the address space and apart from each other (`NetcfgSubnetRangeOutsideVnet`,
    /// `NetcfgSubnetRangesOverlap`, as Azure words them; MicrosoftDocs/azure-docs PR 123869).
    static func checkVirtualNetwork(_ record: JSONValue, store: ResourceStore) throws(LabRefusal) {
        let vnetName = record["name"]?.stringValue ?? ""
        let spaceTexts = (record["properties"]?["addressSpace"]?["addressPrefixes"]?.arrayValue ?? []).map { $0.stringValue ?? "" }
        guard !spaceTexts.isEmpty else { throw invalid("virtual network \(vnetName) needs 'properties.addressSpace.addressPrefixes'.") }
        var space: [IPv4Prefix] = []
        for text in spaceTexts {
            guard let prefix = IPv4Prefix(text) else {
                throw invalid("'\(text)' in the address space of virtual network \(vnetName) is not an address prefix such as 10.1.0.0/16.")
            }
            space.append(prefix.normalized)
        }
        var seen: [IPv4Prefix] = []
        for subnet in store.children(of: record["id"]?.stringValue ?? "", "subnets") {
            let name = subnet["name"]?.stringValue ?? ""
            let texts = prefixTexts(subnet["properties"], single: "addressPrefix", plural: "addressPrefixes")
            guard !texts.isEmpty else { throw invalid("subnet \(name) needs 'properties.addressPrefix'.") }
            for text in texts {
                guard let prefix = IPv4Prefix(text)?.normalized else {
                    throw invalid("'\(text)' of subnet \(name) is not an address prefix such as 10.1.1.0/24.")
                }
                // Azure reserves five addresses of every subnet; the smallest IPv4 subnet is a /29
                // (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
                guard prefix.length <= 29 else {
                    throw invalid(
                        "subnet \(name) is \(text); the smallest subnet Azure allows is a /29 (it reserves five addresses of each).")
                }
                guard space.contains(where: { $0.contains(prefix) }) else {
                    throw LabRefusal(
                        status: 400, code: "NetcfgSubnetRangeOutsideVnet",
                        message:
                            "Subnet '\(name)' is not valid because its IP address range is outside the IP address range of virtual network '\(vnetName)'."
                    )
                }
                guard !seen.contains(where: { $0.overlaps(prefix) }) else {
                    throw LabRefusal(
                        status: 400, code: "NetcfgSubnetRangesOverlap",
                        message:
                            "Subnet '\(name)' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '\(vnetName)'."
                    )
                }
                seen.append(prefix)
            }
        }
        for peering in store.children(of: record["id"]?.stringValue ?? "", "virtualNetworkPeerings") {
            guard peering["properties"]?["remoteVirtualNetwork"]?["id"]?.stringValue != nil else {
                throw invalid("peering \(peering["name"]?.stringValue ?? "") needs 'properties.remoteVirtualNetwork.id'.")
            }
        }
    }

    // MARK: Security groups

    /// Rules well formed, priorities 100–4096 (`SecurityRuleInvalidPriority`), one rule per
    /// priority and direction (`SecurityRuleConflict`); the range is the REST specification's
    /// (networkSecurityGroup.json, SecurityRulePropertiesFormat.priority).
    static func checkSecurityGroup(_ path: ResourcePath, store: ResourceStore) throws(LabRefusal) {
        var taken: [String: String] = [:]
        for rule in store.children(of: path.id, "securityRules") {
            let name = rule["name"]?.stringValue ?? ""
            let properties = rule["properties"]
            guard let priority = properties?["priority"]?.numberValue?.intValue else {
                throw invalid("security rule \(name) needs a whole-number 'priority'.")
            }
            guard (100...4096).contains(priority) else {
                throw LabRefusal(
                    status: 400, code: "SecurityRuleInvalidPriority",
                    message: "Security rule has invalid Priority. Value provided: \(priority) Allowed range 100-4096.")
            }
            try oneOf(properties, "direction", ["Inbound", "Outbound"], rule: name)
            try oneOf(properties, "access", ["Allow", "Deny"], rule: name)
            try oneOf(properties, "protocol", ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"], rule: name)
            for (single, plural) in [("sourcePortRange", "sourcePortRanges"), ("destinationPortRange", "destinationPortRanges")] {
                for range in prefixTexts(properties, single: single, plural: plural) where SecurityRule.portRange(range) == nil {
                    throw invalid("'\(range)' in \(single)s of security rule \(name) is not a port, a range such as 8000-8080, or *.")
                }
            }
            for (single, plural) in [
                ("sourceAddressPrefix", "sourceAddressPrefixes"), ("destinationAddressPrefix", "destinationAddressPrefixes"),
            ] {
                for entry in prefixTexts(properties, single: single, plural: plural) where !isAddressEntry(entry) {
                    throw invalid("'\(entry)' in \(single)es of security rule \(name) is not an address, a prefix, a service tag or *.")
                }
            }
            let slot = "\(priority) \(properties?["direction"]?.stringValue?.lowercased() ?? "")"
            if let other = taken[slot] {
                throw LabRefusal(
                    status: 400, code: "SecurityRuleConflict",
                    message:
                        "Security rule \(other) conflicts with rule \(name). Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules."
                )
            }
            taken[slot] = name
        }
    }

    private static func oneOf(_ properties: JSONValue?, _ field: String, _ allowed: [String], rule: String) throws(LabRefusal) {
        let value = properties?[field]?.stringValue ?? ""
        guard allowed.contains(where: { $0.lowercased() == value.lowercased() }) else {
            throw invalid("'\(field)' of security rule \(rule) must be \(allowed.joined(separator: ", ")), not '\(value)'.")
        }
    }

    /// A prefix, an address, `*`, or a service tag's name (letters, digits, dots, dashes).
    private static func isAddressEntry(_ entry: String) -> Bool {
        if entry == "*" || IPv4Prefix(entry) != nil { return true }
        guard let first = entry.unicodeScalars.first, first.properties.isAlphabetic else { return false }
        return entry.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
    }

    // MARK: Route tables

    /// Routes well formed; a `VirtualAppliance` route needs its address (`MissingNextHopIpAddress`,
    /// as Azure words it; hashicorp/terraform-provider-azurerm PR 20365).
    static func checkRouteTable(_ path: ResourcePath, store: ResourceStore) throws(LabRefusal) {
        for route in store.children(of: path.id, "routes") {
            let name = route["name"]?.stringValue ?? ""
            let properties = route["properties"]
            let prefix = properties?["addressPrefix"]?.stringValue ?? ""
            guard IPv4Prefix(prefix) != nil else {
                throw invalid("'addressPrefix' of route \(name) must be an address prefix such as 10.1.4.0/24, not '\(prefix)'.")
            }
            let types = ["VirtualNetworkGateway", "VnetLocal", "Internet", "VirtualAppliance", "None"]
            let type = properties?["nextHopType"]?.stringValue ?? ""
            guard types.contains(where: { $0.lowercased() == type.lowercased() }) else {
                throw invalid("'nextHopType' of route \(name) must be \(types.joined(separator: ", ")), not '\(type)'.")
            }
            let address = properties?["nextHopIpAddress"]?.stringValue ?? ""
            if type.lowercased() == "virtualappliance" {
                guard !address.isEmpty else {
                    throw LabRefusal(
                        status: 400, code: "MissingNextHopIpAddress",
                        message: "NextHopIpAddress cannot be Null or Empty in route \(name) when NextHopType is VirtualAppliance.")
                }
                guard IPv4Address(address) != nil else {
                    throw invalid("'nextHopIpAddress' of route \(name) must be an IPv4 address, not '\(address)'.")
                }
            }
        }
    }

    // MARK: Network interfaces

    /// At least one IP configuration, each in a subnet; a static address inside its subnet
    /// (`PrivateIPAddressNotInSubnet`), outside Azure's reserved ones (`PrivateIPAddressInReservedRange`)
    /// and not another's (`PrivateIPAddressIsAllocated`), as Azure names them.
    static func checkNetworkInterface(_ path: ResourcePath, store: ResourceStore) throws(LabRefusal) {
        let configurations = store.children(of: path.id, "ipConfigurations")
        guard !configurations.isEmpty else {
            throw invalid("network interface \(path.name) needs at least one entry in 'properties.ipConfigurations'.")
        }
        for configuration in configurations {
            let id = configuration["id"]?.stringValue ?? ""
            let properties = configuration["properties"]
            guard let subnetID = properties?["subnet"]?["id"]?.stringValue, let subnet = store.record(subnetID) else {
                throw invalid(
                    "IP configuration \(configuration["name"]?.stringValue ?? "") of network interface \(path.name) needs 'properties.subnet.id'."
                )
            }
            guard properties?["privateIPAllocationMethod"]?.stringValue?.lowercased() == "static" else { continue }
            let text = properties?["privateIPAddress"]?.stringValue ?? ""
            guard let address = IPv4Address(text) else {
                throw invalid("a static IP configuration needs 'privateIPAddress', an IPv4 address, not '\(text)'.")
            }
            let prefixes = prefixes(of: subnet).map(\.normalized)
            guard let prefix = prefixes.first(where: { $0.contains(address) }) else {
                throw LabRefusal(
                    status: 400, code: "PrivateIPAddressNotInSubnet",
                    message:
                        "Private static IP address \(address) does not belong to the range of subnet prefix \(prefixes.first?.description ?? "")."
                )
            }
            guard UInt64(address.value) >= UInt64(prefix.first.value) + 4, address != prefix.last else {
                throw LabRefusal(
                    status: 400, code: "PrivateIPAddressInReservedRange",
                    message: "Private static IP address \(address) falls within reserved IP range of subnet prefix \(prefix).")
            }
            if let other = store.addressesInUse(nearSubnet: subnetID, except: id.lowercased())[address] {
                throw LabRefusal(
                    status: 400, code: "PrivateIPAddressIsAllocated",
                    message:
                        "IP configuration \(id) is using the private IP address \(address) which is already allocated to resource \(other)."
                )
            }
        }
    }

    // MARK: Virtual machines

    static func checkVirtualMachine(_ record: JSONValue, path: ResourcePath) throws(LabRefusal) {
        let nics = record["properties"]?["networkProfile"]?["networkInterfaces"]?.arrayValue ?? []
        guard !nics.isEmpty else {
            throw LabRefusal(
                status: 400, code: "InvalidParameter",
                message:
                    "Virtual machine \(path.name) needs at least one network interface in 'properties.networkProfile.networkInterfaces'.")
        }
    }
}
