import Testing
import Hypervisor

/// Volume names vmfile gives, and reads back.
struct VolumeNamesTests {
    @Test func boxVolumesAreNamedByContent() {
        let name = VolumeNames.box(name: "debian/bookworm64", version: "1.2.0", digest: "0123456789abcdef0123")
        #expect(name == "vmfile-box-debian_bookworm64-1.2.0-0123456789ab.qcow2")
        #expect(VolumeNames.isBox(name))
        #expect(VolumeNames.domain(ofDisk: name) == nil)
    }

    @Test func diskNamesGiveTheirDomainBack() {
        let disk = VolumeNames.disk(ofDomain: "vmfile-p-web")
        #expect(disk == "vmfile-p-web.qcow2")
        #expect(VolumeNames.domain(ofDisk: disk) == "vmfile-p-web")
        #expect(VolumeNames.domain(ofDisk: "other.img") == nil)
        #expect(VolumeNames.domain(ofDisk: ".qcow2") == nil)
    }
}
