import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Watches directory trees with inotify (one watch per directory, added as directories appear) and
/// says which of the watched roots changed. Directories named `.vmfile` and those matching an
/// exclude pattern of their root (`name/` or `name`) are not watched: vmfile's own state changes
/// constantly (console logs) and must not trigger syncs.
public final class FolderWatcher {
    /// A watched tree: its root and the directory names left out.
    public struct Root: Sendable, Equatable {
        public var path: String
        public var excludedNames: Set<String>

        public init(path: String, excludes: [String]) {
            self.path = path
            // Only plain names are used to prune watches; rsync applies the full patterns when copying.
            self.excludedNames = Set(excludes.compactMap { pattern in
                let name = pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern
                return name.isEmpty || name.contains("/") || name.contains("*") ? nil : name
            } + [".vmfile"])
        }
    }

    private let fd: Int32
    private let roots: [Root]
    /// Watch descriptor → (root index, directory path).
    private var watches: [Int32: (root: Int, path: String)] = [:]

    private static let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB
        | IN_DELETE_SELF)

    public init(roots: [Root]) throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else {
            throw LifecycleError(.unavailable, "cannot watch folders: inotify_init1 failed (\(String(cString: strerror(errno))))",
                                 hint: "raise fs.inotify.max_user_instances, or run `vmfile rsync` by hand")
        }
        self.fd = fd
        self.roots = roots
        for (index, root) in roots.enumerated() { try addTree(root.path, root: index) }
    }

    deinit { close(fd) }

    /// Number of directories watched.
    public var watchCount: Int { watches.count }

    /// Blocks until something changes, then gathers further events for `settle` seconds (an editor's
    /// save is several events) and returns the indices of the roots that changed.
    public func waitForChanges(settle: TimeInterval = 0.2) throws -> Set<Int> {
        var changed = try readEvents(timeout: -1)
        let deadline = Date().addingTimeInterval(settle)
        while Date() < deadline {
            let remaining = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            changed.formUnion(try readEvents(timeout: remaining))
        }
        return changed
    }

    /// Reads the events available within `timeout` ms (-1: wait); adds watches for new directories.
    private func readEvents(timeout: Int32) throws -> Set<Int> {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, timeout)
        if ready < 0 && errno == EINTR { return [] }
        guard ready > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return [] }
        var changed: Set<Int> = []
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= count {
            let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                return (event.wd, event.mask, Int(event.len))
            }
            let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)]
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += header + length
            guard let watch = watches[wd] else { continue }
            if mask & UInt32(IN_IGNORED) != 0 { watches[wd] = nil; continue }
            if roots[watch.root].excludedNames.contains(name) { continue }
            changed.insert(watch.root)
            if mask & UInt32(IN_ISDIR) != 0 && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                try addTree(watch.path + "/" + name, root: watch.root)
            }
        }
        return changed
    }

    /// Watches `path` and every directory below it, except excluded names.
    private func addTree(_ path: String, root: Int) throws {
        let wd = inotify_add_watch(fd, path, Self.mask | UInt32(IN_ONLYDIR))
        guard wd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw LifecycleError(.unavailable, "cannot watch \(path): \(String(cString: strerror(errno)))",
                                 hint: errno == ENOSPC ? "raise fs.inotify.max_user_watches (sysctl)" : nil)
        }
        watches[wd] = (root, path)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for entry in entries where !roots[root].excludedNames.contains(entry) {
            let child = path + "/" + entry
            var isDirectory: ObjCBool = false
            // Links are not followed: rsync copies them as links.
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: child)) == nil,
               FileManager.default.fileExists(atPath: child, isDirectory: &isDirectory), isDirectory.boolValue {
                try addTree(child, root: root)
            }
        }
    }
}
