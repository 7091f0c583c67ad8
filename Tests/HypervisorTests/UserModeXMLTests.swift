import FoundationXML
import Foundation
import Testing
@testable import Hypervisor

/// User-mode management NICs: QEMU `-netdev user` with `hostfwd=` and a `-device` on a fixed slot,
/// in `<qemu:commandline>`.
@Suite struct UserModeXMLTests {
    let forwards = [
        UserForward(protocol: .tcp, hostAddress: "127.0.0.1", hostPort: 2222, guestPort: 22),
        UserForward(protocol: .udp, hostAddress: "0.0.0.0", hostPort: 5353, guestPort: 53),
    ]

    func spec(machine: MachineType = .pc) throws -> DomainSpec {
        var spec = try DomainSpec(
            name: "vmfile-abc-web", memoryMiB: 256, cpus: 1, accelerator: .tcg, diskPath: "/home/u/pool/web.qcow2",
            nics: [NICSpec(source: .user(forwards: forwards), mac: "52:54:00:12:34:56")], metadata: ["machine": "web"])
        spec.machine = machine
        return spec
    }

    func arguments(_ xml: String) throws -> [String] {
        let root = try #require(try XMLDocument(xmlString: xml).rootElement())
        #expect(root.namespace(forPrefix: "qemu")?.stringValue == "http://libvirt.org/schemas/domain/qemu/1.0")
        return try root.nodes(forXPath: "*[local-name()='commandline']/*[local-name()='arg']/@value").compactMap(\.stringValue)
    }

    @Test func theNICIsAQEMUArgumentPairNotAnInterface() throws {
        let xml = DomainXML.make(try spec())
        #expect(try arguments(xml) == [
            "-netdev", "user,id=vmfuser0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp:0.0.0.0:5353-:53",
            "-device", "virtio-net-pci,netdev=vmfuser0,bus=pci.0,addr=0x10,mac=52:54:00:12:34:56",
        ])
        let root = try #require(try XMLDocument(xmlString: xml).rootElement())
        #expect(try root.nodes(forXPath: "devices/interface").isEmpty)
    }

    @Test func q35PutsTheDeviceOnTheRootComplex() throws {
        #expect(try arguments(DomainXML.make(try spec(machine: .q35)))[3].contains("bus=pcie.0,addr=0x10"))
    }

    @Test func aDomainWithoutUserNICsHasNoQEMUNamespace() throws {
        let plain = try DomainSpec(name: "d", memoryMiB: 64, cpus: 1, accelerator: .tcg, diskPath: "/d", nics: [NICSpec(network: "n")])
        let xml = DomainXML.make(plain)
        #expect(!xml.contains("qemu:") && DomainXML.userForwards(in: xml).isEmpty)
    }

    @Test func forwardsReadBackFromTheXML() throws {
        #expect(DomainXML.userForwards(in: DomainXML.make(try spec())) == forwards)
    }

    @Test func replacingForwardsKeepsEverythingElse() throws {
        let xml = DomainXML.make(try spec())
        let moved = [UserForward(protocol: .tcp, hostAddress: "127.0.0.1", hostPort: 2200, guestPort: 22)]
        let updated = try #require(DomainXML.replacingUserForwards(in: xml, with: moved))
        #expect(DomainXML.userForwards(in: updated) == moved)
        #expect(updated.replacingOccurrences(of: "hostfwd=tcp:127.0.0.1:2200-:22", with: "hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp:0.0.0.0:5353-:53") == xml)
        // libvirt writes double quotes in some versions.
        let doubleQuoted = xml.replacingOccurrences(of: "'", with: "\"")
        #expect(DomainXML.replacingUserForwards(in: doubleQuoted, with: moved).map(DomainXML.userForwards(in:)) == moved)
        #expect(DomainXML.replacingUserForwards(in: "<domain/>", with: moved) == nil)
    }

    @Test(arguments: ["tcp:127.0.0.1:2222", "sctp:127.0.0.1:1-:2", "tcp:127.0.0.1:x-:22", "tcp::22-:22"])
    func malformedOptionsAreIgnored(_ option: String) {
        let parsed = UserForward(option: Substring(option))
        if option == "tcp::22-:22" {
            #expect(parsed == UserForward(protocol: .tcp, hostAddress: "", hostPort: 22, guestPort: 22))
        } else {
            #expect(parsed == nil)
        }
    }
}
