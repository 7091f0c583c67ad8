import HostSupport
import Testing

@Suite("StableHash")
struct StableHashTests {
    @Test("FNV-1a matches its published test vectors", arguments: [
        ("", UInt64(0xcbf2_9ce4_8422_2325)),
        ("a", UInt64(0xaf63_dc4c_8601_ec8c)),
        ("foobar", UInt64(0x8594_4171_f739_67e8)),
    ])
    func vectors(text: String, expected: UInt64) {
        #expect(StableHash.fnv1a(text) == expected)
    }

    @Test("hex pads to the asked width and never truncates")
    func hex() {
        #expect(StableHash.hex(0xab, digits: 6) == "0000ab")
        #expect(StableHash.hex(0x1234_5678, digits: 2) == "12345678")
    }
}
