import Foundation

/// A box version constraint as Vagrant writes it: comma-separated clauses, each `OP VERSION`
/// with OP one of `=`, `!=`, `>`, `<`, `>=`, `<=`, `~>` (a bare version means `=`).
public struct VersionConstraint: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Operator: String, Codable, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", greater = ">", less = "<"
        case greaterOrEqual = ">=", lessOrEqual = "<=", pessimistic = "~>"
    }

    public struct Clause: Codable, Sendable, Equatable {
        public var op: Operator
        public var version: BoxVersion
    }

    public var clauses: [Clause]

    /// Parses `text`; nil when any clause is malformed.
    public init?(_ text: String) {
        var clauses: [Clause] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = raw.trimmingCharacters(in: .whitespaces)
            // Longest operators first so ">=" is not read as ">".
            let ordered = Operator.allCases.sorted { $0.rawValue.count > $1.rawValue.count }
            let op = ordered.first { part.hasPrefix($0.rawValue) } ?? .equal
            let rest = part.dropFirst(part.hasPrefix(op.rawValue) ? op.rawValue.count : 0)
                .trimmingCharacters(in: .whitespaces)
            guard let version = BoxVersion(rest) else { return nil }
            clauses.append(Clause(op: op, version: version))
        }
        guard !clauses.isEmpty else { return nil }
        self.clauses = clauses
    }

    /// Whether `version` satisfies every clause.
    public func matches(_ version: BoxVersion) -> Bool {
        clauses.allSatisfy { clause in
            switch clause.op {
            case .equal: version == clause.version
            case .notEqual: version != clause.version
            case .greater: version > clause.version
            case .less: version < clause.version
            case .greaterOrEqual: version >= clause.version
            case .lessOrEqual: version <= clause.version
            case .pessimistic: version >= clause.version && version < clause.version.pessimisticUpperBound
            }
        }
    }

    public var description: String {
        clauses.map { "\($0.op.rawValue) \($0.version)" }.joined(separator: ", ")
    }
}

/// A dotted numeric box version such as `1.4.2` (Vagrant box versions are numeric).
public struct BoxVersion: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var components: [Int]

    /// Parses `1`, `1.4`, `1.4.2`, ...; nil when empty or not all numeric.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var components: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCIIDigit), let value = Int(part) else { return nil }
            components.append(value)
        }
        guard !components.isEmpty else { return nil }
        self.components = components
    }

    public init(components: [Int]) {
        self.components = components
    }

    public static func < (lhs: BoxVersion, rhs: BoxVersion) -> Bool {
        let count = max(lhs.components.count, rhs.components.count)
        for index in 0..<count {
            let left = index < lhs.components.count ? lhs.components[index] : 0
            let right = index < rhs.components.count ? rhs.components[index] : 0
            if left != right { return left < right }
        }
        return false
    }

    public static func == (lhs: BoxVersion, rhs: BoxVersion) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }

    public func hash(into hasher: inout Hasher) {
        var trimmed = components
        while trimmed.count > 1, trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
    }

    /// `~> 1.4` allows `< 2.0`; `~> 1.4.2` allows `< 1.5`.
    var pessimisticUpperBound: BoxVersion {
        guard components.count > 1 else { return BoxVersion(components: [components[0] + 1]) }
        var bumped = Array(components.dropLast())
        bumped[bumped.count - 1] += 1
        return BoxVersion(components: bumped)
    }

    public var description: String {
        components.map(String.init).joined(separator: ".")
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
