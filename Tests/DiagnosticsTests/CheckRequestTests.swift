import Diagnostics
import JSON
import Testing

@Suite struct CheckRequestTests {
    static let vm = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/app"
    static let otherVM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/db"

    @Test(arguments: [
        (CheckRequest(), CheckProblem.missingSource),
        (CheckRequest(source: "app", destination: .address("10.0.0.4"), destinationPort: 80), .sourceNameNotResolved("app")),
        (CheckRequest(source: "42", destination: .address("10.0.0.4"), destinationPort: 80), .sourceNotAVirtualMachine("42")),
        (CheckRequest(source: "my vm", destination: .address("10.0.0.4"), destinationPort: 80), .sourceNotAVirtualMachine("my vm")),
        (
            CheckRequest(
                source: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic", destination: .address("a"),
                destinationPort: 1),
            .sourceNotAVirtualMachine("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic")
        ),
        (CheckRequest(source: vm), .missingDestination),
        (CheckRequest(source: vm, destination: .address(""), destinationPort: 80), .missingDestination),
        (CheckRequest(source: vm, destination: .resource("db"), destinationPort: 80), .destinationNotAResource("db")),
        (CheckRequest(source: vm, destination: .address("10.0.0.4")), .missingPort(protocolName: "Tcp")),
        (CheckRequest(source: vm, destination: .address("10.0.0.4"), protocolName: "Https"), .missingPort(protocolName: "Https")),
        (CheckRequest(source: vm, destination: .address("10.0.0.4"), destinationPort: 80, protocolName: "Icmp"), .portWithIcmp),
        (CheckRequest(source: vm, sourcePort: 5000, destination: .address("10.0.0.4"), protocolName: "Icmp"), .portWithIcmp),
        (CheckRequest(source: vm, destination: .resource(vm.uppercased()), destinationPort: 80), .sameSourceAndDestination),
        (
            CheckRequest(source: vm, destination: .address("a"), destinationPort: 80, method: "Get"),
            .httpSettingWithoutHTTP(field: .method, protocolName: "Tcp")
        ),
        (
            CheckRequest(
                source: vm, destination: .address("a"), destinationPort: 80, protocolName: "Icmp", headers: [.init(name: "a", value: "b")]),
            .portWithIcmp
        ),
        (
            CheckRequest(source: vm, destination: .address("a"), protocolName: "Icmp", headers: [.init(name: "a", value: "b")]),
            .httpSettingWithoutHTTP(field: .headers, protocolName: "Icmp")
        ),
        (
            CheckRequest(source: vm, destination: .address("a"), destinationPort: 80, validStatusCodes: [200]),
            .httpSettingWithoutHTTP(field: .validStatusCodes, protocolName: "Tcp")
        ),
    ])
    func invalidRequestsAreRefusedBeforeSending(request: CheckRequest, problem: CheckProblem) {
        #expect(throws: problem) { try request.validated() }
    }

