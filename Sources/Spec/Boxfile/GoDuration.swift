/// Durations as Packer writes them (Go's `time.ParseDuration`): `10s`, `250ms`, `1m30s`, `1.5h`, `2h45m`.
enum GoDuration {
    private static let units: [(name: String, attoseconds: Double)] = [
        ("ns", 1e9), ("us", 1e12), ("µs", 1e12), ("ms", 1e15), ("s", 1e18), ("m", 60e18), ("h", 3600e18),
    ]

    /// The units accepted, for hints.
    static let unitList = "h, m, s, ms, us, ns"

    /// The duration `text` names (one or more number-unit pairs), or nil. Negative durations are not accepted.
    static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCIIDigit || $0 == "." }
            guard !number.isEmpty, number.first != ".", number.filter({ $0 == "." }).count <= 1,
                  let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isASCIIDigit && $0 != "." }
            // Longest match first, so `ms` is not read as `m` followed by `s`.
            guard let unit = units.filter({ $0.name == String(unitText) }).first else { return nil }
            rest = rest.dropFirst(unitText.count)
            total += value * unit.attoseconds
        }
        guard total < 9.2e36 else { return nil }
        let seconds = (total / 1e18).rounded(.down)
        return .seconds(Int64(seconds)) + .nanoseconds(Int64(((total - seconds * 1e18) / 1e9).rounded()))
    }

    /// `90s` → `1m30s`: the Go form of `duration`, whole milliseconds.
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        var seconds = milliseconds / 1000
        var text = ""
        if seconds >= 3600 { text += "\(seconds / 3600)h"; seconds %= 3600 }
        if seconds >= 60 { text += "\(seconds / 60)m"; seconds %= 60 }
        if seconds > 0 || text.isEmpty { text += "\(seconds)s" }
        return text
    }
}
