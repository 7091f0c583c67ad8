import Foundation

/// What a box name may look like, wherever one is written (Vmfile `box:`, Boxfile `box.name`, the box store).
public enum BoxNameRules {
    /// Letters, digits, `-`, `_`, `.`, and at most one `/` (`org/name`, as Vagrant): the store escapes the
    /// one `/` as Vagrant does, a second would nest. Not empty, no empty part, no leading `.`, no `..`.
    public static func isValid(_ name: String) -> Bool {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./"))
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        return !name.isEmpty && !name.hasPrefix(".") && parts.count <= 2 && parts.allSatisfy { !$0.isEmpty }
            && !name.contains("..") && name.unicodeScalars.allSatisfy(allowed.contains)
    }

    /// The hint that goes with an invalid box name.
    public static let hint = "use letters, digits, '-', '_', '.', and one '/' like 'org/name'"
}
