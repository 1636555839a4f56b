import Foundation
import JSON
import NetworkLab

/// A problem with the sandbox's scenario files or a control request.
public enum SandboxDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A scenario file is in none of the folders searched (``ScenarioFiles``).
    case missingFile(String, searched: [String])
    case invalidJSON(file: String, failure: JSONParser.Failure)
    case invalid(String)

    public var description: String {
        switch self {
        case .missingFile(let name, let searched):
            "The sandbox's scenario file \(name) is missing: it is in none of \(searched.joined(separator: ", ")). Install nwsh again with scripts/install, or run it from the folder it was built in."
        case .invalidJSON(let file, let failure): "The sandbox scenario file \(file) is not valid JSON: \(failure)."
        case .invalid(let reason): "Invalid sandbox data: \(reason)."
        }
    }
}

/// The sandbox's world: the subscription's resources and the lab's facts (how names resolve,
/// what happens inside guests), read from `Scenarios/subscription.json` (data, not code).
public struct SandboxData: Sendable {
    public var subscriptionID: String
    public var tenantID: String
    public var clientID: String
    public var clientSecret: String
    public var servicePrincipalName: String
    public var deviceCodeUser: String
    /// Every resource, as ARM returns it.
    public var resources: [JSONValue]
    /// What ARM does not hold: names and guests.
    public var facts: LabFacts
    /// The resource providers' metadata the sandbox serves (`GET /subscriptions/S/providers/NS`),
    /// from `Scenarios/providers.json`: the types it models and their api-versions.
    public var providers: [JSONValue]

    /// Loads the scenario files shipped with the sandbox.
    public static func bundled() throws(SandboxDataError) -> SandboxData {
        let subscription = try load("subscription")
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
            resources: resources, facts: try facts(subscription["lab"] ?? .object(JSONObject())),
            providers: try load("providers")["providers"]?.arrayValue ?? [])
    }

    private static func facts(_ json: JSONValue) throws(SandboxDataError) -> LabFacts {
        do {
            return try LabFacts(json: json)
        } catch {
            throw .invalid("subscription.json's 'lab': \(error.description)")
        }
    }

    private static func load(_ name: String) throws(SandboxDataError) -> JSONValue {
        let data = try ScenarioFiles.contents(of: "\(name).json")
        do {
            return try JSONParser.parse(bytes: Array(data))
        } catch {
            throw .invalidJSON(file: "\(name).json", failure: error)
        }
    }

    /// This world with the lab read from a file (``LabFile``), and what loading found, to show
    /// the person who loaded it (``LabFile/report(file:)``).
    public func with(labAt path: String) throws(LabFileError) -> (data: SandboxData, report: String) {
        let lab = try LabFile.load(path: path)
        return (with(lab: lab), lab.report(file: path))
    }

    /// This world with a lab's resources instead of the bundled Contoso network; the sign-in,
    /// and the names the lab resolves, stay the sandbox's.
    public func with(lab: LabFile) -> SandboxData {
        var data = self
        data.resources = lab.resources
        data.subscriptionID = lab.subscriptions.first ?? subscriptionID
        return data
    }
}
