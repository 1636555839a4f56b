import NetworkLab
import Testing

@Suite struct AddressingTests {
    @Test(arguments: [
        ("10.1.0.0/16", "10.1.255.1", true), ("10.1.0.0/16", "10.2.0.1", false), ("0.0.0.0/0", "1.2.3.4", true),
        ("13.107.21.200", "13.107.21.200", true), ("13.107.21.200", "13.107.21.201", false),
    ])
    func prefixesContainAddresses(prefix: String, address: String, contained: Bool) throws {
        let parsed = try #require(IPv4Prefix(prefix))
        #expect(parsed.contains(try #require(IPv4Address(address))) == contained)
    }

    @Test(arguments: ["10.1.0.0/33", "10.1.0.0/", "10.1.0.0/016", "10.1.0/16", "256.1.1.1", "10.1.1.1/", "", "1.2.3.4.5", "+1.2.3.4"])
    func malformedPrefixesAreRejected(text: String) {
        #expect(IPv4Prefix(text) == nil)
    }

    @Test("ranges: first and last address, normalising, containment and overlap")
    func ranges() throws {
        let prefix = try #require(IPv4Prefix("10.1.2.3/16"))
        #expect(prefix.description == "10.1.2.3/16")
        #expect(prefix.normalized.description == "10.1.0.0/16")
        #expect(prefix.first.description == "10.1.0.0")
        #expect(prefix.last.description == "10.1.255.255")
        #expect(prefix.contains(try #require(IPv4Prefix("10.1.4.0/24"))))
        #expect(!prefix.contains(try #require(IPv4Prefix("10.0.0.0/8"))))
        #expect(prefix.overlaps(try #require(IPv4Prefix("10.0.0.0/8"))))
        #expect(!prefix.overlaps(try #require(IPv4Prefix("10.2.0.0/16"))))
    }
}
