/// RFC 1123 host names: what machine names and `hostname:` must look like.
enum HostnameRules {
    /// One label: 1–63 ASCII letters, digits or hyphens, not starting or ending with a hyphen.
    static func isValidLabel(_ label: Substring) -> Bool {
        guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
        return label.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar == "-" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
        }
    }

    static func isValidLabel(_ label: String) -> Bool { isValidLabel(Substring(label)) }

    /// Dot-separated labels, 253 characters at most.
    static func isValidHostname(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isValidLabel)
    }

    /// A label derived from `name`: lowercased, invalid characters replaced by hyphens, trimmed.
    static func suggestedLabel(for name: String) -> String {
        let mapped = String(name.lowercased().unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) ? Character(scalar) : "-"
        })
        let trimmed = mapped.split(separator: "-").joined(separator: "-")
        return String(trimmed.prefix(63))
    }
}
