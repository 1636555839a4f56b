import ARMPaths
import JSON
import Testing

@testable import Shell

/// `ls`'s levels and tables on their own.
@Suite struct ListingTests {
    @Test(
        "the level of a location, and what is asked for it",
        arguments: [
            ("/", Listing.subscriptions, "/subscriptions"),
            ("/subscriptions/S", .resourceGroups, "/subscriptions/S/resourceGroups"),
            ("/subscriptions/S/resourceGroups", .resourceGroups, "/subscriptions/S/resourceGroups"),
            ("/subscriptions/S/resourceGroups/G", .resources, "/subscriptions/S/resourceGroups/G/resources"),
            ("/subscriptions/S/resourceGroups/G/providers", .namespaces, "/subscriptions/S/resourceGroups/G/resources"),
            ("/subscriptions/S/resourceGroups/G/providers/NS", .types(namespace: "NS"), "/subscriptions/S/resourceGroups/G/resources"),
            ("/subscriptions/S/providers", .providers, "/subscriptions/S/providers"),
            ("/subscriptions/S/providers/NS", .provider, "/subscriptions/S/providers/NS"),
            ("/subscriptions/S/resources", .resources, "/subscriptions/S/resources"),
            (
                "/subscriptions/S/resourceGroups/G/providers/NS/a", .collection(type: "NS/a"),
                "/subscriptions/S/resourceGroups/G/providers/NS/a"
            ),
            (
                "/subscriptions/S/resourceGroups/G/providers/NS/a/x/b", .collection(type: "NS/a/b"),
                "/subscriptions/S/resourceGroups/G/providers/NS/a/x/b"
            ),
            (
                "/subscriptions/S/resourceGroups/G/providers/NS/a/x", .resource(type: "NS/a"),
                "/subscriptions/S/resourceGroups/G/providers/NS/a/x"
            ),
            ("/subscriptions/S/locations", .other, "/subscriptions/S/locations"),
        ])
    func levels(path: String, level: Listing, request: String) throws {
        let parsed = try #require(ARMPath(path))
        #expect(Listing.at(parsed) == level)
        #expect(Listing.request(for: parsed).description == request)
    }

    @Test("a table: columns aligned, the header styled, cells made safe for the terminal; an empty list said")
    func tables() {
        let table = Listing.Table(columns: ["NAME", "STATE"], rows: [["a\u{1B}[31m", "ok"], ["longer name", ""]])
        #expect(table.text(header: { "<\($0)>" }) == "<NAME         STATE>\na\\u001B[31m  ok\nlonger name\n")
        #expect(Listing.Table(columns: ["NAME"], rows: []).text() == "(empty)\n")
        #expect(OutputStyle(color: true).bold("NAME") == "\u{1B}[1mNAME\u{1B}[0m")
        #expect(OutputStyle(color: false).bold("NAME") == "NAME")
    }
}
