import Foundation
import Spec
import Testing
@testable import Boxes

/// A scratch directory removed when the test ends, pass or fail.
final class ScratchDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-boxes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes a libvirt box directory with a real qcow2 image of `megabytes` (or raw `image` bytes).
    func makeBoxDirectory(named name: String, metadata: String = #"{"provider":"libvirt","format":"qcow2","virtual_size":2}"#,
                          megabytes: Int? = 1, image: Data? = nil) throws -> URL {
        let directory = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(metadata.utf8).write(to: directory.appendingPathComponent("metadata.json"))
        if let image {
            try image.write(to: directory.appendingPathComponent("box.img"))
        } else if let megabytes {
            try Images.qcow2(at: directory.appendingPathComponent("box.img"), megabytes: megabytes)
        }
        return directory
    }

    /// Tars `directory`'s `members` into `name` (gzip when `gzip`).
    func tar(_ directory: URL, _ members: [String], to name: String, gzip: Bool = false, format: String = "gnu") throws -> URL {
        let archive = url.appendingPathComponent(name)
        try Images.run("tar", ["--format=\(format)", gzip ? "-czf" : "-cf", archive.path, "-C", directory.path] + members)
        return archive
    }
}

@Suite struct BoxStoreTests {
    func version(_ text: String) throws -> BoxVersion { try #require(BoxVersion(text)) }

    @Test func addsFindsListsAndRemovesVersions() throws {
        let scratch = try ScratchDirectory()
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let source = try scratch.makeBoxDirectory(named: "src")

        try store.add(from: source, name: "org/tiny", version: try version("1.0"))
        try store.add(from: source, name: "org/tiny", version: try version("1.2"))
        try store.add(from: source, name: "other", version: try version("0"))

        #expect(try store.list().map { "\($0.name)@\($0.version)" } == ["org/tiny@1.0", "org/tiny@1.2", "other@0"])
        #expect(try store.find(name: "org/tiny")?.version == (try version("1.2")))
        #expect(try store.find(name: "org/tiny", constraint: VersionConstraint("< 1.2"))?.version == (try version("1.0")))
        #expect(try store.find(name: "missing") == nil)
        let found = try #require(try store.find(name: "other"))
        #expect(FileManager.default.fileExists(atPath: found.imageURL.path))
        #expect(found.directory.path.contains("other/0/libvirt"))

        try store.remove(name: "org/tiny", version: try version("1.0"))
        try store.remove(name: "org/tiny", version: try version("1.2"))
        #expect(try store.list().map(\.name) == ["other"])
        #expect(!FileManager.default.fileExists(atPath: store.root.appendingPathComponent("org-VAGRANTSLASH-tiny").path))
    }

    @Test func reAddingTheSameBoxIsANoOpButOtherContentNeedsForce() throws {
        let scratch = try ScratchDirectory()
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let source = try scratch.makeBoxDirectory(named: "src")
        let first = try store.add(from: source, name: "tiny", version: try version("1"))
        let firstDigest = try first.imageDigest()
        let again = try store.add(from: source, name: "tiny", version: try version("1"))
        #expect(try again.imageDigest() == firstDigest)

        let changed = try scratch.makeBoxDirectory(named: "changed", megabytes: 2)
        #expect(throws: BoxError.self) { try store.add(from: changed, name: "tiny", version: try version("1")) }
        let replaced = try store.add(from: changed, name: "tiny", version: try version("1"), force: true)
        #expect(try replaced.imageDigest() != firstDigest)
        #expect(try store.list().count == 1)
    }

    @Test(arguments: [
        (#"{"provider":"virtualbox","format":"vmdk"}"#, true, "provider"),
        (#"{"provider":"libvirt","format":"raw"}"#, true, "qcow2"),
        ("not json", true, "not valid box metadata"),
        (#"{"provider":"libvirt","format":"qcow2"}"#, false, "no box.img"),
    ])
    func refusesInvalidBoxesAndLeavesNothing(metadata: String, withImage: Bool, message: String) throws {
        let scratch = try ScratchDirectory()
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let source = try scratch.makeBoxDirectory(named: "bad", metadata: metadata, megabytes: withImage ? 1 : nil)
        let error = try #require(throws: BoxError.self) { try store.add(from: source, name: "bad", version: try version("1")) }
        #expect(error.message.contains(message))
        #expect(try store.list().isEmpty)
        let staging = store.root.appendingPathComponent(".staging")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: staging.path))?.isEmpty ?? true)
    }

    @Test(arguments: [(false, "gnu"), (true, "gnu"), (true, "pax"), (false, "ustar")])
    func addsFromTarArchive(gzip: Bool, format: String) throws {
        let scratch = try ScratchDirectory()
        let source = try scratch.makeBoxDirectory(named: "src")
        let archive = try scratch.tar(source, ["metadata.json", "box.img"], to: "tiny.box", gzip: gzip, format: format)
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let box = try store.add(from: archive, name: "tiny", version: try version("2.1"))
        #expect(box.metadata.virtualSize == 2)
        #expect(try Data(contentsOf: box.imageURL) == Data(contentsOf: source.appendingPathComponent("box.img")))
        #expect(try box.imageDigest() == (try ImageDigest.sha256(of: source.appendingPathComponent("box.img"))))
    }

    @Test(arguments: ["gnu", "pax"])
    func readsLongNames(format: String) throws {
        let scratch = try ScratchDirectory()
        let source = try scratch.makeBoxDirectory(named: "src")
        let long = String(repeating: "n", count: 150)
        try FileManager.default.createDirectory(at: source.appendingPathComponent(long), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: source.appendingPathComponent("\(long)/\(long).txt"))
        let archive = try scratch.tar(source, ["metadata.json", "box.img", long], to: "long.box", format: format)
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let box = try store.add(from: archive, name: "long", version: try version("1"))
        #expect(FileManager.default.fileExists(atPath: box.directory.appendingPathComponent("\(long)/\(long).txt").path))
    }

    @Test func anAddKilledMidwayLeavesNothingAfterTheNextAdd() throws {
        let scratch = try ScratchDirectory()
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let abandoned = store.root.appendingPathComponent(".staging/\(finished.processIdentifier)-killed")
        try FileManager.default.createDirectory(at: abandoned, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: abandoned.appendingPathComponent("box.img"))
        try store.add(from: try scratch.makeBoxDirectory(named: "src"), name: "tiny", version: try version("1"))
        #expect(store.stagingIsEmpty())
    }

    @Test(arguments: ["", "../x", "/abs", "a b", ".hidden", "a/b/c", "org/", "a//b"])
    func rejectsBadNames(name: String) throws {
        #expect(throws: BoxError.self) { try BoxStore.checkName(name) }
    }

    @Test(arguments: ["tiny", "org/name", "debian-12.5_x", "a.b/c-d"])
    func acceptsGoodNames(name: String) throws {
        try BoxStore.checkName(name)
    }
}

@Suite struct BoxDigestTimingTests {
    @Test func aNewVersionIsCopiedWithoutHashingAndHashedOnceOnDemand() throws {
        let scratch = try ScratchDirectory()
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let box = try store.add(from: try scratch.makeBoxDirectory(named: "src"), name: "tiny", version: BoxVersion(components: [1]))
        #expect(box.recordedDigest == nil)
        let digest = try box.imageDigest()
        #expect(box.recordedDigest == digest)
    }
}
