import FoundationXML
import Foundation
import Testing
@testable import Hypervisor

/// `<filesystem>` devices for synced folders: virtiofs with its daemon and shared memory, 9p with its
/// access mode, and QEMU as root only when asked.
@Suite struct FilesystemXMLTests {
    func domain(_ filesystems: [FilesystemSpec], asRoot: Bool = false) throws -> XMLElement {
        var spec = try DomainSpec(name: "vmfile-p-m", memoryMiB: 256, cpus: 1, accelerator: .tcg, diskPath: "/d.qcow2")
        spec.filesystems = filesystems
        spec.qemuAsRoot = asRoot
        return try #require(try XMLDocument(xmlString: DomainXML.make(spec)).rootElement())
    }

    @Test func virtiofsHasItsDaemonAndSharedMemory() throws {
        let root = try domain([FilesystemSpec(source: "/home/u/p & q", tag: "vmfile-1a2b3c4d",
                                              driver: .virtiofs(binary: "/usr/lib/qemu/virtiofsd"))])
        let filesystem = "devices/filesystem"
        #expect(try root.nodes(forXPath: "\(filesystem)/@type").map(\.stringValue) == ["mount"])
        #expect(try root.nodes(forXPath: "\(filesystem)/@accessmode").map(\.stringValue) == ["passthrough"])
        #expect(try root.nodes(forXPath: "\(filesystem)/driver/@type").map(\.stringValue) == ["virtiofs"])
        #expect(try root.nodes(forXPath: "\(filesystem)/binary/@path").map(\.stringValue) == ["/usr/lib/qemu/virtiofsd"])
        #expect(try root.nodes(forXPath: "\(filesystem)/source/@dir").map(\.stringValue) == ["/home/u/p & q"])
        #expect(try root.nodes(forXPath: "\(filesystem)/target/@dir").map(\.stringValue) == ["vmfile-1a2b3c4d"])
        #expect(try root.nodes(forXPath: "memoryBacking/source/@type").map(\.stringValue) == ["memfd"])
        #expect(try root.nodes(forXPath: "memoryBacking/access/@mode").map(\.stringValue) == ["shared"])
        #expect(try root.nodes(forXPath: "seclabel").isEmpty)
    }

    @Test(arguments: ["passthrough", "mapped"])
    func ninepHasItsAccessModeAndNoSharedMemory(mode: String) throws {
        let root = try domain([FilesystemSpec(source: "/src", tag: "vmfile-9", driver: .ninep(accessMode: mode))],
                              asRoot: mode == "passthrough")
        #expect(try root.nodes(forXPath: "devices/filesystem/@accessmode").map(\.stringValue) == [mode])
        #expect(try root.nodes(forXPath: "devices/filesystem/driver/@type").map(\.stringValue) == ["path"])
        #expect(try root.nodes(forXPath: "devices/filesystem/binary").isEmpty)
        #expect(try root.nodes(forXPath: "memoryBacking").isEmpty)
        let label = try root.nodes(forXPath: "seclabel[@model='dac']/label").map(\.stringValue)
        #expect(label == (mode == "passthrough" ? ["+0:+0"] : []))
    }

    @Test func noFoldersNoDevices() throws {
        let root = try domain([])
        #expect(try root.nodes(forXPath: "devices/filesystem").isEmpty)
        #expect(try root.nodes(forXPath: "memoryBacking").isEmpty)
    }
}
