import Foundation
import Boxes
import Hypervisor
import Provisioner
import Spec
import Testing
@testable import Builder

@Suite struct BuildPlanTests {
    func boxfile(path: String = "/src/boxes/Boxfile", name: String = "debian/bookworm64", version: String = "1.2.0") throws -> Boxfile {
        var boxfile = Boxfile(
            box: BoxInfo(name: name, version: try #require(BoxVersion(version))),
            iso: ISOSource(location: .path("/isos/x.iso"), checksum: .sha256(String(repeating: "0", count: 64))),
            memoryMiB: 384, diskBytes: 2 << 30, output: OutputSettings(directory: "/src/boxes/output"))
        boxfile.path = path
        return boxfile
    }

    @Test func namesAreDeterministicPerBoxfilePathAndFitLibvirtAndLinux() throws {
        let plan = BuildPlan(boxfile: try boxfile())
        #expect(plan == BuildPlan(boxfile: try boxfile()))
        #expect(plan.name == "vmfile-build-\(plan.id)")
        #expect(plan.id.count == 8)
        #expect(plan.bridge.utf8.count <= 15)
        #expect(plan.mac.hasPrefix("52:54:00:") && plan.mac.split(separator: ":").count == 6)
        #expect(plan.isoVolume.hasPrefix(plan.name) && plan.diskVolume == plan.name + ".qcow2")
        let other = BuildPlan(boxfile: try boxfile(path: "/src/other/Boxfile"))
        #expect(other.name != plan.name && other.mac != plan.mac && other.bridge != plan.bridge)
    }

    @Test(arguments: [("debian/bookworm64", "1.2.0", "debian-bookworm64-1.2.0.box"), ("tiny", "0", "tiny-0.box")])
    func outputFileName(name: String, version: String, file: String) throws {
        #expect(BuildPlan(boxfile: try boxfile(name: name, version: version)).boxFileName == file)
    }

    @Test func installingDomainBootsDiskThenCDAndPowersOffOnReboot() throws {
        let box = try boxfile()
        let plan = BuildPlan(boxfile: box)
        let spec = try plan.domainSpec(boxfile: box, accelerator: .tcg, diskPath: "/pool/d.qcow2", isoPath: "/pool/i.iso",
                                       consoleLog: "/tmp/c.log", emulator: nil, installing: true)
        #expect(spec.onReboot == .destroy)
        #expect(spec.cdromPath == "/pool/i.iso")
        #expect(spec.memoryMiB == 384 && spec.cpus == 1)
        #expect(spec.nics.map(\.network) == [plan.name] && spec.nics.first?.mac == plan.mac)
        #expect(spec.metadata["role"] == "build" && spec.metadata["networks"] == plan.name)
        let xml = DomainXML.make(spec)
        #expect(xml.contains("<on_reboot>destroy</on_reboot>"))
        let hd = try #require(xml.range(of: "<boot dev='hd'/>")), cd = try #require(xml.range(of: "<boot dev='cdrom'/>"))
        #expect(hd.lowerBound < cd.lowerBound)
        #expect(xml.contains("<domain type='qemu'"))

        let installed = try plan.domainSpec(boxfile: box, accelerator: .kvm, diskPath: "/pool/d.qcow2", isoPath: nil,
                                            consoleLog: "/tmp/c.log", emulator: nil, installing: false)
        #expect(installed.onReboot == .restart && installed.cdromPath == nil)
        let seeded = try plan.domainSpec(boxfile: box, accelerator: .tcg, diskPath: "/pool/d.qcow2", isoPath: "/pool/i.iso",
                                         consoleLog: "/tmp/c.log", emulator: nil, installing: true, seedCD: "/pool/cd.iso")
        #expect(seeded.additionalCDROMs == ["/pool/cd.iso"])
        #expect(try plan.domainSpec(boxfile: box, accelerator: .tcg, diskPath: "/pool/d.qcow2", isoPath: nil, consoleLog: "/tmp/c.log",
                                    emulator: nil, installing: false, seedCD: "/pool/cd.iso").additionalCDROMs.isEmpty)
        #expect(installed.uuid == spec.uuid)
        #expect(!DomainXML.make(installed).contains("cdrom"))
    }

    @Test func subnetCandidatesAvoidTheManagementNetworkRange() throws {
        #expect(BuildPlan.subnetCandidates.allSatisfy { $0.hasPrefix("172.30.") && $0.hasSuffix(".0/24") })
    }

    @Test func refusesWhatIsNotBuiltYet() throws {
        var box = try boxfile()
        try BoxBuilder.checkSupported(box)
        box.ssh.credential = .password("vagrant")
        try BoxBuilder.checkSupported(box)
        box.firmware = .uefi
        #expect(throws: BuilderError.self) { try BoxBuilder.checkSupported(box) }
    }

    @Test func locatesABoxfileInADirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("locate-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: BuilderError.self) { try BuildOptions.locateBoxfile(directory.path) }
        try "version: 1\n".write(to: directory.appendingPathComponent("Boxfile.yaml"), atomically: true, encoding: .utf8)
        #expect(try BuildOptions.locateBoxfile(directory.path) == directory.appendingPathComponent("Boxfile.yaml").path)
        #expect(try BuildOptions.locateBoxfile("Boxfile.yaml", workingDirectory: directory.path) == directory.appendingPathComponent("Boxfile.yaml").path)
    }

    @Test func builtBoxesShipTheKeyTheGuestTookUnlessItIsVagrantsInsecureRSAKey() throws {
        // Every Vagrant offers the insecure RSA key; older ones (Debian 12's 2.3.4) not the ed25519 one.
        #expect(try BoxBuilder.loginKey(BuildSSH(), authenticatedWith: InsecureKeys.rsa) == .vagrantInsecure)
        #expect(try BoxBuilder.loginKey(BuildSSH(), authenticatedWith: InsecureKeys.ed25519) == .privateKey(InsecureKeys.ed25519))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-loginkey-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let insecure = directory.appendingPathComponent("insecure"), own = directory.appendingPathComponent("own")
        try Data((InsecureKeys.rsa.trimmingCharacters(in: .newlines) + "\n").utf8).write(to: insecure)
        try Data("-----BEGIN OPENSSH PRIVATE KEY-----\nown\n-----END OPENSSH PRIVATE KEY-----\n".utf8).write(to: own)
        // Without a session's word, the Boxfile's key.
        #expect(try BoxBuilder.loginKey(BuildSSH(credential: .privateKey(insecure.path)), authenticatedWith: nil) == .vagrantInsecure)
        let shipped = try BoxBuilder.loginKey(BuildSSH(credential: .privateKey(own.path)), authenticatedWith: nil)
        #expect(shipped == .privateKey(try String(contentsOf: own, encoding: .utf8)))
        // A password login ships no key: the box relies on Vagrant's insecure key.
        #expect(try BoxBuilder.loginKey(BuildSSH(credential: .password("vagrant")), authenticatedWith: nil) == .vagrantInsecure)
        #expect(try BoxBuilder.keys(BuildSSH(credential: .password("vagrant"))).isEmpty)
    }
}
