import FoundationXML
import Foundation
import Testing
@testable import Hypervisor

@Suite struct DomainXMLTests {
    func spec(_ accelerator: Accelerator, serial: String? = "/var/log/vmfile/a&b.log") throws -> DomainSpec {
        try DomainSpec(
            name: "vmfile-abc-web", uuid: "6f1c1b0e-8a7c-4d55-9f61-3a2d6b1b2c3d", memoryMiB: 512, cpus: 2, accelerator: accelerator,
            diskPath: "/var/lib/libvirt/images/vmfile/vmfile-abc-web.qcow2",
            nics: [NICSpec(network: "vmfile-abc-mgmt", mac: "52:54:00:12:34:56"), NICSpec(network: "other")],
            serialLogPath: serial,
            metadata: ["project": "/home/u/p<1>", "machine": "web", "box": "debian/12", "boxVersion": "1.0.0"]
        )
    }

    func parse(_ xml: String) throws -> XMLElement {
        try #require(try XMLDocument(xmlString: xml).rootElement())
    }

    @Test func kvmDomain() throws {
        let root = try parse(DomainXML.make(spec(.kvm)))
        #expect(root.attribute(forName: "type")?.stringValue == "kvm")
        #expect(try root.nodes(forXPath: "cpu").first.flatMap { ($0 as? XMLElement)?.attribute(forName: "mode")?.stringValue } == "host-passthrough")
        #expect(try root.nodes(forXPath: "name").first?.stringValue == "vmfile-abc-web")
        #expect(try root.nodes(forXPath: "vcpu").first?.stringValue == "2")
        #expect(try root.nodes(forXPath: "os/type/@machine").first?.stringValue == "pc")
        #expect(try root.nodes(forXPath: "features/acpi").count == 1)
        #expect(try root.nodes(forXPath: "on_poweroff").first?.stringValue == "destroy")
        #expect(try root.nodes(forXPath: "devices/disk/target/@bus").first?.stringValue == "virtio")
        #expect(try root.nodes(forXPath: "devices/disk/driver/@type").first?.stringValue == "qcow2")
        #expect(try root.nodes(forXPath: "devices/interface").count == 2)
        #expect(try root.nodes(forXPath: "devices/interface/mac/@address").map(\.stringValue) == ["52:54:00:12:34:56"])
        #expect(try root.nodes(forXPath: "devices/interface/model/@type").map(\.stringValue) == ["virtio", "virtio"])
        #expect(try root.nodes(forXPath: "devices/serial/log/@file").first?.stringValue == "/var/log/vmfile/a&b.log")
        #expect(try root.nodes(forXPath: "devices/serial/log/@append").first?.stringValue == "off")
        #expect(try root.nodes(forXPath: "devices/rng/backend").first?.stringValue == "/dev/urandom")
        #expect(try root.nodes(forXPath: "devices/memballoon/@model").first?.stringValue == "none")
        #expect(try root.nodes(forXPath: "devices/controller[@type='usb']/@model").map(\.stringValue) == ["none"])
        #expect(try root.nodes(forXPath: "devices/graphics").isEmpty)
        #expect(try root.nodes(forXPath: "sysinfo").isEmpty && root.nodes(forXPath: "os/smbios").isEmpty)
    }

