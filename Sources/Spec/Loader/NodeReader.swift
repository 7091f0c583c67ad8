import Yams

/// Typed reads from Yams nodes. Each read that fails records one diagnostic at the value and
/// returns nil, so the caller keeps going and every problem is reported.
struct NodeReader {
    let log: DiagnosticLog

    /// How a node reads in a message: `a mapping`, `a list`, `the string "x"`, `the number 3`, `an empty value`.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch ScalarKind(node) {
            case .null: return "an empty value"
            case .bool: return "the boolean \(scalar.string)"
            case .int, .float: return "the number \(scalar.string)"
            default: return "the string \"\(scalar.string)\""
            }
        }
    }

    static func isNull(_ node: Node) -> Bool {
        ScalarKind(node) == .null
    }

    /// Any non-empty scalar as text (numbers and booleans are taken as written).
    func string(_ node: Node, key: String) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            log.error("`\(key)` must be a string, not \(Self.describe(node))", at: node,
                      hint: Self.isNull(node) ? "give `\(key)` a value or remove the key" : "write a single value")
            return nil
        }
        return scalar.string
    }

    /// A non-empty string.
    func nonEmptyString(_ node: Node, key: String) -> String? {
        guard let text = string(node, key: key) else { return nil }
        guard !text.trimmingWhitespace().isEmpty else {
            log.error("`\(key)` must not be empty", at: node)
            return nil
        }
        return text
    }

    func int(_ node: Node, key: String, range: ClosedRange<Int>? = nil, unit: String = "") -> Int? {
        guard case .int(let value) = ScalarKind(node) else {
            var hint = "write a whole number"
            if case .scalar(let scalar) = node, scalar.style != .plain, Int(scalar.string) != nil {
                hint = "remove the quotes: \(key): \(scalar.string)"
            }
            log.error("`\(key)` must be an integer, not \(Self.describe(node))", at: node, hint: hint)
            return nil
        }
        if let range, !range.contains(value) {
            log.error("`\(key)` is \(value)\(unit), outside the allowed range", at: node,
                      hint: Self.rangeText(range, unit: unit))
            return nil
        }
        return value
    }

    func bool(_ node: Node, key: String) -> Bool? {
        guard case .bool(let value) = ScalarKind(node) else {
            log.error("`\(key)` must be true or false, not \(Self.describe(node))", at: node,
                      hint: "write `\(key): true` or `\(key): false` (no quotes)")
            return nil
        }
        return value
    }

    /// One of an enum's raw values, with a suggestion for near misses.
    func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, key: String, as type: Choice.Type = Choice.self)
        -> Choice? where Choice.RawValue == String {
        let allowed = Choice.allCases.map(\.rawValue)
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            log.error("`\(key)` must be one of \(allowed.joined(separator: ", ")), not \(Self.describe(node))",
                      at: node)
            return nil
        }
        guard let value = Choice(rawValue: scalar.string) else {
            log.error("`\(key)` cannot be `\(scalar.string)`", at: node,
                      hint: Suggestions.hint(for: scalar.string, in: allowed, listing: "valid values"))
            return nil
        }
        return value
    }

    /// A list; an empty value counts as an empty list.
    func sequence(_ node: Node, key: String) -> [Node]? {
        if Self.isNull(node) { return [] }
        guard case .sequence(let sequence) = node else {
            log.error("`\(key)` must be a list, not \(Self.describe(node))", at: node,
                      hint: "write one entry per line starting with `- `")
            return nil
        }
        return Array(sequence)
    }

    /// A mapping checked against `allowed` keys (empty: any key); an empty value counts as an empty mapping.
    /// `label` names it in messages (default: `` `key` ``), e.g. "machine `web`" or "a provision step".
    func mapping(_ node: Node, key: String, allowed: [String], label: String? = nil) -> KeyedMapping? {
        let label = label ?? "`\(key)`"
        if Self.isNull(node) { return KeyedMapping(node: node, entries: [], log: log) }
        guard case .mapping(let mapping) = node else {
            log.error("\(label) must be a mapping, not \(Self.describe(node))", at: node,
                      hint: "write `key: value` pairs indented under `\(key.split(separator: ".").last ?? Substring(key)):`")
            return nil
        }
        var entries: [(name: String, key: Node, value: Node)] = []
        for (keyNode, value) in MergeKeys.expand(mapping) {
            if MergeKeys.isMergeKey(keyNode) {
                log.error("`<<` in \(label) must merge a mapping, not \(Self.describe(value))", at: value,
                          hint: "write `<<: *name` where `&name` marks a mapping")
                continue
            }
            guard case .scalar(let scalar) = keyNode else {
                log.error("keys in \(label) must be plain names, not \(Self.describe(keyNode))", at: keyNode)
                continue
            }
            let name = scalar.string
            if YAMLComposer.isMasked(name) { continue }
            guard allowed.isEmpty || allowed.contains(name) else {
                log.error("unknown key `\(name)` in \(label)", at: keyNode,
                          hint: Suggestions.hint(for: name, in: allowed))
                continue
            }
            entries.append((name, keyNode, value))
        }
        return KeyedMapping(node: node, entries: entries, log: log)
    }

    static func rangeText(_ range: ClosedRange<Int>, unit: String = "") -> String {
        if range.upperBound == Int.max { return "use a value of at least \(range.lowerBound)\(unit)" }
        return "use a value from \(range.lowerBound)\(unit) to \(range.upperBound)\(unit)"
    }
}

/// The entries of one mapping, in order, after unknown keys were reported.
struct KeyedMapping {
    /// The mapping node itself (an empty scalar when the value was empty).
    let node: Node
    let entries: [(name: String, key: Node, value: Node)]
    let log: DiagnosticLog

    subscript(_ name: String) -> Node? {
        entries.first { $0.name == name }?.value
    }

    func keyNode(_ name: String) -> Node? {
        entries.first { $0.name == name }?.key
    }

    func has(_ name: String) -> Bool { self[name] != nil }

    /// Reports a missing required key at the mapping (or at `fallback` when the mapping is empty).
    func require(_ name: String, in context: String, at fallback: SourcePosition? = nil, hint: String) -> Node? {
        if let value = self[name] { return value }
        log.error("\(context) has no `\(name)`", at: fallback ?? node.position, hint: hint)
        return nil
    }
}
