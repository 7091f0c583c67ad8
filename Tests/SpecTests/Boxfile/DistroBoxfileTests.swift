import Foundation
import Testing
@testable import Spec

/// The checked-in distribution Boxfiles cannot be built here (no internet for their ISOs), so at least
/// their text must load: a typo in a key, a template or a boot command fails here, not on a user's machine.
@Suite struct DistroBoxfileTests {
    static let boxfiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Boxfiles")

    @Test func debian12LoadsAndServesItsPreseed() throws {
        let directory = Self.boxfiles.appendingPathComponent("debian-12")
        let boxfile = try BoxfileLoader.load(path: directory.appendingPathComponent("Boxfile.yaml").path)
        #expect(boxfile.box.name == "vmfile/debian-12")
        #expect(boxfile.firmware == .bios)
        #expect(boxfile.ssh.username == "vagrant" && boxfile.ssh.password == "vagrant")
        #expect(boxfile.output.catalog)
        #expect(boxfile.provision.map(\.name) == ["insecure-key", "slim"])
        guard case .directory(let served) = boxfile.http else {
            Issue.record("debian-12 serves a directory, got \(String(describing: boxfile.http))")
            return
        }
        let preseed = try String(contentsOfFile: served + "/preseed.cfg", encoding: .utf8)
        #expect(preseed.contains("d-i passwd/username string vagrant"))
        #expect(preseed.contains("NOPASSWD"), "the build's shell steps need sudo without a password")
    }
}
