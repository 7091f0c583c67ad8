import Boxes
import Foundation
import Spec

/// `output.catalog: true`: a Vagrant catalog beside the box (`debian/bookworm64` →
/// `debian-bookworm64.json`) listing the built version with its `.box` (a URL relative to the catalog)
/// and sha256, so `vmfile box add output/debian-bookworm64.json` — or `vagrant box add` — installs it with
/// its name and version, and `box outdated` sees the next build. Versions already listed stay; the
/// version built again is replaced.
enum CatalogEntry {
    /// The catalog's file name for box `name`.
    static func fileName(boxName name: String) -> String {
        name.replacingOccurrences(of: "/", with: "-") + ".json"
    }

    /// The catalog at `url` when there is one. Read before building, so a file that is no catalog, or is
    /// another box's, fails the build before anything is made rather than after the install.
    static func existing(at url: URL, boxName: String) throws -> Catalog? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let catalog: Catalog
        do {
            catalog = try JSONDecoder().decode(Catalog.self, from: Data(contentsOf: url))
        } catch {
            throw BuilderError(.output, "\(url.path) exists and is not a Vagrant catalog: \(error)",
                               hint: "move it away, or write the box elsewhere with --output DIR")
        }
        if let name = catalog.name, name != boxName {
            throw BuilderError(.output, "\(url.path) is the catalog of box \(name), not of \(boxName)",
                               hint: "move it away, or write the box elsewhere with --output DIR")
        }
        return catalog
    }

    /// `existing` with `box`'s version pointing at `boxFileName` (in the catalog's directory); versions in
    /// ascending order. Pure.
    static func merged(_ existing: Catalog?, box: BoxInfo, boxFileName: String, sha256: String,
                       architecture: String = Catalog.hostArchitecture) -> Catalog {
        var provider = Catalog.Provider(name: "libvirt", url: boxFileName, checksumType: "sha256", checksum: sha256,
                                        architecture: architecture)
        provider.defaultArchitecture = true
        let version = box.version.description
        var versions = (existing?.versions ?? []).filter { $0.version != version }
        versions.append(Catalog.Version(version: version, status: "active", providers: [provider]))
        // A version text that is not numeric (another tool's) sorts first.
        func order(_ entry: Catalog.Version) -> BoxVersion { BoxVersion(entry.version) ?? BoxVersion(components: []) }
        versions.sort { order($0) < order($1) }
        return Catalog(name: box.name, description: box.description ?? existing?.description, versions: versions)
    }

    /// Writes `catalog` to `url` whole or not at all.
    static func write(_ catalog: Catalog, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(catalog).write(to: url, options: .atomic)
        } catch {
            throw BuilderError(.output, "cannot write the catalog \(url.path): \(error)", hint: "check free space and permissions", cause: error)
        }
    }
}
