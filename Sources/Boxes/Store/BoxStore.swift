import Foundation
import HostSupport
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
    /// `.box` tar archive (plain, gzip, xz, zstd) — as `name` at `version`.
    ///
    /// Every archive entry is checked before it is written; every image must be what metadata.json
    /// declares and stand alone (no backing or data file). The box is unpacked into `.staging/` and
    /// renamed into place, so a failed add leaves nothing. Re-adding identical content is a no-op;
    /// other content for an installed version needs `force`. `catalogURL` is recorded (Vagrant's
    /// `metadata_url`) for `box outdated` and `box update`. `notice` gets one-line remarks.
    @discardableResult
    public func add(from source: URL, name: String, version: BoxVersion, force: Bool = false,
                    catalogURL: String? = nil, notice: (String) -> Void = { _ in }) throws -> InstalledBox {
        try Self.checkName(name)
        let lock = try FileLock.acquire(at: lockPath(name: name, version: version), policy: .wait(onWait: { _ in }),
                                        purpose: "box \(name) \(version)")
        defer { lock.release() }

        removeAbandonedStaging()
        let staging = root.appendingPathComponent(".staging/\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }

        let target = versionDirectory(name: name, version: version)
        // Hashing is only needed to tell an identical re-add from other content; a new version is a
        // plain copy, and its digest is computed once, when its pool volume is first imported.
        let replacing = FileManager.default.fileExists(atPath: target.path)
        let digests = try BoxExtractor.unpack(source, into: staging, hashing: replacing)
        let metadata = try BoxMetadata.read(from: staging)
        for (file, format) in zip(metadata.imageFiles, metadata.imageFormats) {
            let image = staging.appendingPathComponent(file)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: image.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw BoxError(.invalidBox, "\(source.path) has no \(file)", hint: "a libvirt box holds metadata.json and box.img")
            }
            try ImageInfo.read(image).check(declared: format, file: "\(source.lastPathComponent): \(file)")
        }
        if FileManager.default.fileExists(atPath: staging.appendingPathComponent(BoxLoginKey.fileName).path) {
            notice("the box ships a login key (\(BoxLoginKey.fileName)): machines made from it are reached with it first")
        } else if FileManager.default.fileExists(atPath: staging.appendingPathComponent("Vagrantfile").path) {
            notice("the box's Vagrantfile is kept but not used (vmfile reads only the Vmfile)")
        }
        let primary = metadata.imageFiles.first ?? "box.img"
        if let digest = digests[primary] {
            try ImageDigest.record(digest, in: staging)
        }

        if replacing {
            if !force, let digest = digests[primary], (try? ImageDigest.recorded(in: target)) == digest,
               let installed = try? BoxMetadata.read(from: target) {
                try recordCatalog(catalogURL, name: name)
                return InstalledBox(name: name, version: version, metadata: installed, directory: target)
            }
            guard force else {
                throw BoxError(.alreadyExists, "box '\(name)' version \(version) is already installed with other content",
                               hint: "use --force to replace it, or --version to add another version")
            }
            // Move the old copy aside first so the rename below is the only moment of change.
            let old = root.appendingPathComponent(".staging/\(getpid())-\(UUID().uuidString)-old")
            try FileManager.default.moveItem(at: target, to: old)
            defer { try? FileManager.default.removeItem(at: old) }
            try FileManager.default.moveItem(at: staging, to: target)
        } else {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: staging, to: target)
        }
        try recordCatalog(catalogURL, name: name)
        return InstalledBox(name: name, version: version, metadata: metadata, directory: target)
    }

    /// The catalog URL recorded for `name` (Vagrant's `<box>/metadata_url`), if any.
    public func catalogURL(of name: String) -> String? {
        let file = nameDirectory(name).appendingPathComponent("metadata_url")
        // Most boxes have none: a stat is far cheaper than the error a failed read builds.
        guard FileManager.default.fileExists(atPath: file.path),
              let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return url.isEmpty ? nil : url
    }

    private func recordCatalog(_ url: String?, name: String) throws {
        guard let url else { return }
        try url.write(to: nameDirectory(name).appendingPathComponent("metadata_url"), atomically: true, encoding: .utf8)
    }

    /// Removes staging directories of adds whose process is gone (killed mid-add): their names start
    /// with the adding process's PID.
    func removeAbandonedStaging() {
        let staging = root.appendingPathComponent(".staging")
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? [] {
            guard let pid = entry.split(separator: "-").first.flatMap({ Int32($0) }), pid != getpid() else { continue }
            if ProcessLiveness.isGone(pid) {
                try? FileManager.default.removeItem(at: staging.appendingPathComponent(entry))
            }
        }
    }

    /// Whether nothing is left half-made in `.staging` (for tests and `box prune`).
    public func stagingIsEmpty() -> Bool {
        let staging = root.appendingPathComponent(".staging")
        return ((try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []).isEmpty
    }

    /// The lock serialising adds of one box version (and downloads for it).
    func lockPath(name: String, version: BoxVersion?) -> String {
        let escaped = name.replacingOccurrences(of: "/", with: "-VAGRANTSLASH-")
        return root.appendingPathComponent(".locks/\(escaped)-\(version?.description ?? "any").lock").path
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

    /// `<root>/<escaped name>`.
    public func nameDirectory(_ name: String) -> URL {
        root.appendingPathComponent(name.replacingOccurrences(of: "/", with: "-VAGRANTSLASH-"))
    }

    /// `<root>/<escaped name>/<version>/libvirt`.
    public func versionDirectory(name: String, version: BoxVersion) -> URL {
        nameDirectory(name)
            .appendingPathComponent(version.description)
            .appendingPathComponent("libvirt")
    }

    static func checkName(_ name: String) throws {
        guard BoxNameRules.isValid(name) else {
            throw BoxError(.invalidBox, "'\(name)' is not a valid box name", hint: BoxNameRules.hint)
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
