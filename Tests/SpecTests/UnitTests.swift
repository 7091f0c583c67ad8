import Testing
@testable import Spec

@Suite struct ByteSizeTests {
    static let mib: UInt64 = 1 << 20
    static let gib: UInt64 = 1 << 30
    static let valid: [(String, UInt64)] = [
        ("512MiB", 512 * mib), ("512M", 512 * mib), ("512mb", 512 * mib), ("2GiB", 2 * gib),
        ("1G", gib), ("1.5G", 1536 * mib), ("20 GiB", 20 * gib), ("1T", 1024 * gib), ("4096", 4096),
        ("100B", 100), ("1k", 1024), ("1KiB", 1024), (" 3 tb ", 3072 * gib),
    ]

    @Test(arguments: valid)
    func parses(text: String, bytes: UInt64) throws {
        #expect(try ByteSize(parsing: text, defaultUnit: 1).bytes == bytes)
    }

    @Test(arguments: [
        ("", ByteSize.ParseError.empty), ("GiB", .missingNumber("GiB")), ("1.2.3G", .missingNumber("1.2.3G")),
        (".5G", .missingNumber(".5G")), ("5 parsecs", .unknownUnit("parsecs")), ("20", .missingUnit("20")),
        ("99999999999T", .tooLarge("99999999999T")),
    ])
    func rejects(text: String, error: ByteSize.ParseError) {
        #expect(throws: error) { try ByteSize(parsing: text) }
    }

    @Test func defaultUnitAppliesToBareNumbers() throws {
        #expect(try ByteSize(parsing: "768", defaultUnit: 1 << 20) == .mebibytes(768))
    }

    static let described: [(UInt64, String)] = [(2 * gib, "2GiB"), (1536 * mib, "1536MiB"), (100, "100B"), (0, "0B"), (3072, "3KiB")]

    @Test(arguments: described)
    func describesWithTheLargestExactUnit(bytes: UInt64, text: String) {
        #expect(ByteSize(bytes: bytes).description == text)
    }
}

@Suite struct IPv4Tests {
    @Test(arguments: ["0.0.0.0", "127.0.0.1", "255.255.255.255", "10.0.0.10"])
    func parsesAddresses(text: String) throws {
        #expect(try #require(IPv4Address(text)).description == text)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "a.b.c.d", "1..2.3", "-1.0.0.0", "1.2.3.4 "])
    func rejectsAddresses(text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func networkArithmetic() throws {
        let network = try IPv4Network(parsing: "192.168.56.0/24")
        #expect(network.gatewayAddress.description == "192.168.56.1")
        #expect(network.broadcastAddress.description == "192.168.56.255")
        #expect(network.contains(try #require(IPv4Address("192.168.56.77"))))
        #expect(!network.contains(try #require(IPv4Address("192.168.57.1"))))
        #expect(network.overlaps(try IPv4Network(parsing: "192.168.0.0/16")))
        #expect(!network.overlaps(try IPv4Network(parsing: "192.168.57.0/24")))
    }

    @Test func hostBitsSuggestTheNetwork() {
        #expect(throws: IPv4Network.ParseError.hostBitsSet(suggested: "10.1.0.0/16")) {
            try IPv4Network(parsing: "10.1.2.3/16")
        }
        #expect(throws: IPv4Network.ParseError.malformed) { try IPv4Network(parsing: "10.0.0.0/33") }
        #expect(throws: IPv4Network.ParseError.malformed) { try IPv4Network(parsing: "10.0.0.0") }
    }
}

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("memry", "memory"), ("cpu", "cpus"), ("forwarded-ports", "forwarded_ports"), ("Box", "box"),
        ("hostnme", "hostname"), ("boot_timout", "boot_timeout"),
    ])
    func suggestsNearKeys(typo: String, expected: String) {
        #expect(Suggestions.closest(to: typo, in: MachineReader.keys) == expected)
    }

    @Test func staysQuietWhenNothingIsClose() {
        #expect(Suggestions.closest(to: "zzzzzz", in: MachineReader.keys) == nil)
        #expect(Suggestions.hint(for: "zzzz", in: ["a", "b"]) == "valid keys: a, b")
    }

    @Test(arguments: [("", "abc", 3), ("kitten", "sitting", 3), ("same", "same", 0), ("ab", "ba", 2)])
    func editDistance(lhs: String, rhs: String, distance: Int) {
        #expect(Suggestions.editDistance(lhs, rhs) == distance)
    }
}

@Suite struct HostnameTests {
    @Test(arguments: ["web", "web-1", "a", "1a", String(repeating: "x", count: 63)])
    func validLabels(label: String) { #expect(HostnameRules.isValidLabel(label)) }

    @Test(arguments: ["", "-web", "web-", "web_1", "wéb", "a.b", String(repeating: "x", count: 64)])
    func invalidLabels(label: String) { #expect(!HostnameRules.isValidLabel(label)) }

    @Test func hostnamesAreDottedLabels() {
        #expect(HostnameRules.isValidHostname("web.example.test"))
        #expect(!HostnameRules.isValidHostname("web..test"))
        #expect(HostnameRules.suggestedLabel(for: "Web_Server 1") == "web-server-1")
    }
}
