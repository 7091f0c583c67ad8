import Foundation
import Testing
@testable import Builder

/// What a build killed while packaging leaves next to its box, and what the next build removes.
@Suite struct PartialOutputsTests {
    let box = "vmfile-tiny-installed-1.0.0.box"

    @Test func theWriterIsReadFromEveryPartialName() {
        #expect(PartialOutputs.writer(of: ".\(box).26624.partial", boxFileName: box) == 26624)
        #expect(PartialOutputs.writer(of: ".\(box).26624.partial.sha256", boxFileName: box) == 26624)
        #expect(PartialOutputs.writer(of: "..\(box).26624.partial.95354213.tmp", boxFileName: box) == 26624)
        #expect(PartialOutputs.writer(of: box, boxFileName: box) == nil)
        #expect(PartialOutputs.writer(of: "\(box).sha256", boxFileName: box) == nil)
        #expect(PartialOutputs.writer(of: ".other-1.0.0.box.26624.partial", boxFileName: box) == nil)
        #expect(PartialOutputs.writer(of: ".\(box).x.partial", boxFileName: box) == nil)
    }

    @Test func onlyTheOutputsOfWritersThatAreGoneAreRemoved() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-partials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A PID that ran and exited: nobody is writing its files any more.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = gone.processIdentifier, alive = ProcessInfo.processInfo.processIdentifier
        let names = [".\(box).\(dead).partial", "..\(box).\(dead).partial.1234abcd.tmp", ".\(box).\(alive).partial", box, "notes.txt"]
        for name in names { FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data("x".utf8)) }

        let removed = PartialOutputs.removeAbandoned(in: directory, boxFileName: box).sorted()
        #expect(removed == [".\(box).\(dead).partial", "..\(box).\(dead).partial.1234abcd.tmp"].sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == [".\(box).\(alive).partial", box, "notes.txt"].sorted())
    }
}
