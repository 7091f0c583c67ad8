import Foundation
import Spec
import Testing
@testable import Boxes

/// Archives and images that try to write or read outside the box: each is refused before anything
/// is written, and the store (including `.staging`) stays empty.
@Suite struct HostileBoxTests {
    static let metadata = Data(#"{"provider":"libvirt","format":"qcow2","virtual_size":1}"#.utf8)

    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case absolutePath, dotDot, dotDotAfterPax, symlinkAbsolute, symlinkUp, symlinkThenWriteThrough
        case hardlinkAbsolute, hardlinkUp, characterDevice, fifo
        var testDescription: String { rawValue }
    }

    /// The escape target for `case`; it must not exist after the add.
    static func archive(_ hostile: Case, image: Data, escape: URL) -> Data {
        var tar = TarBuilder()
        tar.file("metadata.json", metadata)
        switch hostile {
        case .absolutePath: tar.file(escape.path, Data("pwned".utf8))
        case .dotDot: tar.file("../../../../../../../../..\(escape.path)", Data("pwned".utf8))
        case .dotDotAfterPax:
            tar.paxPath("sub/../../\(escape.lastPathComponent)")
            tar.file("innocent", Data("pwned".utf8))
        case .symlinkAbsolute: tar.symlink("box.img", to: escape.path)
        case .symlinkUp: tar.symlink("link", to: "../../\(escape.lastPathComponent)")
        case .symlinkThenWriteThrough:
            tar.symlink("dir", to: "sub")
            tar.file("dir/box.img", image)
        case .hardlinkAbsolute: tar.hardlink("box.img", to: "/etc/passwd")
        case .hardlinkUp: tar.hardlink("box.img", to: "../passwd")
        case .characterDevice: tar.characterDevice("box.img")
        case .fifo: tar.fifo("pipe")
        }
        tar.file("box.img", image)
        return tar.archive
    }

    @Test(arguments: Case.allCases)
    func refusesHostileArchive(_ hostile: Case) throws {
        let scratch = try ScratchDirectory()
        let image = scratch.url.appendingPathComponent("good.img")
        try Images.qcow2(at: image)
        let escape = scratch.url.appendingPathComponent("escaped-\(hostile.rawValue)")
        let archive = scratch.url.appendingPathComponent("hostile.box")
        try Self.archive(hostile, image: try Data(contentsOf: image), escape: escape).write(to: archive)
        let store = BoxStore(root: scratch.url.appendingPathComponent("store/boxes"))

        let error = try #require(throws: BoxError.self) { try store.add(from: archive, name: "evil", version: BoxVersion(components: [1])) }
        #expect(error.code == .unsafeArchive, "\(error)")
        #expect(!FileManager.default.fileExists(atPath: escape.path))
        #expect(try store.list().isEmpty)
        #expect(store.stagingIsEmpty())
    }

    @Test func aGoodHandBuiltArchiveIsAccepted() throws {
        let scratch = try ScratchDirectory()
        let image = scratch.url.appendingPathComponent("good.img")
        try Images.qcow2(at: image)
        var tar = TarBuilder()
        tar.directory("./")
        tar.file("./metadata.json", Self.metadata)
        tar.file("./box.img", try Data(contentsOf: image))
        tar.symlink("alias.img", to: "box.img")
        let archive = scratch.url.appendingPathComponent("good.box")
        try tar.archive.write(to: archive)
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let box = try store.add(from: archive, name: "good", version: BoxVersion(components: [1]))
        #expect(try Data(contentsOf: box.imageURL) == Data(contentsOf: image))
    }

    @Test func refusesARawImageDeclaredQcow2() throws {
        let scratch = try ScratchDirectory()
        let source = try scratch.makeBoxDirectory(named: "raw", megabytes: nil, image: Data(count: 1 << 16))
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let error = try #require(throws: BoxError.self) { try store.add(from: source, name: "raw", version: BoxVersion(components: [1])) }
        #expect(error.code == .unsafeImage && error.message.contains("raw"), "\(error)")
        #expect(try store.list().isEmpty && store.stagingIsEmpty())
    }

    @Test func refusesAnImageWithABackingFile() throws {
        let scratch = try ScratchDirectory()
        let secret = scratch.url.appendingPathComponent("host-secret.qcow2")
        try Images.qcow2(at: secret)
        let source = try scratch.makeBoxDirectory(named: "overlay", megabytes: nil)
        try Images.qcow2(at: source.appendingPathComponent("box.img"), backing: secret)
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let error = try #require(throws: BoxError.self) { try store.add(from: source, name: "overlay", version: BoxVersion(components: [1])) }
        #expect(error.code == .unsafeImage && error.message.contains("backing file"), "\(error)")
        #expect(try store.list().isEmpty && store.stagingIsEmpty())
    }

    @Test func refusesAV2DiskPathOutsideTheBox() throws {
        let scratch = try ScratchDirectory()
        let source = try scratch.makeBoxDirectory(named: "v2", metadata: #"{"provider":"libvirt","disks":[{"path":"../../etc/passwd"}]}"#)
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        #expect(throws: BoxError.self) { try store.add(from: source, name: "v2", version: BoxVersion(components: [1])) }
        #expect(try store.list().isEmpty && store.stagingIsEmpty())
    }

    @Test func refusesATruncatedArchive() throws {
        let scratch = try ScratchDirectory()
        let source = try scratch.makeBoxDirectory(named: "src", megabytes: 4)
        let archive = try scratch.tar(source, ["metadata.json", "box.img"], to: "whole.box")
        let data = try Data(contentsOf: archive)
        let truncated = scratch.url.appendingPathComponent("cut.box")
        try data.prefix(data.count / 2).write(to: truncated)
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        #expect(throws: BoxError.self) { try store.add(from: truncated, name: "cut", version: BoxVersion(components: [1])) }
        #expect(try store.list().isEmpty && store.stagingIsEmpty())
    }
}
