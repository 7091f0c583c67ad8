import Foundation
import Testing
import Yams
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

    @Test func ubuntu2404LoadsAndItsAutoinstallIsValidYAML() throws {
        let directory = Self.boxfiles.appendingPathComponent("ubuntu-24.04")
        let boxfile = try BoxfileLoader.load(path: directory.appendingPathComponent("Boxfile.yaml").path)
        #expect(boxfile.box.name == "vmfile/ubuntu-24.04")
        #expect(boxfile.firmware == .bios)
        #expect(boxfile.ssh.waitForReboot, "the live installer's own sshd must never be taken for the result")
        #expect(boxfile.output.catalog)
        #expect(boxfile.provision.map(\.name) == ["any-nic", "slim"])
        #expect(boxfile.boot.command.contains { step in
            if case .text(let template) = step { template.expand(TemplateValues(httpIP: "", httpPort: 0, name: "", variables: [:])).contains("autoinstall") } else { false }
        }, "without `autoinstall` on the kernel command line subiquity asks before it wipes the disk")
        let cd = try #require(boxfile.cd)
        #expect(cd.label == "cidata")
        let values = boxfile.templateValues(httpIP: "", httpPort: 0, variables: try boxfile.resolveVariables(overrides: ["keymap": "de"]))
        let userData = try #require(cd.content["user-data"]).expand(values)
        #expect(userData.hasPrefix("#cloud-config\n"), "cloud-init ignores user-data without its header")
        let document = try #require(try Yams.load(yaml: userData) as? [String: Any])
        let autoinstall = try #require(document["autoinstall"] as? [String: Any])
        #expect(autoinstall["version"] as? Int == 1)
        let identity = try #require(autoinstall["identity"] as? [String: Any])
        #expect(identity["username"] as? String == "vagrant")
        #expect(identity["hostname"] as? String == boxfile.buildName)
        #expect((autoinstall["keyboard"] as? [String: Any])?["layout"] as? String == "de", "--var keymap reaches the autoinstall")
        let keys = try #require((autoinstall["ssh"] as? [String: Any])?["authorized-keys"] as? [String])
        #expect(keys.count == 2 && keys.allSatisfy { $0.hasSuffix("vagrant insecure public key") })
        let late = try #require(autoinstall["late-commands"] as? [String])
        #expect(late.contains { $0.contains("NOPASSWD") }, "the build's shell steps need sudo without a password")
        #expect(try #require(cd.content["meta-data"]).expand(values).hasPrefix("instance-id: "))
    }
}
