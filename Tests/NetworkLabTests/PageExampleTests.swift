import Foundation
import JSON
import NetworkLab
import Testing

/// The page's four documented results come out of the engine, from the Contoso resources the
/// sandbox serves (Sources/Sandbox/Scenarios/subscription.json), field for field except hop IDs.
@Suite struct PageExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load(_ path: String) throws -> JSONValue {
        try JSONParser.parse(bytes: Array(try Data(contentsOf: root.appendingPathComponent(path))))
    }

    static func contoso() throws -> NetworkWatcherAnswers {
        let subscription = try load("Sources/Sandbox/Scenarios/subscription.json")
        let facts = try LabFacts(json: subscription["lab"] ?? .null)
        return NetworkWatcherAnswers(network: LabNetwork(resources: subscription["resources"]?.arrayValue ?? [], facts: facts))
    }

    /// Hop IDs replaced by the hop's position, and links by the position they point at.
    static func withoutIDs(_ result: JSONValue) -> JSONValue {
        guard case .object(var object) = result, let hops = object["hops"]?.arrayValue else { return result }
        let ids = hops.map { $0["id"]?.stringValue ?? "" }
        object["hops"] = .array(
            hops.map { hop in
                guard case .object(var fields) = hop else { return hop }
                fields["id"] = .string("hop \(ids.firstIndex(of: fields["id"]?.stringValue ?? "") ?? -1)")
                fields["nextHopIds"] = .array(
                    (fields["nextHopIds"]?.arrayValue ?? []).map { .string("hop \(ids.firstIndex(of: $0.stringValue ?? "") ?? -1)") })
                return .object(fields)
            })
        return .object(object)
    }

    @Test("each of the page's four examples", arguments: 0..<4)
    func documentedResult(index: Int) throws {
        let example = try #require(try Self.load("Tests/NetworkLabTests/Fixtures/page-examples.json")["examples"]?.arrayValue?[index])
        let answer = try Self.contoso().connectivityCheck(try #require(example["request"]))
        let expected = Self.withoutIDs(try #require(example["result"]))
        #expect(
            JSONFormatter(indent: 2).format(Self.withoutIDs(answer)) == JSONFormatter(indent: 2).format(expected),
            "\(example["name"]?.stringValue ?? "")")
    }
}
