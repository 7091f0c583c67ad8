import Foundation
import Spec
import Testing
@testable import Boxes

@Suite struct CatalogTests {
    static let catalog = Catalog(name: "org/tiny", versions: [
        .init(version: "1.0.0", providers: [.init(name: "libvirt", url: "tiny-1.0.0.box")]),
        .init(version: "1.2.0", providers: [.init(name: "libvirt", url: "tiny-1.2.0.box", architecture: "amd64"),
                                            .init(name: "libvirt", url: "tiny-1.2.0-arm.box", architecture: "arm64")]),
        .init(version: "1.4.2", providers: [.init(name: "virtualbox", url: "vbox.box")]),
        .init(version: "1.5.0", status: "revoked", providers: [.init(name: "libvirt", url: "bad.box")]),
        .init(version: "2.0.0", providers: [.init(name: "libvirt", url: "tiny-2.0.0.box", architecture: "x86_64")]),
        .init(version: "2.1", providers: [.init(name: "libvirt", url: "tiny-2.1-arm.box", architecture: "arm64")]),
        .init(version: "not-a-version", providers: [.init(name: "libvirt", url: "x.box")]),
    ])

    @Test(arguments: [
        (nil, "amd64", "2.0.0"),
        (nil, "arm64", "2.1"),
        ("< 2", "amd64", "1.2.0"),
        ("~> 1.0", "amd64", "1.2.0"),
        ("~> 1.0.0", "amd64", "1.0.0"),
        ("= 1.4.2", "amd64", nil),           // only a virtualbox provider
        (">= 1.5, < 2", "amd64", nil),       // 1.5.0 is revoked
        ("!= 2.0.0", "amd64", "1.2.0"),
        ("> 2", "amd64", nil),
        ("1.0.0", "arm64", "1.0.0"),         // no architecture: any host
        ("<= 1.2", "arm64", "1.2.0"),
    ] as [(String?, String, String?)])
    func resolvesVersions(constraint: String?, architecture: String, expected: String?) throws {
        let parsed = try constraint.map { try #require(VersionConstraint($0)) }
        let resolution = Self.catalog.resolve(parsed, architecture: architecture)
        #expect(resolution?.version.description == expected)
    }

    @Test func decodesVagrantCatalogJSON() throws {
        let json = """
            {"name": "acme/base", "description": "Base box",
             "versions": [{"version": "0.3.1", "status": "active", "providers": [
               {"name": "libvirt", "url": "https://example.com/b.box", "checksum_type": "sha256",
                "checksum": "\(String(repeating: "ab", count: 32))", "architecture": "amd64", "default_architecture": true}]}]}
            """
        let catalog = try Catalog.decode(Data(json.utf8), source: "test")
        let resolution = try #require(catalog.resolve(nil, architecture: "amd64"))
        #expect(resolution.version.description == "0.3.1")
        #expect(try resolution.provider.declaredChecksum()?.algorithm == .sha256)
        #expect(throws: BoxError.self) { try Catalog.decode(Data("[1]".utf8), source: "test") }
    }

    @Test(arguments: ["sha256:" + String(repeating: "a", count: 64), "SHA512:" + String(repeating: "b", count: 128),
                      "sha1:" + String(repeating: "c", count: 40), "md5:" + String(repeating: "d", count: 32)])
    func parsesChecksums(text: String) throws {
        let checksum = try Checksum(parsing: text)
        #expect(checksum.description == text.lowercased())
    }

    @Test(arguments: ["sha256:abc", "crc32:00000000", "nocolon", "sha1:" + String(repeating: "z", count: 40)])
    func refusesBadChecksums(text: String) {
        #expect(throws: BoxError.self) { try Checksum(parsing: text) }
    }

    @Test func hashesEachAlgorithm() {
        let data = Data("abc".utf8)
        var digests: [String] = []
        for algorithm in Checksum.Algorithm.allCases {
            var hasher = StreamingHasher(algorithm)
            hasher.update(data)
            digests.append(hasher.finalize())
        }
        #expect(digests[0] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digests[2] == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(digests[3] == "900150983cd24fb0d6963f7d28e17f72")
    }
}
