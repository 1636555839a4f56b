/// What lies under a resource of a given type, as far as nwsh knows without asking: its child
/// collections (`subnets`, `securityRules`, ...), single children read with a GET
/// (`instanceView`), and the actions its provider documents (`connectivityCheck`, ...). From the
/// paths of the REST API specifications (Azure/azure-rest-api-specs, `specification/network` and
/// `specification/compute`); a type not listed here has none that nwsh knows of.
public enum ResourceTree {
    /// What is under a resource.
    public struct Children: Sendable, Equatable {
        /// Child collections: `GET .../NAME` lists them, `.../NAME/CHILD` is one.
        public var collections: [String] = []
        /// Single children read with a GET.
        public var views: [String] = []
        /// Actions, sent with a POST.
        public var actions: [String] = []

        public init(collections: [String] = [], views: [String] = [], actions: [String] = []) {
            self.collections = collections
            self.views = views
            self.actions = actions
        }
    }

    /// The children of a resource type (`Microsoft.Network/virtualNetworks`), compared ignoring case.
    public static func children(ofType type: String) -> Children {
        known[type.lowercased()] ?? Children()
    }

    private static let known: [String: Children] = [
        "microsoft.network/virtualnetworks": Children(collections: ["subnets", "virtualNetworkPeerings"]),
        "microsoft.network/networksecuritygroups": Children(collections: ["securityRules", "defaultSecurityRules"]),
        "microsoft.network/routetables": Children(collections: ["routes"]),
        "microsoft.network/networkinterfaces": Children(
            collections: ["ipConfigurations"], actions: ["effectiveRouteTable", "effectiveNetworkSecurityGroups"]),
        "microsoft.network/networkwatchers": Children(
            collections: ["connectionMonitors", "flowLogs", "packetCaptures"],
            actions: ["connectivityCheck", "ipFlowVerify", "nextHop", "securityGroupView", "networkConfigurationDiagnostic", "topology"]),
        "microsoft.network/loadbalancers": Children(
            collections: [
                "frontendIPConfigurations", "backendAddressPools", "loadBalancingRules", "probes", "inboundNatRules", "outboundRules",
            ]),
        "microsoft.network/privatednszones": Children(collections: ["virtualNetworkLinks", "ALL"]),
        "microsoft.compute/virtualmachines": Children(
            collections: ["extensions"], views: ["instanceView"], actions: ["start", "restart", "powerOff", "deallocate", "runCommand"]),
    ]
}
