/// A size in bytes, parsed from text such as `2GiB`, `512M`, `1.5G` or `20 GiB`.
///
/// Units are binary and case-insensitive, as QEMU and Vagrant read them: `B`; `K`/`KB`/`KiB` = 1024;
/// `M`/`MB`/`MiB` = 1024²; `G`/`GB`/`GiB` = 1024³; `T`/`TB`/`TiB` = 1024⁴.
public struct ByteSize: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The size in bytes.
    public var bytes: UInt64

    /// A size of exactly `bytes` bytes.
    public init(bytes: UInt64) {
        self.bytes = bytes
    }

    /// Why a text is not a size.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case missingNumber(String)
        case unknownUnit(String)
        case missingUnit(String)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .empty: "empty size"
            case .missingNumber(let text): "`\(text)` is not a number followed by a unit"
            case .unknownUnit(let unit): "unknown size unit `\(unit)`"
            case .missingUnit(let text): "`\(text)` has no unit"
            case .tooLarge(let text): "`\(text)` is too large"
            }
        }
    }

    /// The units accepted after the number, with their multipliers.
    public static let units: [(names: [String], multiplier: UInt64)] = [
        (["b", ""], 1),
        (["k", "kb", "kib"], 1 << 10),
        (["m", "mb", "mib"], 1 << 20),
        (["g", "gb", "gib"], 1 << 30),
        (["t", "tb", "tib"], 1 << 40),
    ]

    /// Parses `text`; a bare number is multiplied by `defaultUnit` bytes, or rejected when it is nil.
    public init(parsing text: String, defaultUnit: UInt64? = nil) throws(ParseError) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        let numberPart = trimmed.prefix { $0.isASCIIDigit || $0 == "." }
        let unitPart = trimmed.dropFirst(numberPart.count).trimmingWhitespace().lowercased()
        guard !numberPart.isEmpty, numberPart.first != ".", numberPart.filter({ $0 == "." }).count <= 1,
              let number = Double(numberPart)
        else { throw .missingNumber(text) }
        let multiplier: UInt64
        if unitPart.isEmpty {
            guard let defaultUnit else { throw .missingUnit(text) }
            multiplier = defaultUnit
        } else {
            guard let unit = Self.units.first(where: { $0.names.contains(unitPart) }) else {
                throw .unknownUnit(String(trimmed.dropFirst(numberPart.count)).trimmingWhitespace())
            }
            multiplier = unit.multiplier
        }
        let value = (number * Double(multiplier)).rounded(.down)
        guard value < 9.0e18 else { throw .tooLarge(text) }
        self.bytes = UInt64(value)
    }

    /// `count` MiB.
    public static func mebibytes(_ count: UInt64) -> ByteSize { ByteSize(bytes: count << 20) }
    /// `count` GiB.
    public static func gibibytes(_ count: UInt64) -> ByteSize { ByteSize(bytes: count << 30) }

    /// Whole mebibytes, rounded down.
    public var mebibytes: UInt64 { bytes >> 20 }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }

    /// The largest binary unit that divides the size exactly, e.g. `2GiB`, `1536MiB`, `100B`.
    public var description: String {
        for (suffix, shift) in [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)] as [(String, UInt64)]
        where bytes != 0 && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)B"
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = Array(unicodeScalars)
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
