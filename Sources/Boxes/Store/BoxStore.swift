import Foundation
import Spec

/// The box store: one directory per box name and version, laid out like Vagrant's
/// (`<root>/<name with / as -VAGRANTSLASH->/<version>/libvirt/{metadata.json,box.img}`).
///
/// Adds are atomic: a box is unpacked into a staging directory under the root and renamed into
/// place, so an interrupted or failed add leaves nothing behind.
public struct BoxStore: Sendable {
    /// The store's root directory.
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// `$VMFILE_HOME/boxes`, else `/var/lib/vmfile/boxes` for root, else
    /// `$XDG_DATA_HOME/vmfile/boxes` (default `~/.local/share/vmfile/boxes`).
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        VmfileHome.directory(environment: environment).appendingPathComponent("boxes")
    }

    /// Every installed box version, sorted by name then version.
    public func list() throws -> [InstalledBox] {
        var boxes: [InstalledBox] = []
        for entry in try directoryNames(root) where !entry.hasPrefix(".") {
            let name = entry.replacingOccurrences(of: "-VAGRANTSLASH-", with: "/")
            for versionText in try directoryNames(root.appendingPathComponent(entry)) {
                guard let version = BoxVersion(versionText) else { continue }
                let directory = versionDirectory(name: name, version: version)
                guard let metadata = try? BoxMetadata.read(from: directory) else { continue }
                boxes.append(InstalledBox(name: name, version: version, metadata: metadata, directory: directory))
            }
        }
        return boxes.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    /// The newest installed version of `name` that satisfies `constraint`, if any.
    public func find(name: String, constraint: VersionConstraint? = nil) throws -> InstalledBox? {
        try list()
            .filter { $0.name == name && (constraint?.matches($0.version) ?? true) }
            .max { $0.version < $1.version }
    }

    /// Installs the libvirt box at `source` — a directory holding `metadata.json` and `box.img`, or a
    /// `.box` tar archive of them — as `name` at `version`. Fails if that version exists unless `force`.
    @discardableResult
    public func add(from source: URL, name: String, version: BoxVersion, force: Bool = false) throws -> InstalledBox {
        try Self.checkName(name)
        let target = versionDirectory(name: name, version: version)
        if FileManager.default.fileExists(atPath: target.path) {
            if let installed = try sameBox(at: target, as: source, name: name, version: version) {
                return installed
            }
            if !force {
                throw BoxError(.alreadyExists, "box '\(name)' version \(version) is already installed with other content",
                               hint: "use --force to replace it, or --version to add another version")
            }
        }
        let lock = try FileLock.acquire(at: root.appendingPathComponent(".lock").path,
                                        policy: .wait(onWait: { _ in }), purpose: "the box store")
        defer { lock.release() }

        let staging = root.appendingPathComponent(".staging/\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }

        try BoxUnpacker.unpack(source, into: staging)
        let metadata = try BoxMetadata.read(from: staging)
        guard FileManager.default.fileExists(atPath: staging.appendingPathComponent("box.img").path) else {
            throw BoxError(.invalidBox, "\(source.path) has no box.img", hint: "a libvirt box holds metadata.json and box.img")
        }

        _ = try ImageDigest.recorded(in: staging)

        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: target.path) {
            try FileManager.default.removeItem(at: target)
        }
        try FileManager.default.moveItem(at: staging, to: target)
        return InstalledBox(name: name, version: version, metadata: metadata, directory: target)
    }

    /// The installed box at `target` when `source` is a box directory with the very same image
    /// (re-adding it is a no-op); nil otherwise.
    private func sameBox(at target: URL, as source: URL, name: String, version: BoxVersion) throws -> InstalledBox? {
        let sourceImage = source.appendingPathComponent("box.img")
        guard FileManager.default.fileExists(atPath: sourceImage.path),
              let metadata = try? BoxMetadata.read(from: target),
              try ImageDigest.sha256(of: sourceImage) == ImageDigest.recorded(in: target) else { return nil }
        return InstalledBox(name: name, version: version, metadata: metadata, directory: target)
    }

    /// Removes one installed version; removes the name's directory when it was the last.
    public func remove(name: String, version: BoxVersion) throws {
        let target = versionDirectory(name: name, version: version)
        guard FileManager.default.fileExists(atPath: target.path) else {
            throw BoxError(.notFound, "box '\(name)' version \(version) is not installed", hint: "see `vmfile box list`")
        }
        let versionRoot = target.deletingLastPathComponent()
        try FileManager.default.removeItem(at: versionRoot)
        let nameRoot = versionRoot.deletingLastPathComponent()
        if try directoryNames(nameRoot).isEmpty {
            try FileManager.default.removeItem(at: nameRoot)
        }
    }

    /// `<root>/<escaped name>/<version>/libvirt`.
    public func versionDirectory(name: String, version: BoxVersion) -> URL {
        root.appendingPathComponent(name.replacingOccurrences(of: "/", with: "-VAGRANTSLASH-"))
            .appendingPathComponent(version.description)
            .appendingPathComponent("libvirt")
    }

    static func checkName(_ name: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./"))
        let valid = !name.isEmpty && !name.hasPrefix(".") && !name.hasPrefix("/")
            && !name.contains("..") && name.unicodeScalars.allSatisfy(allowed.contains)
        guard valid else {
            throw BoxError(.invalidBox, "'\(name)' is not a valid box name",
                           hint: "use letters, digits, '-', '_', '.', and one '/' like 'org/name'")
        }
    }

    private func directoryNames(_ url: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { entry in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.appendingPathComponent(entry).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
    }
}

/// Where vmfile keeps host-wide state (boxes, caches) — not per-project state.
public enum VmfileHome {
    /// `$VMFILE_HOME`, else `/var/lib/vmfile` for root, else `$XDG_DATA_HOME/vmfile` or `~/.local/share/vmfile`.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["VMFILE_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        if getuid() == 0 {
            return URL(fileURLWithPath: "/var/lib/vmfile")
        }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            return URL(fileURLWithPath: data).appendingPathComponent("vmfile")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/vmfile")
    }

    /// Host-wide lock files (box imports, network creation).
    public static func locks(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        directory(environment: environment).appendingPathComponent("locks")
    }
}
