import Cassettes
import Foundation
import HTTPCore
import JSON
import NetworkLab

/// A copy of a network, read from a file for the lab: an nwsh cassette (every successful GET of
/// a resource or a list in it), a HAR file or a vcrpy YAML cassette (imported first), or JSON
/// holding ARM resources (an array, or ARM's `{"value": [...]}`, as `az resource list` and
/// `az network nsg list` print them).
///
/// The latest answer for each resource wins. Subscriptions and resource groups the resources
/// live in are added when the file does not hold them, and a network watcher for each region
/// that has a virtual network (Azure enables Network Watcher there by itself:
/// https://learn.microsoft.com/azure/network-watcher/network-watcher-create). A resource that
/// cannot be read is reported with why, and loading goes on.
public struct LabFile: Sendable {
    /// What the resources were read from (`nwsh cassette`, `HAR`, `vcrpy YAML`, `ARM resources`).
    public var format: String
    /// The resources, as ARM returns them.
    public var resources: [JSONValue]
    /// Resources that could not be read (an ID or a position, and why).
    public var problems: [String]
    /// Resources the lab added (the subscriptions, groups and watchers the file lacked).
    public var added: [String]
    /// How many resources the file held (subscriptions and resource groups not counted).
    public var held = 0

    /// The subscriptions of the lab, in the order first met.
    public var subscriptions: [String] {
        resources.compactMap { $0["type"] == nil ? $0["subscriptionId"]?.stringValue : nil }
    }

    /// What loading found, for the person who loaded it: counts, what was added, and each
    /// resource that could not be read.
    public func report(file: String) -> String {
        let subscriptionCount = subscriptions.count
        var text =
            "Loaded the lab from \(file) (\(format)): \(held) resource\(held == 1 ? "" : "s") in \(subscriptionCount) subscription\(subscriptionCount == 1 ? "" : "s") (\(subscriptions.joined(separator: ", "))).\n"
        if !added.isEmpty { text += "Added what the file did not hold: \(added.joined(separator: "; ")).\n" }
        if !problems.isEmpty {
            text += "\(problems.count) could not be read and \(problems.count == 1 ? "was" : "were") left out:\n"
            for problem in problems { text += "  \(problem)\n" }
        }
        return text
    }

    /// Reads a lab file.
    public static func load(path: String) throws(LabFileError) -> LabFile {
        guard let bytes = fileContents(path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw LabFileError(
                file: path, reason: exists ? (isDirectory.boolValue ? "it is a folder" : "permission denied") : "no such file")
        }
        return try read(bytes: bytes, file: path)
    }

    /// Reads a lab file's text; `file` names it in errors.
    public static func read(text: String, file: String) throws(LabFileError) -> LabFile {
        try read(bytes: Array(text.utf8), file: file)
    }

