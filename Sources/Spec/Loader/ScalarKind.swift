import Yams

/// What a YAML scalar means, decided without regular expressions.
///
/// Yams' default resolver matches every scalar against NSRegularExpression rules, which costs more than
/// the rest of a `vmfile validate` together; the loader composes with `Resolver.basic` (no rules, every
/// untagged scalar is a string) and classifies plain scalars here, with the YAML 1.1 rules a Vmfile needs.
/// Quoted scalars are always strings; explicit tags (`!!int 5`, `!!str yes`) are honored.
enum ScalarKind: Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number that is not an `Int` (a fraction, exponent, out-of-range integer, `.inf`).
    case float
    case string(String)

    /// nil when `node` is not a scalar.
    init?(_ node: Node) {
        guard case .scalar(let scalar) = node else { return nil }
        let text = scalar.string
        // The stored tag, not `node.tag`: resolving would rewrite an implicit tag to `str` in place.
        switch scalar.tag.rawValue {
        case Tag.Name.implicit.rawValue: self = scalar.style == .plain ? Self.classifyPlain(text) : .string(text)
        case Tag.Name.null.rawValue: self = .null
        case Tag.Name.bool.rawValue: self = Self.bool(text).map(ScalarKind.bool) ?? .string(text)
        case Tag.Name.int.rawValue: self = Self.int(text).map(ScalarKind.int) ?? .float
        case Tag.Name.float.rawValue: self = .float
        default: self = .string(text)
        }
    }

    private static func classifyPlain(_ text: String) -> ScalarKind {
        // Most scalars are names and paths: decide from the first byte before any string comparison.
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            if looksLikeInteger(text) { return int(text).map(ScalarKind.int) ?? .float }
            if looksLikeFloat(text) { return .float }
            return .string(text)
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            if text == "~" || text == "null" || text == "Null" || text == "NULL" { return .null }
        default:
            break
        }
        if text.utf8.count <= 5, let flag = bool(text) { return .bool(flag) }
        return .string(text)
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": false
        default: nil
        }
    }

    /// Decimal (`-12`, `1_000`), hexadecimal (`0x1F`), octal (`0o17`) or binary (`0b101`) integers.
    static func int(_ text: String) -> Int? {
        var body = Substring(text.replacingOccurrences(of: "_", with: ""))
        var negative = false
        if let sign = body.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        let radix: Int
        switch body.prefix(2) {
        case "0x": radix = 16; body = body.dropFirst(2)
        case "0o": radix = 8; body = body.dropFirst(2)
        case "0b": radix = 2; body = body.dropFirst(2)
        default: radix = 10
        }
        guard !body.isEmpty, let magnitude = Int(body, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    private static func looksLikeInteger(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        var isDigit: (UInt8) -> Bool = { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        if bytes.count > 2, bytes.first == UInt8(ascii: "0") {
            switch bytes.dropFirst().first {
            case UInt8(ascii: "x"):
                isDigit = { ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }
                bytes = bytes.dropFirst(2)
            case UInt8(ascii: "o"):
                isDigit = { $0 >= 48 && $0 <= 55 }
                bytes = bytes.dropFirst(2)
            case UInt8(ascii: "b"):
                isDigit = { $0 == 48 || $0 == 49 }
                bytes = bytes.dropFirst(2)
            default:
                break
            }
        }
        guard let first = bytes.first, isDigit(first) else { return false }
        return bytes.allSatisfy { isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    private static func looksLikeFloat(_ text: String) -> Bool {
        switch text {
        case ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF", ".nan", ".NaN", ".NAN":
            return true
        default:
            let allowed: (UInt8) -> Bool = {
                ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 95 || $0 == 101 || $0 == 69 || $0 == 43 || $0 == 45
            }
            guard text.utf8.contains(where: { $0 >= 48 && $0 <= 57 }), text.utf8.allSatisfy(allowed) else { return false }
            return Double(text.replacingOccurrences(of: "_", with: "")) != nil
        }
    }
}
