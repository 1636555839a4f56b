import JSON
import Testing

@testable import Diagnostics

/// Reading a result straight from its text (`ConnectivityResult.readDirectly`), the way
/// `explain @file` reads: it must give what the tree reader gives, and decline whatever the
/// tree reads by rules of its own, so that `init(bytes:)` reads those through the tree.
@Suite struct DirectReadingTests {
    /// What the tree reader makes of the text: the result, or the error's description.
    static func tree(_ text: String) -> Result<ConnectivityResult, ResultError>? {
        guard let json = try? JSONParser.parse(text) else { return nil }
        return Result { () throws(ResultError) in try ConnectivityResult(json: json) }
    }

    static let read: [String] = [
        // The page's first example, as the service returns it (round trips as strings in context).
        #"""
        {"hops": [{"type": "Source", "id": "a", "address": "10.1.1.4", "resourceId": "/subscriptions/s/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0",
                   "nextHopIds": ["b"], "issues": [], "links": [{"nextHopId": "b", "linkType": "VnetLocal", "issues": [],
                   "context": {"roundTripTimeMin": "1", "roundTripTimeAvg": "2", "roundTripTimeMax": "4"}, "resourceId": "x"}]},
                  {"type": "VirtualAppliance", "id": "b", "address": "10.1.3.4", "nextHopIds": [],
                   "issues": [{"origin": "Outbound", "severity": "Error", "type": "NetworkSecurityRule", "context": [{"key": "RuleName", "value": "UserRule_Port80"}]}]}],
         "connectionStatus": "Unreachable", "avgLatencyInMs": null, "probesSent": 100, "probesFailed": 100}
        """#,
        #"{"hops": []}"#,
        #"{"hops": null, "connectionStatus": null}"#,
        #"{"unknown": {"Hops": [1, {"x": "y"}]}, "hops": [{"type": null, "id": "a", "extra": [true, false, null], "links": null, "nextHopIds": null}]}"#,
        #"{"hops": [{"type": "Source", "links": [{"nextHopId": "b", "roundTripTimeMin": 3, "roundTripTimeAvg": 4.0, "roundTripTimeMax": null, "context": {"roundTripTimeMax": "9"}}]}]}"#,
        #"{"hops": [{"type": "Source", "links": [{"context": "not an object", "roundTripTimeAvg": -1}]}]}"#,
        #"{"hops": [{"typ\u0065": "Source", "issues": [{"type": "PortThrottled", "context": [{"Port": 443}, {"key": "Count", "value": 12}]}]}]}"#,
        #"{"probesSent": 1e1, "hops": [{"type": "Internet"}], "maxLatencyInMs": 12345678901234}"#,
    ]

    @Test("what it reads, it reads as the tree does", arguments: read)
    func readsAsTheTreeDoes(text: String) throws {
        let direct = try #require(ConnectivityResult.readDirectly(Array(text.utf8)), "declined")
        #expect(Self.tree(text) == .success(direct))
        #expect(try ConnectivityResult(bytes: Array(text.utf8)) == direct)
    }

    static let declined: [String] = [
        // The tree's rules for names: a field matched only ignoring case, or named twice.
        #"{"Hops": [{"type": "Source"}]}"#,
        #"{"hops": [{"Type": "Source"}]}"#,
        #"{"hops": [{"type": "Source", "type": "Destination"}]}"#,
        #"{"hops": [], "connectionStatus": "Reachable", "CONNECTIONSTATUS": "Unreachable"}"#,
        #"{"hops": [{"type": "Source", "links": [{"RoundTripTimeMin": 2}]}]}"#,
        #"{"hops": [], "hops": [{"type": "Source"}]}"#,
        // What the tree reports, with the field.
        #"{"connectionStatus": "Reachable"}"#,
        #"[{"hops": []}]"#,
        #"{"hops": {"type": "Source"}}"#,
        #"{"hops": [{"type": 7}]}"#,
        #"{"hops": [3]}"#,
        #"{"hops": [], "probesSent": "many"}"#,
        #"{"hops": [], "probesSent": 1.5}"#,
        #"{"hops": [{"type": "Source", "nextHopIds": [null]}]}"#,
        #"{"hops": [{"type": "Source", "issues": [{"type": "GuestFirewall", "context": [3]}]}]}"#,
        #"{"hops": [{"type": "Source", "links": [{"context": {"roundTripTimeMin": 5}}]}]}"#,
    ]

    @Test("what it declines, the tree reads or reports", arguments: declined)
    func declinesWhatTheTreeReadsItsOwnWay(text: String) throws {
        #expect(ConnectivityResult.readDirectly(Array(text.utf8)) == nil)
        let fromBytes = Result { () throws(ResultError) in
            do { return try ConnectivityResult(bytes: Array(text.utf8)) } catch let error as ResultError { throw error } catch {
                fatalError("\(error)")
            }
        }
        #expect(fromBytes == Self.tree(text))
    }

    /// Found by fuzzing: a document with two `hops` members (the direct reader declines it) once
    /// streamed both arrays, where the tree reads the first.
    @Test(arguments: [
        #"{"hops": [{}], "hops": [{}], "x\#u{FF}": 0}"#, #"{"hops": null, "hops": [{"type": "Source"}]}"#,
        #"{"hops": [], "hops": [{"type": "Source"}]}"#, #"{"Hops": [{"type": "A"}], "hops": [{"type": "B"}, {"type": "C"}]}"#,
        // Wrong in a hop and in a top-level field: the top-level field is named, as the tree names it.
        #"{"hops": [{"type": "Source", "address": [], "address": "x"}], "probesSent": 1.5}"#,
    ])
    func aRepeatedHopsMemberReadsAsTheTreeReadsIt(text: String) throws {
        let tree = try #require(Self.tree(text))
        let fromBytes = Result { () throws(ResultError) in
            do { return try ConnectivityResult(bytes: Array(text.utf8)) } catch let error as ResultError { throw error } catch {
                fatalError("\(error)")
            }
        }
        #expect(fromBytes == tree)
    }

    @Test(arguments: [#"{"hops": [{"type": "Source"}"#, #"{"hops": []} []"#, #"{"hops": [{"type": "Source", "id": "a\qb"}]}"#, ""])
    func textThatIsNotJSONIsDeclinedAndFailsAsJSON(text: String) {
        #expect(ConnectivityResult.readDirectly(Array(text.utf8)) == nil)
        #expect(throws: JSONParser.Failure.self) { try ConnectivityResult(bytes: Array(text.utf8)) }
    }

    @Test func aLongResultIsReadDirectly() throws {
        // The shape of the benchmark's input: a hop per line, links with round trips, an issue
        // now and then.
        let hops = (0..<500).map { index in
            let issues =
                index % 100 == 99
                ? #"[{"origin": "Outbound", "severity": "Error", "type": "NetworkSecurityRule", "context": [{"key": "RuleName", "value": "Deny"}]}]"#
                : "[]"
            return
                #"{"type": "VirtualAppliance", "id": "hop-\#(index)", "address": "10.0.\#(index / 256).\#(index % 256)", "resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic-\#(index)/ipConfigurations/ipconfig1", "nextHopIds": ["hop-\#(index + 1)"], "issues": \#(issues), "links": [{"nextHopId": "hop-\#(index + 1)", "roundTripTimeMin": 1, "roundTripTimeAvg": 2, "roundTripTimeMax": 3}]}"#
        }
        let text =
            #"{"connectionStatus": "Unreachable", "hops": [\#(hops.joined(separator: ",\n"))], "probesSent": 100, "probesFailed": 100}"#
        let direct = try #require(ConnectivityResult.readDirectly(Array(text.utf8)))
        #expect(direct.hops.count == 500)
        #expect(direct.hops.filter(\.hasIssues).count == 5)
        #expect(Self.tree(text) == .success(direct))
    }

    /// Thousands of damaged results, each byte in turn replaced, removed, repeated or (a letter)
    /// upper-cased: whatever the direct reader reads must be what the tree reads, and reading
    /// bytes must end as the tree does, with the same result or the same error.
    @Test func damagedResultsAreReadAsTheTreeReadsThem() async {
        let bytes = Array(Self.read[0].utf8)
        let alphabet = Array(#"{}[]:,"\ -01.nulTIH"#.utf8)
        var disagreements: [String] = []
        var readDirectly = 0
        for position in bytes.indices {
            // A long loop on the test pool's few threads: let waiting tests (timed ones) run.
            await Task.yield()
            for damage in 0..<4 {
                var damaged = bytes
                switch damage {
                case 0: damaged[position] = alphabet[position % alphabet.count]
                case 1: damaged.remove(at: position)
                case 2: damaged.insert(damaged[position], at: position)
                default:
                    guard (0x61...0x7A).contains(damaged[position]) else { continue }
                    damaged[position] -= 0x20
                }
                let tree = Self.tree(String(decoding: damaged, as: UTF8.self))
                if let direct = ConnectivityResult.readDirectly(damaged) {
                    readDirectly += 1
                    if tree != .success(direct) { disagreements.append("direct: \(String(decoding: damaged, as: UTF8.self))") }
                }
                let fromBytes: Result<ConnectivityResult, ResultError>?
                do {
                    fromBytes = .success(try ConnectivityResult(bytes: damaged))
                } catch let error as ResultError {
                    fromBytes = .failure(error)
                } catch {
                    fromBytes = nil
                }
                if fromBytes != tree { disagreements.append("bytes: \(String(decoding: damaged, as: UTF8.self))") }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
        // Most damage breaks the JSON or a type; much of it (inside strings) leaves a result the
        // direct reader reads.
        #expect(readDirectly > 500)
    }

    @Test func textIsBuiltFromPiecesAndNumbers() {
        var text = TextBuilder(capacity: 16)
        for number in [0, 7, -1, 42, Int.max, Int.min] {
            text.append(number)
            text.append(" ")
        }
        text.append("— ✗ ")
        text.append(String(repeating: "x", count: 100))
        let built = text.text
        #expect(built == "0 7 -1 42 9223372036854775807 -9223372036854775808 — ✗ " + String(repeating: "x", count: 100))
        let isEmpty = text.isEmpty
        #expect(!isEmpty)
        let empty = TextBuilder()
        let (emptyIsEmpty, emptyText) = (empty.isEmpty, empty.text)
        #expect(emptyIsEmpty && emptyText == "")
    }
}
