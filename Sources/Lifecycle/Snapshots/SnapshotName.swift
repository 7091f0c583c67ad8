import Foundation
import Hypervisor

/// Snapshot names as users give them: validated before they reach a file path or libvirt's XML.
public enum SnapshotName {
    /// The prefix of the names `snapshot push` makes (Vagrant calls them `push_...`).
    public static let pushPrefix = "push-"

    /// Fails unless `name` is 1–64 characters of `A–Z a–z 0–9 . _ -`, starting with a letter or digit:
    /// no `/`, no `..` path, no XML markup, nothing the shell or libvirt reads specially.
    public static func validate(_ name: String) throws {
        guard SnapshotInPlaceLoad.isPlainName(name), let first = name.unicodeScalars.first,
              first.properties.isAlphabetic || ("0"..."9").contains(first) else {
            throw LifecycleError(.invalidArgument, "'\(name)' is not a valid snapshot name",
                                 hint: "use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }

    /// A fresh name for `snapshot push`: `push-<milliseconds since the epoch>`, so names sort by age.
    public static func pushName(at date: Date = Date()) -> String {
        pushPrefix + String(Int64(date.timeIntervalSince1970 * 1000))
    }
}
