import ARM
import Foundation
import JSON
import Testing

@testable import Sandbox

/// The lab's resources keep ARM's semantics: children and parents, PUT and PATCH, deletes and
/// references, the checks made before anything is stored, and Azure's long-running writes.
@Suite struct LabStoreTests {
    static let group = "/subscriptions/\(SandboxFixture.subscription)/resourceGroups/ContosoRG"
    static let network = "\(group)/providers/Microsoft.Network"
    static let compute = "\(group)/providers/Microsoft.Compute"
    static let vnet = "\(network)/virtualNetworks/LabVNet"
    static let nsg = "\(network)/networkSecurityGroups/LabNsg"

    static func call(_ fixture: SandboxFixture, _ method: String, _ path: String, _ body: String? = nil) async throws -> ARMResult {
        let version = path.contains("Microsoft.Compute") ? "2024-07-01" : "2024-05-01"
        return try await fixture.client.perform(
            ARMCall(method: method, target: "\(path)?api-version=\(version)", body: body.map { Array($0.utf8) }))
    }

    /// `CODE: message` of an error answer, or `STATUS` of any other.
    static func outcome(_ result: ARMResult) -> String {
        guard let code = result.body?["error"]?["code"]?.stringValue else { return "\(result.response.status)" }
        return "\(code): \(result.body?["error"]?["message"]?.stringValue ?? "")"
    }

    static let vnetBody =
        #"{"location": "westcentralus", "properties": {"addressSpace": {"addressPrefixes": ["10.50.0.0/16"]}, "subnets": [{"name": "web", "properties": {"addressPrefix": "10.50.1.0/24"}}]}}"#

