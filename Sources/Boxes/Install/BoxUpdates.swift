import Foundation
import Spec

/// One box name checked against its catalog.
public struct OutdatedBox: Sendable, Codable, Equatable {
    public var name: String
    /// Newest installed version (matching the constraint when one applies).
    public var installed: String
    /// Newest catalog version for libvirt matching the constraint; nil when unknown.
    public var latest: String?
    public var catalogURL: String?
    /// `outdated`, `current`, `no-catalog`, or `error`.
    public var status: String
    public var message: String?
}

extension BoxInstaller {
    /// Checks each `name` (with an optional constraint, e.g. from a Vmfile's `box_version`) against
    /// the catalog recorded when it was added. Errors fetching one catalog are reported in its row.
    public func outdated(_ boxes: [(name: String, constraint: VersionConstraint?)]) throws -> [OutdatedBox] {
        var rows: [OutdatedBox] = []
        for (name, constraint) in boxes {
            guard let installed = try store.find(name: name, constraint: constraint) ?? store.find(name: name) else {
                rows.append(OutdatedBox(name: name, installed: "-", latest: nil, catalogURL: store.catalogURL(of: name),
                                        status: "not-installed", message: nil))
                continue
            }
            guard let catalogText = store.catalogURL(of: name), let catalogURL = URL(string: catalogText) else {
                rows.append(OutdatedBox(name: name, installed: installed.version.description, latest: nil, catalogURL: nil,
                                        status: "no-catalog", message: "added from a file, not a catalog"))
                continue
            }
            do {
                let latest = try fetchCatalog(catalogURL).resolve(constraint)?.version
                let newer = latest.map { $0 > installed.version } ?? false
                rows.append(OutdatedBox(name: name, installed: installed.version.description, latest: latest?.description,
                                        catalogURL: catalogText, status: newer ? "outdated" : "current", message: nil))
            } catch {
                rows.append(OutdatedBox(name: name, installed: installed.version.description, latest: nil, catalogURL: catalogText,
                                        status: "error", message: "\(error)"))
            }
        }
        return rows
    }

    /// Adds the newest catalog version of `name` matching `constraint` when it is newer than what is
    /// installed; returns the added box, nil when already current. Older versions stay (see `box prune`).
    @discardableResult
    public func update(name: String, constraint: VersionConstraint?) throws -> InstalledBox? {
        guard let catalogText = store.catalogURL(of: name), let catalogURL = URL(string: catalogText) else {
            throw BoxError(.catalog, "box \(name) was not added from a catalog, so it has no updates to check",
                           hint: "add it from its catalog: vmfile box add CATALOG_URL")
        }
        let catalog = try fetchCatalog(catalogURL)
        guard let resolution = catalog.resolve(constraint) else {
            throw BoxError(.notFound, "the catalog of \(name) has no libvirt version\(constraint.map { " matching '\($0)'" } ?? "")",
                           hint: "catalog: \(catalogText)")
        }
        if let installed = try store.find(name: name), installed.version >= resolution.version { return nil }
        let source: BoxSource = catalogURL.isFileURL ? .local(catalogURL) : .remote(catalogURL)
        return try add(Request(name: name, source: source, version: "= \(resolution.version)"))
    }
}
