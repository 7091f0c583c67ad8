/// A 64-bit FNV-1a hash of text: the same on every run, host and Swift version (unlike `Hasher`,
/// which is seeded per process). vmfile derives deterministic names and MACs from it, so a rerun
/// after a crash finds what a killed run made.
public enum StableHash {
    /// FNV-1a over the UTF-8 bytes of `text`.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// `value` in lower-case hex, zero-padded to at least `digits` digits.
    public static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
