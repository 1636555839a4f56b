import Foundation
import JSON

/// A problem with the sandbox's scenario files or a control request.
public enum SandboxDataError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingFile(String)
    case invalidJSON(file: String, failure: JSONParser.Failure)
    case invalid(String)

    public var description: String {
        switch self {
        case .missingFile(let name): "The sandbox scenario file \(name) is missing from the build."
        case .invalidJSON(let file, let failure): "The sandbox scenario file \(file) is not valid JSON: \(failure)."
        case .invalid(let reason): "Invalid sandbox data: \(reason)."
        }
    }
}

/// The sandbox's world: the subscription's resources and the connectivity answers, read from the
/// JSON files in `Scenarios/` (data, not code: add a scenario by editing them).
public struct SandboxData: Sendable {
    public var subscriptionID: String
    public var tenantID: String
    public var clientID: String
    public var clientSecret: String
    public var servicePrincipalName: String
    public var deviceCodeUser: String
    /// Every resource, as ARM returns it.
    public var resources: [JSONValue]
    /// Connectivity scenarios, matched in order.
    public var scenarios: [JSONValue]
    /// Default connectivity answers by destination kind (`virtualMachine`, `address`).
    public var defaults: JSONObject

    /// Loads the scenario files shipped with the sandbox.
    public static func bundled() throws(SandboxDataError) -> SandboxData {
        let subscription = try load("subscription")
        let connectivity = try load("connectivity")
        guard let tenant = subscription["tenantId"]?.stringValue,
            let principal = subscription["servicePrincipal"],
            let resources = subscription["resources"]?.arrayValue,
            let subscriptionID = resources.first?["subscriptionId"]?.stringValue
        else {
            throw .invalid("subscription.json needs tenantId, servicePrincipal and resources (the subscription first)")
        }
        return SandboxData(
            subscriptionID: subscriptionID, tenantID: tenant,
            clientID: principal["clientId"]?.stringValue ?? "", clientSecret: principal["clientSecret"]?.stringValue ?? "",
            servicePrincipalName: principal["displayName"]?.stringValue ?? "sandbox app",
            deviceCodeUser: subscription["deviceCodeUser"]?.stringValue ?? "user@sandbox",
            resources: resources,
            scenarios: connectivity["scenarios"]?.arrayValue ?? [],
            defaults: connectivity["default"]?.objectValue ?? JSONObject())
    }

    private static func load(_ name: String) throws(SandboxDataError) -> JSONValue {
        guard
            let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Scenarios")
                ?? Bundle.module.url(forResource: name, withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else {
            throw .missingFile("\(name).json")
        }
        do {
            return try JSONParser.parse(bytes: Array(data))
        } catch {
            throw .invalidJSON(file: "\(name).json", failure: error)
        }
    }
}
