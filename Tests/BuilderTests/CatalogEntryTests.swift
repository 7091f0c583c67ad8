import Boxes
import Foundation
import Spec
import Testing
@testable import Builder

/// `output.catalog: true`: the Vagrant catalog written beside the box, merged with the one already there.
@Suite struct CatalogEntryTests {
    let box = BoxInfo(name: "vmfile/tiny-installed", version: BoxVersion(components: [1, 0, 0]), description: "tiny")

    @Test func theFileIsNamedAfterTheBox() {
        #expect(CatalogEntry.fileName(boxName: "debian/bookworm64") == "debian-bookworm64.json")
        #expect(CatalogEntry.fileName(boxName: "tiny") == "tiny.json")
    }

    @Test func aNewCatalogListsTheBuiltVersionByRelativeURL() throws {
        let catalog = CatalogEntry.merged(nil, box: box, boxFileName: "vmfile-tiny-installed-1.0.0.box", sha256: "ab", architecture: "amd64")
        #expect(catalog.name == "vmfile/tiny-installed" && catalog.description == "tiny")
        let provider = try #require(catalog.versions.first?.providers.first)
        #expect(catalog.versions.map(\.version) == ["1.0.0"])
        #expect(provider == {
            var expected = Catalog.Provider(name: "libvirt", url: "vmfile-tiny-installed-1.0.0.box", checksumType: "sha256", checksum: "ab", architecture: "amd64")
            expected.defaultArchitecture = true
            return expected
        }())
        // What `box add` of the catalog picks.
        #expect(catalog.resolve(nil, architecture: "amd64")?.version == box.version)
    }

    @Test func otherVersionsStayAndTheRebuiltOneIsReplaced() {
        let old = Catalog(name: box.name, versions: [
            Catalog.Version(version: "1.0.0", providers: [Catalog.Provider(name: "libvirt", url: "stale.box", checksum: "00")]),
            Catalog.Version(version: "2.0.0", providers: [Catalog.Provider(name: "libvirt", url: "newer.box")]),
            Catalog.Version(version: "0.9", providers: [Catalog.Provider(name: "libvirt", url: "older.box")]),
        ])
        let catalog = CatalogEntry.merged(old, box: box, boxFileName: "new.box", sha256: "ff")
        #expect(catalog.versions.map(\.version) == ["0.9", "1.0.0", "2.0.0"])
        #expect(catalog.versions[1].providers.map(\.url) == ["new.box"])
        #expect(catalog.versions[1].providers.map(\.checksum) == ["ff"])
    }

    @Test func anotherBoxsCatalogOrAnotherFileIsRefusedBeforeTheBuild() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("tiny-installed.json")
        #expect(try CatalogEntry.existing(at: url, boxName: box.name) == nil)

        try CatalogEntry.write(Catalog(name: "someone/else", versions: []), to: url)
        let other = #expect(throws: BuilderError.self) { try CatalogEntry.existing(at: url, boxName: box.name) }
        #expect(other?.message.contains("catalog of box someone/else") == true)

        try Data("not json".utf8).write(to: url)
        let garbage = #expect(throws: BuilderError.self) { try CatalogEntry.existing(at: url, boxName: box.name) }
        #expect(garbage?.message.contains("is not a Vagrant catalog") == true)

        let written = CatalogEntry.merged(nil, box: box, boxFileName: "b.box", sha256: "ab")
        try CatalogEntry.write(written, to: url)
        #expect(try CatalogEntry.existing(at: url, boxName: box.name) == written)
    }
}
