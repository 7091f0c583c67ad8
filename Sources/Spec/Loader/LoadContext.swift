import Foundation
import Yams

/// State shared by the readers of one load: where errors go, where values came from, and how
/// relative paths resolve.
final class LoadContext {
    let log: DiagnosticLog
    /// Directory relative paths (`path:`, `private_key:`, synced folder `host:`) resolve against.
    let baseDirectory: String
    /// Source position of values the cross-checks point at, keyed by a dotted path such as
    /// `machines.web.forwarded_ports.0.host`.
    private var origins: [String: SourcePosition] = [:]

    init(log: DiagnosticLog, baseDirectory: String) {
        self.log = log
        self.baseDirectory = baseDirectory
    }

    func record(_ path: String, _ node: Node) {
        origins[path] = node.position
    }

    func record(_ path: String, _ position: SourcePosition) {
        origins[path] = position
    }

    func has(_ path: String) -> Bool { origins[path] != nil }

    /// Where `path` was read from; the first recorded fallback, else 1:1.
    func position(_ path: String, or fallbacks: String...) -> SourcePosition {
        if let found = origins[path] { return found }
        for fallback in fallbacks { if let found = origins[fallback] { return found } }
        return .start
    }

    /// `path` made absolute against the base directory and normalized.
    func absolutePath(_ path: String) -> String {
        let expanded = path.hasPrefix("~/") ? NSHomeDirectory() + path.dropFirst(1) : path
        let joined = expanded.hasPrefix("/") ? expanded : baseDirectory + "/" + expanded
        return Self.normalize(joined)
    }

    func fileExists(_ absolutePath: String) -> (exists: Bool, isDirectory: Bool) {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: absolutePath, isDirectory: &isDirectory)
        return (exists, isDirectory.boolValue)
    }

    /// Removes `.` and `..` components and repeated slashes without touching the file system.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