    @Test func hostnameIsOfferedAsTheSystemdSMBIOSCredential() throws {
        var value = try spec(.tcg)
        value.hostname = "web.example<x>"
        let root = try parse(DomainXML.make(value))
        #expect(try root.nodes(forXPath: "os/smbios/@mode").first?.stringValue == "sysinfo")
        #expect(try root.nodes(forXPath: "sysinfo[@type='smbios']/oemStrings/entry").map(\.stringValue)
            == ["io.systemd.credential:system.hostname=web.example<x>"])
    }

    @Test func tcgDomainHasNoHostPassthrough() throws {
        let xml = DomainXML.make(try spec(.tcg, serial: nil))
        let root = try parse(xml)
        #expect(root.attribute(forName: "type")?.stringValue == "qemu")
        #expect(!xml.contains("host-passthrough"))
        #expect(try root.nodes(forXPath: "devices/serial/log").isEmpty)
    }

    @Test func extraDisksCDROMAndBootOrder() throws {
        var value = try spec(.tcg)
        value.additionalDisks = [DiskSpec(path: "/p/data1.qcow2"), DiskSpec(path: "/p/data2.raw", format: .raw)]
        value.cdromPath = "/isos/debian.iso"
        value.bootFromCDROM = true
        let root = try parse(DomainXML.make(value))
        #expect(try root.nodes(forXPath: "devices/disk/target/@dev").map(\.stringValue) == ["vda", "vdb", "vdc", "hdc"])
        #expect(try root.nodes(forXPath: "devices/disk[@device='cdrom']/readonly").count == 1)
        #expect(try root.nodes(forXPath: "os/boot/@dev").map(\.stringValue) == ["cdrom", "hd"])
    }

    @Test func diskFirstThenCDROMAndRebootAction() throws {
        var value = try spec(.tcg)
        value.cdromPath = "/isos/installer.iso"
        #expect(try parse(DomainXML.make(value)).nodes(forXPath: "on_reboot").first?.stringValue == "restart")
        value.onReboot = .destroy
        let root = try parse(DomainXML.make(value))
        #expect(try root.nodes(forXPath: "os/boot/@dev").map(\.stringValue) == ["hd", "cdrom"])
        #expect(try root.nodes(forXPath: "on_reboot").first?.stringValue == "destroy")
    }

    @Test func aSeedCDROMBesideTheInstaller() throws {
        var value = try spec(.tcg)
        value.cdromPath = "/isos/installer.iso"
        value.additionalCDROMs = ["/isos/seed.iso"]
        let root = try parse(DomainXML.make(value))
        #expect(try root.nodes(forXPath: "devices/disk[@device='cdrom']/source/@file").map(\.stringValue) == ["/isos/installer.iso", "/isos/seed.iso"])
        #expect(try root.nodes(forXPath: "devices/disk[@device='cdrom']/target/@dev").map(\.stringValue) == ["hdc", "hdd"])
    }

    @Test func directKernelBoot() throws {
        var value = try spec(.tcg)
        value.directKernelBoot = DirectKernelBoot(kernel: "/boxes/vmlinuz", initrd: "/boxes/initrd", cmdline: "console=ttyS0 root=/dev/vda")
        let root = try parse(DomainXML.make(value))
        #expect(try root.nodes(forXPath: "os/kernel").first?.stringValue == "/boxes/vmlinuz")
        #expect(try root.nodes(forXPath: "os/initrd").first?.stringValue == "/boxes/initrd")
        #expect(try root.nodes(forXPath: "os/cmdline").first?.stringValue == "console=ttyS0 root=/dev/vda")
        #expect(try root.nodes(forXPath: "os/boot").isEmpty)
    }

    @Test func metadataRoundTrips() throws {
        let value = try spec(.kvm)
        let xml = DomainXML.make(value)
        let root = try parse(xml)
        let machine = try #require(root.elements(forLocalName: "metadata", uri: nil).first?.children?.first as? XMLElement)
        #expect(machine.uri == VmfileMetadata.namespace)
        #expect(machine.attribute(forName: "project")?.stringValue == "/home/u/p<1>")
        #expect(DomainXML.parseMetadata(xml) == value.metadata)
        // libvirt may hand the element back with another prefix.
        let renamed = "<meta:machine xmlns:meta=\"\(VmfileMetadata.namespace)\" machine=\"web\" box=\"a&amp;b\"/>"
        #expect(DomainXML.parseMetadata(renamed) == ["machine": "web", "box": "a&b"])
        #expect(DomainXML.parseMetadata("<domain><name>x</name></domain>") == nil)
        // virDomainGetMetadata returns the element with a default namespace.
        let unprefixed = "<machine xmlns=\"\(VmfileMetadata.namespace)\" machine=\"web\"/>"
        #expect(DomainXML.parseMetadata(unprefixed) == ["machine": "web"])
        #expect(DomainXML.parseMetadata("<machine xmlns=\"urn:other\" machine=\"web\"/>") == nil)
    }

    @Test(arguments: [("", 1, 64), ("a/b", 1, 64), ("ok", 0, 64), ("ok", 1, 8)])
    func rejectsInvalidSpecs(name: String, cpus: Int, memory: Int) {
        #expect(throws: HypervisorError.self) {
            try DomainSpec(name: name, memoryMiB: memory, cpus: cpus, accelerator: .tcg, diskPath: "/x")
        }
    }

    @Test func rejectsBadMetadataKey() {
        #expect(throws: HypervisorError.self) {
            try DomainSpec(name: "x", memoryMiB: 64, cpus: 1, accelerator: .tcg, diskPath: "/x", metadata: ["bad key": "v"])
        }
    }

    @Test func overlayXML() throws {
        let root = try parse(StoragePool.overlayXML(name: "m.qcow2", capacity: 8 << 30, backingPath: "/pool/box.img", backingFormat: .qcow2))
        #expect(try root.nodes(forXPath: "capacity").first?.stringValue == "\(UInt64(8) << 30)")
        #expect(try root.nodes(forXPath: "target/format/@type").first?.stringValue == "qcow2")
        #expect(try root.nodes(forXPath: "backingStore/path").first?.stringValue == "/pool/box.img")
        #expect(try root.nodes(forXPath: "backingStore/format/@type").first?.stringValue == "qcow2")
    }
}
