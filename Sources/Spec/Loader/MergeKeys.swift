import Yams

/// YAML merge keys: `<<: *anchor` (or a list of aliases) copies the keys of other mappings into this one.
/// Keys the mapping sets itself win, then earlier sources win, as in YAML 1.1.
enum MergeKeys {
    /// The mapping's pairs with each valid `<<` entry replaced by the keys it brings in; `<<` entries whose
    /// value is not a mapping (or list of mappings) are kept so the reader reports them.
    static func expand(_ mapping: Node.Mapping) -> [(key: Node, value: Node)] {
        var own: [(key: Node, value: Node)] = []
        var sources: [Node.Mapping] = []
        var invalid: [(key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard isMergeKey(key) else {
                own.append((key, value))
                continue
            }
            switch value {
            case .mapping(let source):
                sources.append(source)
            case .sequence(let list) where list.allSatisfy({ $0.mapping != nil }):
                sources.append(contentsOf: list.compactMap(\.mapping))
            default:
                invalid.append((key, value))
            }
        }
        guard !sources.isEmpty else { return own + invalid }
        var names = Set(own.compactMap { $0.key.scalar?.string })
        var result = own
        for source in sources {
            for (key, value) in expand(source) {
                guard let name = key.scalar?.string else { continue }
                if names.insert(name).inserted { result.append((key, value)) }
            }
        }
        return result + invalid
    }

    static func isMergeKey(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.string == "<<" && scalar.style == .plain
    }
}