    /// Reads a lab file's bytes (JSON is parsed from them as they are; YAML is read as text).
    public static func read(bytes: [UInt8], file: String) throws(LabFileError) -> LabFile {
        var lab = LabFile(format: "", resources: [], problems: [], added: [])
        var collected = Collected()
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        var parsed: JSONValue?
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            do {
                parsed = try JSONParser.parse(bytes: bytes)
            } catch {
                throw LabFileError(
                    file: file,
                    reason: "it is not valid JSON: \(error.reason) (line \(error.location.line), column \(error.location.column))")
            }
        }
        if let json = parsed {
            if json["events"] != nil {
                lab.format = "nwsh cassette"
                do {
                    collected.read(try Cassette(json: json, file: file).interactions)
                } catch {
                    throw LabFileError(file: file, reason: error.description)
                }
            } else if json["log"] != nil {
                lab.format = "HAR"
                // Read from the tree already parsed, not parsed again from the text.
                do {
                    collected.read(try CassetteImporter.fromHAR(json, file: file).interactions)
                } catch {
                    throw LabFileError(file: file, reason: error.description)
                }
            } else if let list = json.arrayValue ?? json["value"]?.arrayValue {
                lab.format = "ARM resources"
                for (index, item) in list.enumerated() { collected.take(item, from: "item \(index + 1)") }
            } else if json["id"] != nil {
                lab.format = "ARM resources"
                collected.take(json, from: "the file")
            } else {
                throw LabFileError(
                    file: file,
                    reason:
                        "it is JSON, but not a cassette, a HAR file, a list of ARM resources ([...] or {\"value\": [...]}) or one resource")
            }
        } else {
            lab.format = "vcrpy YAML"
            collected.read(try importedYAML(bytes, file: file))
        }
        lab.problems = collected.problems
        lab.complete(collected)
        return lab
    }

    private static func importedYAML(_ bytes: [UInt8], file: String) throws(LabFileError) -> [Interaction] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw LabFileError(file: file, reason: "it is not UTF-8 text") }
        do {
            return try CassetteImporter.fromVCR(yaml: text, file: file).interactions
        } catch {
            throw LabFileError(file: file, reason: error.description)
        }
    }

    /// Resources collected from answers, the latest for each ID first met.
    private struct Collected {
        var byKey: [String: JSONValue] = [:]
        var paths: [String: ResourcePath] = [:]
        var order: [String] = []
        var instanceViews: [String: JSONValue] = [:]
        /// VMs whose extensions were listed (so none listed means none there).
        var extensionLists: Set<String> = []
        var problems: [String] = []

        mutating func take(_ resource: JSONValue, from place: String) {
            guard case .object = resource else {
                problems.append("\(place): not a resource (it is \(resource.kindDescription))")
                return
            }
            guard let id = resource["id"]?.stringValue else {
                problems.append("\(place): a resource without an 'id'")
                return
            }
            guard let path = ResourcePath(id) else {
                problems.append("\(id): not an ARM resource ID (/subscriptions/S/resourceGroups/G/providers/NAMESPACE/TYPE/NAME)")
                return
            }
            guard case .object(var object) = resource else { return }
            if path.type != nil, object["type"] == nil { object["type"] = .string(path.type ?? "") }
            let key = path.key
            let type = path.type?.lowercased() ?? ""
            for collection in ResourceStore.collections where collection.parentType == type && collection.inProperties {
                guard var properties = object["properties"]?.objectValue, let items = properties[collection.segment]?.arrayValue else {
                    continue
                }
                // The parent's answer says what its collection holds now: children taken alone
                // before, and no longer in it, are gone.
                let prefix = key + "/" + collection.segment.lowercased() + "/"
                forget(keysUnder: prefix)
                // A child whose ID is not in this collection of this parent cannot be its child.
                let kept = items.filter { item in
                    let childID = item["id"]?.stringValue ?? ""
                    guard ResourceStore.isDirectChild(childID, under: prefix) else {
                        problems.append(
                            "\(path.id): its \(collection.segment) list holds \(childID.isEmpty ? "an entry without an 'id'" : childID), which is not one of its \(collection.segment)"
                        )
                        return false
                    }
                    return true
                }
                if kept.count < items.count {
                    properties[collection.segment] = .array(kept)
                    object["properties"] = .object(properties)
                }
            }
            if type == "microsoft.compute/virtualmachines", let extensions = object["resources"]?.arrayValue {
                let prefix = key + "/extensions/"
                forget(keysUnder: prefix)
                object["resources"] = .array(
                    extensions.filter { ResourceStore.isDirectChild($0["id"]?.stringValue ?? "", under: prefix) })
            }
            if byKey[key] == nil { order.append(key) }
            byKey[key] = .object(object)
            paths[key] = path
            if path.parent != nil, let slash = key.lastIndex(of: "/") {
                takenChildren[String(key[...slash]), default: []].insert(key)
            }
        }

        /// Children taken on their own, by the prefix of their collection (`.../virtualnetworks/v/subnets/`).
        var takenChildren: [String: Set<String>] = [:]

        /// Drops the children taken on their own in a collection (a later answer no longer lists
        /// them): a lookup, not a scan, since every parent taken asks.
        mutating func forget(keysUnder prefix: String) {
            for key in takenChildren.removeValue(forKey: prefix) ?? [] { byKey[key] = nil }
        }

        /// Drops a resource and everything under it (a DELETE, or a GET answered 404).
        mutating func forget(_ key: String) {
            byKey[key] = nil
            for other in byKey.keys where other.hasPrefix(key + "/") { byKey[other] = nil }
        }

        /// Every successful GET of a resource (its body has its `id`) or a list (`value`), in order.
        /// A successful DELETE, or a GET answered 404, removes what it names.
        mutating func read(_ interactions: [Interaction]) {
            for interaction in interactions {
                let method = interaction.request.method
                let status = interaction.response.status
                let path = Self.path(of: interaction.request.url)
                if (method == "DELETE" && (200..<300).contains(status)) || (method == "GET" && status == 404) {
                    if let gone = ResourcePath(path) { forget(gone.key) }
                    continue
                }
                guard method == "GET", (200..<300).contains(status), let body = try? JSONParser.parse(bytes: interaction.response.body)
                else {
                    continue
                }
                let lowered = path.lowercased()
                if lowered.hasSuffix("/instanceview"), body["statuses"] != nil {
                    instanceViews[String(lowered.dropLast("/instanceview".count))] = body
                } else if let list = body["value"]?.arrayValue, body["id"] == nil {
                    // A VM's extensions listed, even none: they are known.
                    if lowered.hasSuffix("/extensions"), !lowered.contains("?") {
                        extensionLists.insert(String(lowered.dropLast("/extensions".count)))
                    }
                    // The first page of a child collection says what it holds now.
                    if Self.isChildCollection(lowered), !interaction.request.url.contains("skiptoken") { forget(keysUnder: lowered + "/") }
                    for (index, item) in list.enumerated() {
                        take(item, from: "GET \(path), item \(index + 1)")
                    }
                } else if body["id"] != nil, lowered.hasPrefix("/subscriptions/") {
                    take(body, from: "GET \(path)")
                }
            }
        }

        /// Whether a path is a modelled child collection (`.../virtualNetworks/V/subnets`).
        static func isChildCollection(_ lowered: String) -> Bool {
            let segments = lowered.split(separator: "/")
            guard segments.count >= 9, segments[4] == "providers", let last = segments.last else { return false }
            return ResourceStore.collections.contains {
                $0.parentType == "\(segments[5])/\(segments[6])" && $0.segment.lowercased() == last
            }
        }

        static func path(of url: String) -> String {
            var rest = Substring(url)
            if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...].drop { $0 != "/" } }
            return String(rest.prefix { $0 != "?" })
        }
    }

    /// The collected resources, with instance views folded into their VMs and what they live in added.
    private mutating func complete(_ collected: Collected) {
        var resources: [(path: ResourcePath, value: JSONValue)] = []
        var keys = Set<String>()
        for key in collected.order {
            guard !keys.contains(key), var resource = collected.byKey[key], let path = collected.paths[key] else { continue }
            if let view = collected.instanceViews[key], case .object(var object) = resource {
                var properties = object["properties"]?.objectValue ?? JSONObject()
                properties["instanceView"] = view
                object["properties"] = .object(properties)
                resource = .object(object)
            }
            if collected.extensionLists.contains(key), case .object(var object) = resource, object["resources"] == nil {
                object["resources"] = .array([])
                resource = .object(object)
            }
            resources.append((path, resource))
            keys.insert(key)
        }
        held = resources.filter { $0.path.type != nil && $0.path.type != "Microsoft.Resources/resourceGroups" }.count
        // A child whose parent was never recorded cannot be shown anywhere.
        resources.removeAll { resource in
            guard let parent = resource.path.parent else { return false }
            if keys.contains(parent.lowercased()) { return false }
            problems.append("\(resource.path.id): its parent \(parent) is not in the file")
            return true
        }
        var containers: [JSONValue] = []
        var regions: [String: Set<String>] = [:]
        var hasWatcher = Set<String>()
        for (path, resource) in resources {
            let subscriptionKey = "/subscriptions/\(path.subscription)".lowercased()
            if !keys.contains(subscriptionKey) {
                keys.insert(subscriptionKey)
                containers.append(ResourceStore.subscription(path.subscription))
                added.append("subscription \(path.subscription)")
            }
            let location = resource["location"]?.stringValue
            if let group = path.resourceGroupID, !keys.contains(group.lowercased()) {
                keys.insert(group.lowercased())
                containers.append(Self.resourceGroup(group, location: location ?? "westus"))
                added.append("resource group \(group)")
            }
            switch path.type?.lowercased() {
            case "microsoft.network/virtualnetworks":
                if let location { regions[path.subscription, default: []].insert(location.lowercased()) }
            case "microsoft.network/networkwatchers":
                if let location { hasWatcher.insert("\(path.subscription.lowercased()) \(location.lowercased())") }
            default: break
            }
        }
        for (subscription, locations) in regions.sorted(by: { $0.key < $1.key }) {
            for location in locations.sorted() where !hasWatcher.contains("\(subscription.lowercased()) \(location)") {
                let group = "/subscriptions/\(subscription)/resourceGroups/NetworkWatcherRG"
                if !keys.contains(group.lowercased()) {
                    keys.insert(group.lowercased())
                    containers.append(Self.resourceGroup(group, location: location))
                    added.append("resource group \(group)")
                }
                let id = "\(group)/providers/Microsoft.Network/networkWatchers/NetworkWatcher_\(location)"
                containers.append(
                    .object(
                        JSONObject([
                            "name": .string("NetworkWatcher_\(location)"), "id": .string(id),
                            "type": .string("Microsoft.Network/networkWatchers"),
                            "location": .string(location), "properties": .object(JSONObject(["provisioningState": .string("Succeeded")])),
                        ])))
                added.append("network watcher \(id)")
            }
        }
        // Subscriptions first, as the sandbox lists them; then groups, watchers and the rest.
        let subscriptions = containers.filter { $0["type"] == nil } + resources.filter { $0.path.type == nil }.map(\.value)
        self.resources = subscriptions + containers.filter { $0["type"] != nil } + resources.filter { $0.path.type != nil }.map(\.value)
    }

    private static func resourceGroup(_ id: String, location: String) -> JSONValue {
        .object(
            JSONObject([
                "id": .string(id), "name": .string(String(id.split(separator: "/").last ?? "")),
                "type": .string("Microsoft.Resources/resourceGroups"), "location": .string(location),
                "properties": .object(JSONObject(["provisioningState": .string("Succeeded")])),
            ]))
    }
}

/// A lab file that cannot be read at all.
public struct LabFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var reason: String

    public var description: String { "Cannot load the lab from \(file): \(reason)." }
}

/// A file's bytes, read straight into the array the parser reads (a lab's copy is
/// tens of megabytes: reading it as `Data` and copying that took a tenth of the loading),
/// or a pipe's (`--lab <(az resource list)`); nil when it cannot be opened or read (a folder).
private func fileContents(_ path: String) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    var bytes: [UInt8] = []
    // The size and one more byte, to see the end of a file that grew; a pipe's size is 0.
    var chunk = max(Int(status.st_size), 0) + 1
    while true {
        let start = bytes.count
        var failed = false
        bytes.append(contentsOf: repeatElement(0, count: chunk))
        let count = bytes.withUnsafeMutableBytes { buffer in
            var total = 0
            while total < chunk {
                let got = read(descriptor, buffer.baseAddress! + start + total, chunk - total)
                if got < 0, errno == EINTR { continue }
                if got < 0 { failed = true }
                if got <= 0 { break }
                total += got
            }
            return total
        }
        bytes.removeLast(chunk - count)
        if failed { return nil }
        if count < chunk { return bytes }
        chunk = 1 << 16
    }
}
