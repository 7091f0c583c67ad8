/// Versions encode as the text users write (`"1.4.2"`, `">= 1.2, < 2"`), as in Vagrant catalogs and the
/// Vmfile, instead of the synthesized `{"components": [1, 4, 2]}`. Decoding also accepts that older form.

extension BoxVersion {
    private enum LegacyKeys: String, CodingKey {
        case components
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: LegacyKeys.self),
           let components = try? container.decode([Int].self, forKey: .components) {
            self.init(components: components)
            return
        }
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = BoxVersion(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "`\(text)` is not a box version like 1.4.2"))
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension VersionConstraint {
    private enum LegacyKeys: String, CodingKey {
        case clauses
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: LegacyKeys.self),
           let clauses = try? container.decode([Clause].self, forKey: .clauses) {
            self.init(clauses: clauses)
            return
        }
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let constraint = VersionConstraint(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "`\(text)` is not a version constraint like >= 1.2, < 2"))
        }
        self = constraint
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// A constraint from already-parsed clauses.
    public init(clauses: [Clause]) {
        self.clauses = clauses
    }
}
