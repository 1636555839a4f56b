import HTTPCore
import JSON

/// Finding a resource a command names other than by its ID: a VM by its name, and the network
/// watcher of a VM's region. Each lookup is a few GETs, sent through `fetch`, so the caller
/// decides how they show (progress, `-v`) and how their failures read.
public struct ResourceLookup: Sendable {
    /// GETs a path (with its api-version) and returns the response's JSON; throws for a failed
    /// request.
    public typealias Fetch = @Sendable (_ target: String) async throws -> JSONValue?

    private let fetch: Fetch

    public init(fetch: @escaping Fetch) {
        self.fetch = fetch
    }

    /// A VM found by name.
    public struct VirtualMachine: Sendable, Equatable {
        public var id: String
        public var location: String?

        public init(id: String, location: String?) {
            self.id = id
            self.location = location
        }
    }

    /// A network watcher found for a VM.
    public struct NetworkWatcher: Sendable, Equatable {
        public var id: String
        public var name: String
        /// The region, as the VM names it.
        public var region: String

        public init(id: String, name: String, region: String) {
            self.id = id
            self.name = name
            self.region = region
        }
    }

    /// The VM with this name: the subscriptions the sign-in can see are listed, then each one's
    /// VMs, and names compared ignoring case, as ARM compares them. A name that no VM, or more
    /// than one, has is refused.
    public func virtualMachine(named name: String) async throws -> VirtualMachine {
        let listed = try await fetch("/subscriptions?api-version=\(ARMAPIVersion.subscriptions)")
        let subscriptions = (listed?["value"]?.arrayValue ?? []).compactMap { $0["subscriptionId"]?.stringValue }
        var found: [VirtualMachine] = []
        for subscription in subscriptions {
            let target = "/subscriptions/\(subscription)/providers/Microsoft.Compute/virtualMachines?api-version=\(ARMAPIVersion.compute)"
            let vms = try await fetch(target)?["value"]?.arrayValue ?? []
            for vm in vms where vm["name"]?.stringValue?.lowercased() == name.lowercased() {
                if let id = vm["id"]?.stringValue { found.append(VirtualMachine(id: id, location: vm["location"]?.stringValue)) }
            }
        }
        guard found.count == 1 else {
            throw found.isEmpty
                ? LookupError.noVirtualMachineNamed(name, subscriptions: subscriptions.count)
                : LookupError.virtualMachineNameIsAmbiguous(name, ids: found.map(\.id))
        }
        return found[0]
    }

    /// The network watcher of the VM's region (Network Watcher is enabled per region, one watcher
    /// per region and subscription): the VM is read for its location unless it is known, then
    /// the subscription's watchers are listed. Regions are compared ignoring case and spaces
    /// (`West US` is `westus`).
    public func networkWatcher(forVirtualMachine vm: String, location known: String? = nil) async throws -> NetworkWatcher {
        let segments = vm.split(separator: "/")
        let subscription = segments.count > 1 ? String(segments[1]) : ""
        let vmName = segments.last.map(String.init) ?? vm
        var location = known
        if location == nil {
            location = try await fetch("\(vm)?api-version=\(ARMAPIVersion.compute)")?["location"]?.stringValue
        }
        guard let location else { throw LookupError.noRegion(vm: vmName) }
        let list = try await fetch(
            "/subscriptions/\(subscription)/providers/Microsoft.Network/networkWatchers?api-version=\(ARMAPIVersion.network)")
        let watchers = list?["value"]?.arrayValue ?? []
        guard let found = watchers.first(where: { Self.sameRegion($0["location"]?.stringValue ?? "", location) }),
            let id = found["id"]?.stringValue
        else {
            throw LookupError.noWatcher(region: location, subscription: subscription, vm: vmName)
        }
        return NetworkWatcher(id: id, name: found["name"]?.stringValue ?? id, region: location)
    }

    /// Whether two region names name the same region: ARM writes `westus`, people and some
    /// responses `West US`.
    static func sameRegion(_ first: String, _ second: String) -> Bool {
        let normalized = { (text: String) in text.lowercased().filter { $0 != " " } }
        return normalized(first) == normalized(second)
    }
}

/// Why a lookup found nothing to use; the shell turns these into sentences.
public enum LookupError: Error, Sendable, Equatable {
    /// The VM's GET gave no location, so its region's watcher cannot be found.
    case noRegion(vm: String)
    /// The subscription has no watcher in the VM's region.
    case noWatcher(region: String, subscription: String, vm: String)
    /// No VM in the subscriptions listed has the name.
    case noVirtualMachineNamed(String, subscriptions: Int)
    /// Several VMs have the name.
    case virtualMachineNameIsAmbiguous(String, ids: [String])
}
