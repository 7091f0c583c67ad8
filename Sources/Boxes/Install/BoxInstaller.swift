import Foundation
import HostSupport
import Spec

/// Adds boxes to a store from anything `box add` accepts — a box directory, a `.box` file, an
/// http(s) URL of either, a Vagrant catalog (path or URL) — verifying declared checksums while the
/// bytes stream, before anything enters the store.
public struct BoxInstaller: Sendable {
    /// The store boxes are added to.
    public let store: BoxStore
    /// Download progress (rendered by the caller: `ProgressRenderer`).
    public var progress: @Sendable (DownloadProgress) -> Void
    /// One-line remarks (what was resolved, a Vagrantfile that is ignored).
    public var notice: @Sendable (String) -> Void

    public init(store: BoxStore, progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in },
                notice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.progress = progress
        self.notice = notice
    }

    /// What to add, as `vmfile box add` takes it.
    public struct Request: Sendable {
        /// The box name (positional NAME or `--name`); from the catalog or the file name when nil.
        public var name: String?
        /// Where the box comes from.
        public var source: BoxSource
        /// For a catalog, a version constraint (`">= 1.2"`, `"1.4.0"`); for a box file, the version to record (default 0).
        public var version: String?
        /// Overrides the catalog's checksum; required to match when given.
        public var checksum: Checksum?
        /// Replace an installed version with other content.
        public var force: Bool

        public init(name: String?, source: BoxSource, version: String? = nil, checksum: Checksum? = nil, force: Bool = false) {
            self.name = name
            self.source = source
            self.version = version
            self.checksum = checksum
            self.force = force
        }
    }

    var downloader: Downloader {
        Downloader(directory: store.root.appendingPathComponent(".downloads"), progress: progress)
    }

    /// Adds the box `request` describes and returns it.
    @discardableResult
    public func add(_ request: Request) throws -> InstalledBox {
        if let catalog = try catalog(at: request.source) {
            return try addFromCatalog(catalog, at: request.source.url, request: request)
        }
        return try addBoxFile(request.source, name: request.name,
                              versionText: request.version, checksum: request.checksum, force: request.force, catalogURL: nil)
    }

    /// The installed box `name` matching `constraint`; when none is installed and `url` is given, adds
    /// it from there first (the Vmfile's `box_url`). Nil when missing and no URL is given. Concurrent
    /// callers for one box download and add it once.
    public func ensure(name: String, constraint: VersionConstraint?, url: String?) throws -> InstalledBox? {
        if let found = try store.find(name: name, constraint: constraint) { return found }
        guard let url else { return nil }
        let lock = try FileLock.acquire(at: store.lockPath(name: name, version: nil), policy: .wait(onWait: { _ in }),
                                        purpose: "the download of box \(name)")
        defer { lock.release() }
        if let found = try store.find(name: name, constraint: constraint) { return found }
        notice("box \(name) is not installed; adding it from \(url)")
        let added = try add(Request(name: name, source: try BoxSource(url), version: constraint?.description))
        guard constraint?.matches(added.version) ?? true else {
            throw BoxError(.notFound, "box \(name) from \(url) is version \(added.version), which does not satisfy '\(constraint.map(\.description) ?? "")'",
                           hint: "point box_url at a catalog that has a matching version, or relax box_version")
        }
        return added
    }

    // MARK: - Catalogs

    /// The catalog at `source` when it is one (a `.json` path or URL, or a document starting with `{`).
    func catalog(at source: BoxSource) throws -> Catalog? {
        switch source {
        case .local(let url):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw BoxError(.notFound, "\(url.path) does not exist", hint: "give a .box file, a box directory, a catalog or a URL")
            }
            guard !isDirectory.boolValue, let head = try FileHandle(forReadingFrom: url).read(upToCount: 64),
                  Catalog.looksLikeJSON(head) else { return nil }
            return try Catalog.decode(try Data(contentsOf: url), source: url.path)
        case .remote(let url):
            guard url.pathExtension.lowercased() == "json" else { return nil }
            return try fetchCatalog(url)
        }
    }

    /// Downloads and decodes the catalog at `url` (http(s) or file).
    public func fetchCatalog(_ url: URL) throws -> Catalog {
        if url.isFileURL { return try Catalog.decode(try Data(contentsOf: url), source: url.path) }
        let quiet = Downloader(directory: store.root.appendingPathComponent(".downloads"))
        let fetched = try quiet.fetch(url)
        defer { try? FileManager.default.removeItem(at: fetched.file) }
        return try Catalog.decode(try Data(contentsOf: fetched.file), source: url.absoluteString)
    }

    private func addFromCatalog(_ catalog: Catalog, at catalogURL: URL, request: Request) throws -> InstalledBox {
        let constraint: VersionConstraint?
        if let text = request.version {
            guard let parsed = VersionConstraint(text) else {
                throw BoxError(.invalidSource, "'\(text)' is not a version constraint", hint: #"write e.g. "1.2.0", ">= 1.2, < 2" or "~> 1.4""#)
            }
            constraint = parsed
        } else {
            constraint = nil
        }
        guard let name = request.name ?? catalog.name else {
            throw BoxError(.catalog, "the catalog \(catalogURL.absoluteString) names no box", hint: "give one with --name NAME")
        }
        guard let resolution = catalog.resolve(constraint) else {
            let available = catalog.libvirtVersions.map(\.description).joined(separator: ", ")
            throw BoxError(.notFound, "the catalog for \(name) has no libvirt version for \(Catalog.hostArchitecture)\(constraint.map { " matching '\($0)'" } ?? "")",
                           hint: available.isEmpty ? "the catalog offers no libvirt provider" : "libvirt versions offered: \(available)")
        }
        guard let boxURL = URL(string: resolution.provider.url, relativeTo: catalogURL)?.absoluteURL else {
            throw BoxError(.catalog, "the catalog's url '\(resolution.provider.url)' for \(name) \(resolution.version) is not a URL")
        }
        notice("catalog: \(name) \(resolution.version) from \(boxURL.absoluteString)")
        let source: BoxSource = boxURL.isFileURL ? .local(boxURL) : .remote(boxURL)
        return try addBoxFile(source, name: name, versionText: resolution.version.description,
                              checksum: try request.checksum ?? resolution.provider.declaredChecksum(),
                              force: request.force, catalogURL: catalogURL.absoluteString)
    }

    // MARK: - Box files

    private func addBoxFile(_ source: BoxSource, name requestedName: String?, versionText: String?, checksum: Checksum?,
                            force: Bool, catalogURL: String?) throws -> InstalledBox {
        let name = requestedName ?? source.suggestedName
        switch source {
        case .local(let url):
            if let checksum {
                try checksum.verify(try StreamingHasher.digest(of: url, checksum.algorithm), of: url.path)
            }
            return try store.add(from: url, name: name, version: try Self.recordedVersion(versionText), force: force, catalogURL: catalogURL, notice: notice)
        case .remote(let url):
            let fetched = try downloader.fetch(url, algorithm: checksum?.algorithm ?? .sha256)
            defer { try? FileManager.default.removeItem(at: fetched.file) }
            try checksum?.verify(fetched.digest, of: url.absoluteString)
            if let head = try FileHandle(forReadingFrom: fetched.file).read(upToCount: 64), Catalog.looksLikeJSON(head) {
                // A catalog served without a .json name.
                let catalog = try Catalog.decode(try Data(contentsOf: fetched.file), source: url.absoluteString)
                return try addFromCatalog(catalog, at: url, request: Request(
                    name: requestedName, source: source, version: versionText, checksum: nil, force: force))
            }
            return try store.add(from: fetched.file, name: name, version: try Self.recordedVersion(versionText), force: force, catalogURL: catalogURL, notice: notice)
        }
    }

    /// The version recorded for a box file: `V` or `= V`; 0 when none is given.
    static func recordedVersion(_ text: String?) throws -> BoxVersion {
        guard let text else { return BoxVersion(components: [0]) }
        if let version = BoxVersion(text.trimmingCharacters(in: .whitespaces)) { return version }
        if let constraint = VersionConstraint(text), constraint.clauses.count == 1, let clause = constraint.clauses.first,
           clause.op == .equal {
            return clause.version
        }
        throw BoxError(.invalidSource, "'\(text)' is not a version to record for a box file",
                       hint: "version constraints need a catalog; for a .box file give an exact version like 1.2.0")
    }
}