    static func nicBody(subnet: String = "web", address: String? = nil) -> String {
        let allocation = address.map { #", "privateIPAllocationMethod": "Static", "privateIPAddress": "\#($0)""# } ?? ""
        return
            #"{"location": "westcentralus", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": "\#(vnet)/subnets/\#(subnet)"}\#(allocation)}}]}}"#
    }

    @Test("a write is long-running as the network provider answers it, and reads back Succeeded, over HTTP")
    func writesAreLongRunning() async throws {
        let fixture = try await SandboxFixture.start(overHTTP: true)
        defer { Task { await fixture.stop() } }
        let created = try await Self.call(fixture, "PUT", Self.vnet, Self.vnetBody)
        #expect(created.accepted?.status == 201)
        #expect(
            created.accepted?.headers["Azure-AsyncOperation"]?.contains("/providers/Microsoft.Network/locations/westcentralus/operations/")
                == true)
        #expect(created.polls >= 2)
        #expect(created.response.status == 200)
        #expect(created.body?["properties"]?["provisioningState"] == .string("Succeeded"))
        #expect(created.body?["etag"]?.stringValue?.hasPrefix("W/\"") == true)
        #expect(created.body?["properties"]?["subnets"]?.arrayValue?.first?["id"]?.stringValue == "\(Self.vnet)/subnets/web")
        let replaced = try await Self.call(fixture, "PUT", Self.vnet, Self.vnetBody)
        #expect(replaced.accepted?.status == 200)
        #expect(replaced.body?["etag"] != created.body?["etag"])
        let deleted = try await Self.call(fixture, "DELETE", Self.vnet)
        #expect(deleted.accepted?.status == 202)
        #expect(try await Self.call(fixture, "GET", "\(Self.vnet)/subnets/web").response.status == 404)
        #expect(try await Self.call(fixture, "DELETE", Self.vnet).response.status == 204)
        // A child's operation is in its parent's region; a VM's in Microsoft.Compute's namespace.
        _ = try await Self.call(fixture, "PUT", Self.vnet, Self.vnetBody.replacingOccurrences(of: "westcentralus", with: "northeurope"))
        let subnet = try await Self.call(fixture, "PUT", "\(Self.vnet)/subnets/db", #"{"properties": {"addressPrefix": "10.50.2.0/24"}}"#)
        #expect(
            subnet.accepted?.headers["Azure-AsyncOperation"]?.contains("/providers/Microsoft.Network/locations/northeurope/operations/")
                == true)
        _ = try await Self.call(fixture, "PUT", "\(Self.network)/networkInterfaces/webNic", Self.nicBody())
        let vm = try await Self.call(
            fixture, "PUT", "\(Self.compute)/virtualMachines/Web",
            #"{"location": "westcentralus", "properties": {"networkProfile": {"networkInterfaces": [{"id": "\#(Self.network)/networkInterfaces/webNic"}]}}}"#
        )
        #expect(
            vm.accepted?.headers["Azure-AsyncOperation"]?.contains("/providers/Microsoft.Compute/locations/westcentralus/operations/")
                == true)
    }

    @Test("a child written alone appears in its parent, and a parent's PUT replaces its children")
    func childrenAndParents() async throws {
        let fixture = try await SandboxFixture.start()
        _ = try await Self.call(fixture, "PUT", Self.vnet, Self.vnetBody)
        let subnet = try await Self.call(fixture, "PUT", "\(Self.vnet)/subnets/db", #"{"properties": {"addressPrefix": "10.50.2.0/24"}}"#)
        #expect(subnet.body?["type"] == .string("Microsoft.Network/virtualNetworks/subnets"))
        let parent = try await Self.call(fixture, "GET", Self.vnet)
        #expect(parent.body?["properties"]?["subnets"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["web", "db"])
        let listed = try await Self.call(fixture, "GET", "\(Self.vnet)/subnets")
        #expect(listed.body?["value"]?.arrayValue?.count == 2)
        _ = try await Self.call(fixture, "PUT", Self.vnet, Self.vnetBody)
        #expect(try await Self.call(fixture, "GET", "\(Self.vnet)/subnets/db").response.status == 404)
        // A subnet in use cannot be dropped by a PUT of its VNet either.
        _ = try await Self.call(fixture, "PUT", "\(Self.network)/networkInterfaces/webNic", Self.nicBody())
        let dropped = try await Self.call(
            fixture, "PUT", Self.vnet,
            #"{"location": "westcentralus", "properties": {"addressSpace": {"addressPrefixes": ["10.50.0.0/16"]}}}"#)
        #expect(
            Self.outcome(dropped)
                == "InUseSubnetCannotBeDeleted: Subnet web is in use by \(Self.network)/networkInterfaces/webNic/ipConfigurations/ipconfig1 and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet."
        )
        // PATCH merges: the address space changes, the subnets stay.
        let patched = try await Self.call(
            fixture, "PATCH", Self.vnet, #"{"properties": {"addressSpace": {"addressPrefixes": ["10.50.0.0/16", "10.51.0.0/16"]}}}"#)
        #expect(patched.body?["properties"]?["addressSpace"]?["addressPrefixes"]?.arrayValue?.count == 2)
        #expect(patched.body?["properties"]?["subnets"]?.arrayValue?.count == 1)
    }

    @Test("a security group gets Azure's default rules, read-only; a rule written alone joins it")
    func securityGroups() async throws {
        let fixture = try await SandboxFixture.start()
        let group = try await Self.call(fixture, "PUT", Self.nsg, #"{"location": "westcentralus"}"#)
        #expect(
            group.body?["properties"]?["defaultSecurityRules"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                "AllowVnetInBound", "AllowAzureLoadBalancerInBound", "DenyAllInBound", "AllowVnetOutBound", "AllowInternetOutBound",
                "DenyAllOutBound",
            ])
        let rule =
            #"{"properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}"#
        #expect(try await Self.call(fixture, "PUT", "\(Self.nsg)/securityRules/Https", rule).response.status == 200)
        let read = try await Self.call(fixture, "GET", Self.nsg)
        #expect(read.body?["properties"]?["securityRules"]?.arrayValue?.first?["name"] == .string("Https"))
        let defaults = try await Self.call(fixture, "PUT", "\(Self.nsg)/defaultSecurityRules/DenyAllInBound", rule)
        #expect(Self.outcome(defaults) == "MethodNotAllowed: The requested resource does not support http method 'PUT'.")
    }

    @Test(
        "bodies are checked before anything is stored, with ARM's codes",
        arguments: [
            (
                "\(vnet)/subnets/outside", #"{"properties": {"addressPrefix": "10.60.1.0/24"}}"#,
                "NetcfgSubnetRangeOutsideVnet: Subnet 'outside' is not valid because its IP address range is outside the IP address range of virtual network 'LabVNet'."
            ),
            (
                "\(vnet)/subnets/overlap", #"{"properties": {"addressPrefix": "10.50.1.128/25"}}"#,
                "NetcfgSubnetRangesOverlap: Subnet 'overlap' is not valid because its IP address range overlaps with that of an existing subnet in virtual network 'LabVNet'."
            ),
            (
                "\(vnet)/subnets/bad", #"{"properties": {"addressPrefix": "10.50.300.0/24"}}"#,
                "InvalidRequestFormat: Cannot parse the request: '10.50.300.0/24' of subnet bad is not an address prefix such as 10.1.1.0/24."
            ),
            (
                "\(nsg)/securityRules/Low",
                #"{"properties": {"priority": 50, "direction": "Inbound", "access": "Allow", "protocol": "*"}}"#,
                "SecurityRuleInvalidPriority: Security rule has invalid Priority. Value provided: 50 Allowed range 100-4096."
            ),
            (
                "\(nsg)/securityRules/Twin",
                #"{"properties": {"priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "*"}}"#,
                "SecurityRuleConflict: Security rule Existing conflicts with rule Twin. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules."
            ),
            (
                "\(nsg)/securityRules/Odd",
                #"{"properties": {"priority": 200, "direction": "Sideways", "access": "Deny", "protocol": "*"}}"#,
                "InvalidRequestFormat: Cannot parse the request: 'direction' of security rule Odd must be Inbound, Outbound, not 'Sideways'."
            ),
            (
                "\(network)/routeTables/LabRoutes",
                #"{"location": "westcentralus", "properties": {"routes": [{"name": "ToNva", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance"}}]}}"#,
                "MissingNextHopIpAddress: NextHopIpAddress cannot be Null or Empty in route ToNva when NextHopType is VirtualAppliance."
            ),
            (
                "\(network)/networkInterfaces/farNic", nicBody(address: "10.50.9.9"),
                "PrivateIPAddressNotInSubnet: Private static IP address 10.50.9.9 does not belong to the range of subnet prefix 10.50.1.0/24."
            ),
            (
                "\(network)/networkInterfaces/gatewayNic", nicBody(address: "10.50.1.1"),
                "PrivateIPAddressInReservedRange: Private static IP address 10.50.1.1 falls within reserved IP range of subnet prefix 10.50.1.0/24."
            ),
            (
                "\(network)/networkInterfaces/twinNic", nicBody(address: "10.50.1.4"),
                "PrivateIPAddressIsAllocated: IP configuration \(network)/networkInterfaces/twinNic/ipConfigurations/ipconfig1 is using the private IP address 10.50.1.4 which is already allocated to resource \(network)/networkInterfaces/firstNic/ipConfigurations/ipconfig1."
            ),
            (
                "\(network)/networkInterfaces/lostNic", nicBody(subnet: "nowhere"),
                "InvalidResourceReference: Resource \(vnet)/subnets/nowhere referenced by resource \(network)/networkInterfaces/lostNic/ipConfigurations/ipconfig1 was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."
            ),
            (
                "\(network)/networkInterfaces/oddNic",
                #"{"location": "westcentralus", "properties": {"networkSecurityGroup": {"id": "LabNsg"}, "ipConfigurations": []}}"#,
                "LinkedInvalidPropertyId: Property id 'LabNsg' at path 'properties.networkSecurityGroup.id' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'."
            ),
            (
                "\(network)/networkSecurityGroups/Nowhere", #"{"properties": {}}"#,
                "LocationRequired: The location property is required for this definition."
            ),
            (
                "\(network)/virtualNetworks/V2", #"{"location": "westcentralus", "properties": {}}"#,
                "InvalidRequestFormat: Cannot parse the request: virtual network V2 needs 'properties.addressSpace.addressPrefixes'."
            ),
            (
                "\(network)/virtualNetworks/V2",
                #"{"location": "westcentralus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/40"]}}}"#,
                "InvalidRequestFormat: Cannot parse the request: '10.0.0.0/40' in the address space of virtual network V2 is not an address prefix such as 10.1.0.0/16."
            ),
            (
                "\(network)/virtualNetworks/V2",
                #"{"location": "westcentralus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}, "subnets": {"name": "s"}}}"#,
                "InvalidRequestFormat: Cannot parse the request: 'properties.subnets' must be a list."
            ),
            (
                "\(network)/virtualNetworks/V2",
                #"{"location": "westcentralus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}, "subnets": [7]}}"#,
                "InvalidRequestFormat: Cannot parse the request: 'properties.subnets[0]' must be an object."
            ),
            (
                "\(network)/virtualNetworks/V2",
                #"{"location": "westcentralus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}, "subnets": [{"properties": {}}]}}"#,
                "InvalidRequestFormat: Cannot parse the request: 'properties.subnets[0]' needs a 'name'."
            ),
            (
                "\(network)/virtualNetworks/V2", #"{"location": "westcentralus", "properties": "none"}"#,
                "InvalidRequestFormat: Cannot parse the request: 'properties' must be an object."
            ),
            (
                "\(nsg)/securityRules/NoPriority", #"{"properties": {"direction": "Inbound", "access": "Deny", "protocol": "*"}}"#,
                "InvalidRequestFormat: Cannot parse the request: security rule NoPriority needs a whole-number 'priority'."
            ),
            (
                "\(nsg)/securityRules/BadPort",
                #"{"properties": {"priority": 300, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "destinationPortRange": "80-70"}}"#,
                "InvalidRequestFormat: Cannot parse the request: '80-70' in destinationPortRanges of security rule BadPort is not a port, a range such as 8000-8080, or *."
            ),
            (
                "\(nsg)/securityRules/BadAddress",
                #"{"properties": {"priority": 300, "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "sourceAddressPrefix": "10.0.0.0/99"}}"#,
                "InvalidRequestFormat: Cannot parse the request: '10.0.0.0/99' in sourceAddressPrefixes of security rule BadAddress is not an address, a prefix, a service tag or *."
            ),
            (
                "\(network)/routeTables/LabRoutes",
                #"{"location": "westcentralus", "properties": {"routes": [{"name": "R", "properties": {"addressPrefix": "10.0.0.0", "nextHopType": "Hub"}}]}}"#,
                "InvalidRequestFormat: Cannot parse the request: 'nextHopType' of route R must be VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance, None, not 'Hub'."
            ),
            (
                "\(network)/routeTables/LabRoutes",
                #"{"location": "westcentralus", "properties": {"routes": [{"name": "R", "properties": {"addressPrefix": "ten", "nextHopType": "None"}}]}}"#,
                "InvalidRequestFormat: Cannot parse the request: 'addressPrefix' of route R must be an address prefix such as 10.1.4.0/24, not 'ten'."
            ),
            (
                "\(network)/routeTables/LabRoutes",
                #"{"location": "westcentralus", "properties": {"routes": [{"name": "R", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "nva"}}]}}"#,
                "InvalidRequestFormat: Cannot parse the request: 'nextHopIpAddress' of route R must be an IPv4 address, not 'nva'."
            ),
            (
                "\(network)/networkInterfaces/emptyNic", #"{"location": "westcentralus", "properties": {"ipConfigurations": []}}"#,
                "InvalidRequestFormat: Cannot parse the request: network interface emptyNic needs at least one entry in 'properties.ipConfigurations'."
            ),
            (
                "\(network)/networkInterfaces/looseNic",
                #"{"location": "westcentralus", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {}}]}}"#,
                "InvalidRequestFormat: Cannot parse the request: IP configuration ipconfig1 of network interface looseNic needs 'properties.subnet.id'."
            ),
            (
                "\(network)/networkInterfaces/staticNic",
                #"{"location": "westcentralus", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAllocationMethod": "Static", "subnet": {"id": "\#(vnet)/subnets/web"}}}]}}"#,
                "InvalidRequestFormat: Cannot parse the request: a static IP configuration needs 'privateIPAddress', an IPv4 address, not ''."
            ),
            (
                "\(compute)/virtualMachines/Bare", #"{"location": "westcentralus", "properties": {}}"#,
                "InvalidParameter: Virtual machine Bare needs at least one network interface in 'properties.networkProfile.networkInterfaces'."
            ),
            (
                "\(group)/providers/Microsoft.Network/virtualNetworks/Orphan/subnets/web",
                #"{"properties": {"addressPrefix": "10.0.0.0/24"}}"#,
                "ParentResourceNotFound: Can not perform requested operation on nested resource. Parent resource 'Orphan' not found."
            ),
            (
                "/subscriptions/\(SandboxFixture.subscription)/resourceGroups/NoGroup/providers/Microsoft.Network/networkSecurityGroups/X",
                #"{"location": "westus"}"#, "ResourceGroupNotFound: Resource group 'NoGroup' could not be found."
            ),
        ])
    func badBodiesChangeNothing(path: String, body: String, expected: String) async throws {
        let fixture = try await SandboxFixture.start()
        _ = try await Self.call(fixture, "PUT", Self.vnet, Self.vnetBody)
        _ = try await Self.call(fixture, "PUT", "\(Self.network)/networkInterfaces/firstNic", Self.nicBody())
        _ = try await Self.call(
            fixture, "PUT", Self.nsg,
            #"{"location": "westcentralus", "properties": {"securityRules": [{"name": "Existing", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "*"}}]}}"#
        )
        let before = try await Self.call(fixture, "GET", Self.vnet).body
        let nsgBefore = try await Self.call(fixture, "GET", Self.nsg).body
        let result = try await Self.call(fixture, "PUT", path, body)
        #expect(
            result.response.status
                == (expected.hasPrefix("ParentResourceNotFound") || expected.hasPrefix("ResourceGroupNotFound") ? 404 : 400))
        #expect(Self.outcome(result) == expected)
        #expect(try await Self.call(fixture, "GET", path).response.status == 404)
        #expect(try await Self.call(fixture, "GET", Self.vnet).body == before)
        #expect(try await Self.call(fixture, "GET", Self.nsg).body == nsgBefore)
    }

    @Test("dynamic private addresses: the first free one after Azure's four reserved, kept across writes")
    func dynamicAddresses() async throws {
        let fixture = try await SandboxFixture.start()
        _ = try await Self.call(fixture, "PUT", Self.vnet, Self.vnetBody)
        func address(_ name: String) async throws -> String? {
            let nic = try await Self.call(fixture, "PUT", "\(Self.network)/networkInterfaces/\(name)", Self.nicBody())
            return nic.body?["properties"]?["ipConfigurations"]?.arrayValue?.first?["properties"]?["privateIPAddress"]?.stringValue
        }
        #expect(try await address("a") == "10.50.1.4")
        #expect(try await address("b") == "10.50.1.5")
        #expect(try await address("a") == "10.50.1.4")
        _ = try await Self.call(fixture, "DELETE", "\(Self.network)/networkInterfaces/a")
        #expect(try await address("b") == "10.50.1.5", "b keeps its address though .4 is free")
        #expect(try await address("c") == "10.50.1.4")
    }

    @Test("what is still referred to cannot be deleted, with the error Azure gives for its type")
    func inUseCannotBeDeleted() async throws {
        let fixture = try await SandboxFixture.start()
        _ = try await Self.call(fixture, "PUT", Self.nsg, #"{"location": "westcentralus"}"#)
        _ = try await Self.call(
            fixture, "PUT", "\(Self.network)/routeTables/LabRoutes", #"{"location": "westcentralus", "properties": {"routes": []}}"#)
        _ = try await Self.call(
            fixture, "PUT", Self.vnet,
            #"{"location": "westcentralus", "properties": {"addressSpace": {"addressPrefixes": ["10.50.0.0/16"]}, "subnets": [{"name": "web", "properties": {"addressPrefix": "10.50.1.0/24", "routeTable": {"id": "\#(Self.network)/routeTables/LabRoutes"}}}]}}"#
        )
        let nic = "\(Self.network)/networkInterfaces/webNic"
        _ = try await Self.call(
            fixture, "PUT", nic,
            #"{"location": "westcentralus", "properties": {"networkSecurityGroup": {"id": "\#(Self.nsg)"}, "ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": "\#(Self.vnet)/subnets/web"}}}]}}"#
        )
        let vm = "\(Self.compute)/virtualMachines/Web"
        let machine = try await Self.call(
            fixture, "PUT", vm,
            #"{"location": "westcentralus", "properties": {"networkProfile": {"networkInterfaces": [{"id": "\#(nic)"}]}}}"#)
        #expect(machine.response.status == 200)
        #expect(try await Self.call(fixture, "GET", nic).body?["properties"]?["virtualMachine"]?["id"] == .string(vm))
        #expect(
            Self.outcome(try await Self.call(fixture, "DELETE", "\(Self.vnet)/subnets/web"))
                == "InUseSubnetCannotBeDeleted: Subnet web is in use by \(nic)/ipConfigurations/ipconfig1 and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet."
        )
        #expect(
            Self.outcome(try await Self.call(fixture, "DELETE", Self.nsg))
                == "InUseNetworkSecurityGroupCannotBeDeleted: Network security group \(Self.nsg) cannot be deleted because it is in use by the following resources: \(nic). In order to delete the Network security group, remove the association with the resource(s). To learn how to do this, see aka.ms/deletensg."
        )
        #expect(
            Self.outcome(try await Self.call(fixture, "DELETE", "\(Self.network)/routeTables/LabRoutes"))
                == "InUseRouteTableCannotBeDeleted: Route table LabRoutes is in use and cannot be deleted.")
        #expect(
            Self.outcome(try await Self.call(fixture, "DELETE", nic))
                == "NicInUse: Network Interface \(nic) is used by existing resource \(vm). In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic."
        )
        // Taken apart in order, everything goes.
        for path in [vm, nic, Self.nsg, Self.vnet, "\(Self.network)/routeTables/LabRoutes"] {
            #expect(Self.outcome(try await Self.call(fixture, "DELETE", path)) == "200", "\(path)")
        }
    }
}