    @Test func aSourceNamedIsCheckedForEverythingElseBeforeItIsLookedUp() throws {
        let named = CheckRequest(source: "MultiTierApp0", destination: .address("10.1.4.4"), destinationPort: 80)
        #expect(try named.validatedExceptSourceName() == named)
        #expect(throws: CheckProblem.missingPort(protocolName: "Tcp")) {
            try CheckRequest(source: "MultiTierApp0", destination: .address("10.1.4.4")).validatedExceptSourceName()
        }
        #expect(throws: CheckProblem.sourceNotAVirtualMachine("a/b")) {
            try CheckRequest(source: "a/b", destination: .address("10.1.4.4"), destinationPort: 80).validatedExceptSourceName()
        }
        let url = CheckRequest(source: "app", destination: .address("http://bing.com"))
        #expect(try url.validatedExceptSourceName().destinationPort == 80)
        #expect(try url.validatedExceptSourceName().source == "app")
    }

    @Test(arguments: [
        (CheckRequest(source: vm, destination: .address("http://bing.com")), 80),
        (CheckRequest(source: vm, destination: .address("HTTPS://contoso.blob.core.windows.net/"), protocolName: "Https"), 443),
        (CheckRequest(source: vm, destination: .address("https://example.com"), destinationPort: 8443), 8443),
    ])
    func aURLsSchemeGivesThePort(request: CheckRequest, port: Int) throws {
        #expect(try request.validated().destinationPort == port)
    }

    @Test func icmpNeedsNoPortAndAResourceDestinationIsFine() throws {
        let request = CheckRequest(source: Self.vm, destination: .resource(Self.otherVM), protocolName: "Icmp")
        #expect(try request.validated() == request)
    }

    @Test func theBodyIsTheAPIsConnectivityParameters() {
        let request = CheckRequest(
            source: Self.vm, sourcePort: 5000, destination: .address("contoso.com"), destinationPort: 443, protocolName: "Https",
            method: "Get", headers: [.init(name: "X-Probe", value: "nwsh")], validStatusCodes: [200, 301], ipVersion: "IPv4")
        #expect(
            JSONFormatter.compact.format(request.body) == """
                {"source":{"resourceId":"\(Self.vm)","port":5000},"destination":{"address":"contoso.com","port":443},"protocol":"Https",\
                "protocolConfiguration":{"HTTPConfiguration":{"method":"Get","headers":[{"name":"X-Probe","value":"nwsh"}],"validStatusCodes":[200,301]}},\
                "preferredIPVersion":"IPv4"}
                """)
        let minimal = CheckRequest(source: Self.vm, destination: .resource(Self.otherVM), destinationPort: 80)
        #expect(
            JSONFormatter.compact.format(minimal.body)
                == #"{"source":{"resourceId":"\#(Self.vm)"},"destination":{"resourceId":"\#(Self.otherVM)","port":80}}"#)
    }

    @Test(arguments: [
        ("10.1.4.4:80", CheckRequest.Destination.address("10.1.4.4"), 80 as Int?),
        ("db.contoso.com:1433", .address("db.contoso.com"), 1433),
        ("[fe80::1]:443", .address("fe80::1"), 443),
        ("[fe80::1]", .address("fe80::1"), nil),
        ("fe80::1", .address("fe80::1"), nil),
        ("http://bing.com", .address("http://bing.com"), nil),
        ("https://contoso.com:8443/health", .address("https://contoso.com:8443/health"), 8443),
        ("https://build2017nwdiag360.blob.core.windows.net/", .address("https://build2017nwdiag360.blob.core.windows.net/"), nil),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/db",
            .resource("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/db"), nil
        ),
        ("contoso.com", .address("contoso.com"), nil),
    ])
    func shortFormDestinations(text: String, destination: CheckRequest.Destination, port: Int?) throws {
        let parsed = try CheckRequest.destination(shortForm: text)
        #expect(parsed.0 == destination)
        #expect(parsed.1 == port)
    }

    @Test(arguments: [
        (":80", CheckProblem.invalidValue(field: .shortFormDestination, value: ":80", expected: "HOST:PORT")),
        ("host:0", .invalidValue(field: .shortFormDestinationPort, value: "0", expected: "a port number from 1 to 65535")),
        ("host:http", .invalidValue(field: .shortFormDestinationPort, value: "http", expected: "a port number from 1 to 65535")),
        ("[fe80::1]443", .invalidValue(field: .shortFormDestination, value: "[fe80::1]443", expected: "[IPv6]:PORT")),
    ])
    func badShortFormDestinations(text: String, problem: CheckProblem) {
        #expect(throws: problem) { try CheckRequest.destination(shortForm: text) }
    }

    @Test func optionValues() throws {
        #expect(CheckRequest.canonical("HTTPS", in: CheckRequest.protocols) == "Https")
        #expect(CheckRequest.canonical("udp", in: CheckRequest.protocols) == nil)
        #expect(try CheckRequest.statusCodes("200, 202") == [200, 202])
        #expect(
            throws: CheckProblem.invalidValue(
                field: .validStatusCodes, value: "200,,", expected: "HTTP status codes from 100 to 599, separated by commas (200,202)")
        ) {
            try CheckRequest.statusCodes("200,,")
        }
        #expect(throws: CheckProblem.invalidValue(field: .destinationPort, value: "65536", expected: "a port number from 1 to 65535")) {
            try CheckRequest.port("65536", field: .destinationPort)
        }
    }

    @Test func thePagesRequestBodyIsReadBack() throws {
        let body = try JSONParser.parse(
            #"{ 'source': { 'resourceId': '\#(Self.vm)', 'port': 0 }, 'destination': { 'address': '13.107.21.200', 'port': '80' }, 'protocol': 'tcp' }"#,
            mode: .relaxed)
        #expect(
            CheckRequest(body: body)
                == CheckRequest(source: Self.vm, destination: .address("13.107.21.200"), destinationPort: 80, protocolName: "Tcp"))
        #expect(CheckRequest(body: try JSONParser.parse(#"{"destination": {"address": "a"}}"#)) == nil)
    }

    @Test(arguments: [
        (
            "https://management.azure.com/subscriptions/s/ResourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NW_w/connectivityCheck?api-version=2017-03-01",
            "/subscriptions/s/ResourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NW_w" as String?
        ),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/w/CONNECTIVITYCHECK",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/w"
        ),
        ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkWatchers/w/ipFlowVerify", nil),
        ("/connectivityCheck", nil),
    ])
    func aCheckIsRecognisedFromItsURL(url: String, watcher: String?) {
        #expect(CheckContext.watcher(ofCheckURL: url) == watcher)
    }
}
