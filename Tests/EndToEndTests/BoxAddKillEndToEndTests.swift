import Foundation
import Testing

/// `kill -9` of `vmfile box add` of a gzipped `.box` at moments spread over its unpacking: the store
/// never lists a partial box, and the same command again adds it whole and leaves nothing staged.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct BoxAddKillEndToEndTests {
    static let delays: [Double] = [0, 0.05, 0.1, 0.2, 0.4, 0.8]

    @Test func anAddKilledAtAnyMomentIsWholeAfterTheSameCommandAgain() throws {
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny}\n") { sandbox in
            let archive = sandbox.directory.appendingPathComponent("tiny.box")
            let packed = try runProcess("/bin/tar", ["-czf", archive.path, "-C", E2E.tinyBox.path, "metadata.json", "box.img"])
            try #require(packed.status == 0, "\(packed)")
            let imageSize = try #require(try FileManager.default.attributesOfItem(
                atPath: E2E.tinyBox.appendingPathComponent("box.img").path)[.size] as? Int)
            let stored = sandbox.home.appendingPathComponent("boxes/killed")
            let staging = sandbox.home.appendingPathComponent("boxes/.staging")
            let command = ["box", "add", "killed", archive.path, "--force"]
            var outcomes: [String] = []

            /// Every `box.img` the store holds for `killed` is whole.
            func storedImagesAreWhole(_ moment: String) {
                let images = FileManager.default.enumerator(atPath: stored.path)?.compactMap { $0 as? String }
                    .filter { $0.hasSuffix("box.img") } ?? []
                for image in images {
                    let size = (try? FileManager.default.attributesOfItem(atPath: stored.appendingPathComponent(image).path)[.size]) as? Int
                    #expect(size == imageSize, "\(moment): a partial box in the store: \(image) has \(size ?? -1) bytes")
                }
            }

            for delay in Self.delays {
                let landed = try KillMatrixEndToEndTests.kill(sandbox, command, at: "", after: delay)
                storedImagesAreWhole("after the kill at +\(delay) s")
                let rerun = try sandbox.run(command, environment: [:])
                #expect(rerun.status == 0, "+\(delay) s: \(rerun)")
                storedImagesAreWhole("after the rerun at +\(delay) s")
                let listed = try sandbox.run("box", "list").stdout.split(separator: "\n").filter { $0.hasPrefix("killed ") }
                #expect(listed.count == 1, "+\(delay) s: \(listed)")
                let staged = (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []
                #expect(staged.isEmpty, "+\(delay) s: staged adds left behind: \(staged)")
                outcomes.append("box add @ +\(delay) s: \(landed ? "killed" : "finished first"), rerun \(rerun.status == 0 ? "added" : "FAILED")")
            }
            print("box add kill matrix:\n" + outcomes.map { "  \($0)" }.joined(separator: "\n"))
            #expect(try sandbox.run("box", "remove", "killed", "--all").status == 0)
        }
    }
}
