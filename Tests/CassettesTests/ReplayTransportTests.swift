import ARM
import Foundation
import HTTPCore
import Testing

@testable import Cassettes

@Suite struct ReplayTransportTests {
    private func cassette(_ interactions: [(String, String, String?, Int, String)]) -> Cassette {
        Cassette(
            metadata: .init(source: "test", endpoint: "e", recordedWith: "t", recordedAt: "t"),
            events: interactions.enumerated().map { position, item in
                .interaction(
                    Interaction(
                        request: HTTPRequest(method: item.0, url: item.1, body: item.2.map { Array($0.utf8) }),
                        response: HTTPResponse(status: item.3, body: Array(item.4.utf8)), at: Double(position), durationMilliseconds: 1))
            })
    }

    @Test func pathsMatchCaseInsensitivelyQueriesInAnyOrderAndHostsAreIgnored() async throws {
        let replay = ReplayTransport(
            cassette: cassette([("GET", "https://management.azure.com/Subscriptions/S/x?b=2&api-version=1", nil, 200, "one")]),
            file: "c.json")
        let response = try await replay.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:9/subscriptions/s/X?API-VERSION=1&b=2"))
        #expect(response.bodyText == "one")
    }

    @Test func identicalRequestsGetTheirAnswersInRecordedOrder() async throws {
        let replay = ReplayTransport(
            cassette: cassette([
                ("GET", "https://h/op", nil, 202, "first"), ("GET", "https://h/op", nil, 202, "second"),
                ("GET", "https://h/op", nil, 200, "done"),
            ]), file: "c.json")
        var bodies: [String] = []
        for _ in 0..<4 { bodies.append(try await replay.send(HTTPRequest(method: "GET", url: "https://h/op")).bodyText) }
        #expect(bodies == ["first", "second", "done", "done"])
    }

    /// A Tab completion's lookup recorded before a write, and the same GET by a statement after
    /// it: each is answered by its own kind, whatever the order.
    @Test func statementsAndLookupsAreAnsweredByTheirOwnKind() async throws {
        let request = HTTPRequest(method: "GET", url: "https://h/routeTables")
        let replay = ReplayTransport(
            cassette: Cassette(
                metadata: .init(source: "test", endpoint: "e", recordedWith: "t", recordedAt: "t"),
                events: [
                    .interaction(
                        Interaction(
                            request: request, response: HTTPResponse(status: 200, body: Array("before".utf8)), at: 0,
                            durationMilliseconds: 1, lookup: "completion")),
                    .command(text: "ls routeTables", at: 1),
                    .interaction(
                        Interaction(
                            request: request, response: HTTPResponse(status: 200, body: Array("after".utf8)), at: 2, durationMilliseconds: 1
                        )),
                ]), file: "c.json")
        #expect(try await replay.send(request).bodyText == "after")
        #expect(try await RecordingPurpose.$lookup.withValue("completion") { try await replay.send(request) }.bodyText == "before")
        // Asked again: each kind's last answer.
        #expect(try await replay.send(request).bodyText == "after")
        #expect(try await RecordingPurpose.$lookup.withValue("completion") { try await replay.send(request) }.bodyText == "before")
    }

    @Test func bodiesMatchAsJSONValues() async throws {
        let replay = ReplayTransport(
            cassette: cassette([
                ("POST", "https://h/check", #"{"destination": {"address": "a", "port": 80}}"#, 202, "eighty"),
                ("POST", "https://h/check", #"{"destination": {"address": "a", "port": 443}}"#, 202, "four-four-three"),
            ]), file: "c.json")
        let response = try await replay.send(
            HTTPRequest(method: "POST", url: "https://h/check", body: Array(#"{"destination":{"port":443,"address":"a"}}"#.utf8)))
        #expect(response.bodyText == "four-four-three")
        let earlier = try await replay.send(
            HTTPRequest(method: "POST", url: "https://h/check", body: Array(#"{"destination":{"port":80,"address":"a"}}"#.utf8)))
        #expect(earlier.bodyText == "eighty")
    }

    @Test func manyChecksPostedToOneURLAreMatchedByBodyNumbersByValue() async throws {
        let checks: [(String, String, String?, Int, String)] = (0..<300).map {
            ("POST", "https://h/check", #"{"destination": {"port": \#($0), "address": "a"}}"#, 202, "check \($0)")
        }
        let replay = ReplayTransport(cassette: cassette(checks), file: "c.json")
        for port in [299, 0, 150] {
            let response = try await replay.send(
                HTTPRequest(method: "POST", url: "https://h/check", body: Array(#"{"destination":{"address":"a","port":\#(port).0}}"#.utf8))
            )
            #expect(response.bodyText == "check \(port)")
        }
        #expect(ReplayTransport.canonicalBody(Array(#"{"b": [1, 2.50], "a": null}"#.utf8)) == #"j{"a":null,"b":[1.0,2.5]}"#)
        #expect(ReplayTransport.canonicalBody(Array("not json".utf8)) == "bbm90IGpzb24=")
        #expect(ReplayTransport.canonicalBody(nil) == "")
    }

    @Test func anUnmatchedRequestNamesTheClosestInteractionAndTheDifference() async throws {
        let replay = ReplayTransport(
            cassette: cassette([
                ("GET", "https://h/subscriptions/s?api-version=1", nil, 200, "{}"),
                (
                    "POST", "https://h/check?api-version=1", #"{"source": {"id": "vm"}, "destination": {"address": "a", "port": 80}}"#, 202,
                    "null"
                ),
            ]), file: "vm-to-db.cassette.json")
        do {
            _ = try await replay.send(
                HTTPRequest(
                    method: "POST", url: "https://h/check?api-version=1",
                    body: Array(#"{"source": {"id": "vm"}, "destination": {"address": "a", "port": 443}}"#.utf8)))
            Issue.record("matched")
        } catch let error as CassetteError {
            #expect(
                error.description
                    == "No recorded interaction matches POST https://h/check?api-version=1 in 'vm-to-db.cassette.json' (closest: interaction 2, body differs at destination.port: 80 vs 443). Record it with --record-mode new_episodes (or record the session again with --record)."
            )
        }
        do {
            _ = try await replay.send(HTTPRequest(method: "GET", url: "https://h/subscriptions/s?api-version=2"))
            Issue.record("matched")
        } catch let error as CassetteError {
            #expect(error.description.contains("(closest: interaction 1, query differs: api-version: 1 vs 2)"))
        }
    }
}

@Suite struct RecordModeTests {
    static let cases: [(RecordMode, Bool, RecordMode, Bool)] = [
        (.none, true, .none, true), (.none, false, .none, true),
        (.once, true, .none, true), (.once, false, .all, false),
        (.newEpisodes, true, .newEpisodes, true), (.newEpisodes, false, .newEpisodes, false),
        (.all, true, .all, false),
    ]

    @Test("modes resolve against whether the cassette exists", arguments: cases)
    func resolve(mode: RecordMode, exists: Bool, resolved: RecordMode, reads: Bool) {
        #expect(mode.resolved(cassetteExists: exists) == resolved)
        #expect(resolved.readsCassette(exists: exists) == reads)
    }
}
