import Foundation
import Yams

/// Renders a loaded `Vmfile` for `vmfile config`: every default applied, keys in the Vmfile's snake_case.
public enum ConfigRenderer {
    /// Pretty JSON with sorted keys.
    public static func json(_ vmfile: Vmfile) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .custom { path in
            SnakeCaseKey(stringValue: snakeCase(path.last?.stringValue ?? ""))
        }
        return String(decoding: try encoder.encode(vmfile), as: UTF8.self)
    }

    /// YAML in the models' declaration order.
    public static func yaml(_ vmfile: Vmfile) throws -> String {
        let camel = try YAMLEncoder().encode(vmfile)
        guard let node = try Yams.compose(yaml: camel) else { return camel }
        return try Yams.serialize(node: renamingKeys(node))
    }

    /// `memoryMiB` → `memory_mib`, `boxURL` → `box_url`, `hostIP` → `host_ip`.
    public static func snakeCase(_ key: String) -> String {
        var result = ""
        var previous: Character?
        for character in key.replacingOccurrences(of: "MiB", with: "Mib") {
            if character.isUppercase, let previous, previous.isLowercase || previous.isNumber {
                result.append("_")
            }
            result.append(contentsOf: character.lowercased())
            previous = character
        }
        return result
    }

    private static func renamingKeys(_ node: Node) -> Node {
        switch node {
        case .mapping(let mapping):
            let pairs = mapping.map { pair -> (Node, Node) in
                let key = pair.key.scalar.map { Node(snakeCase($0.string)) } ?? pair.key
                return (key, renamingKeys(pair.value))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map(renamingKeys), sequence.tag, sequence.style, sequence.mark))
        default:
            return node
        }
    }

    private struct SnakeCaseKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
