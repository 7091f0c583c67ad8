import Foundation
import HostSupport
#if canImport(Glibc)
import Glibc
#endif

/// The temporary files a build writes next to its box before renaming it into place:
/// `.<box>.<pid>.partial`, its `.sha256`, and the exporter's `..<box>.<pid>.partial.<id>.tmp`. A build
/// killed while packaging leaves them behind; the next build of the same box removes those whose
/// process is gone.
enum PartialOutputs {
    /// The partial box this process writes for `boxFileName` in `directory`.
    static func path(in directory: URL, boxFileName: String) -> URL {
        directory.appendingPathComponent(".\(boxFileName).\(getpid()).partial")
    }

    /// Removes the partial outputs of `boxFileName` in `directory` whose writer no longer runs; returns their names.
    @discardableResult
    static func removeAbandoned(in directory: URL, boxFileName: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var removed: [String] = []
        for entry in entries {
            guard let pid = writer(of: entry, boxFileName: boxFileName), pid != getpid(), ProcessLiveness.isGone(pid) else { continue }
            if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(entry))) != nil { removed.append(entry) }
        }
        return removed
    }

    /// The PID in a partial output's name, nil when `entry` is not one of `boxFileName`'s.
    static func writer(of entry: String, boxFileName: String) -> pid_t? {
        for prefix in [".\(boxFileName).", "..\(boxFileName)."] where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count).split(separator: ".", maxSplits: 1)
            guard rest.count == 2, rest[1].hasPrefix("partial"), let pid = pid_t(rest[0]) else { continue }
            return pid
        }
        return nil
    }
}
