import Testing
@testable import Hypervisor

@Suite struct DomainUUIDTests {
    @Test func sameNameSameUUIDOtherNameOther() {
        let a = DomainUUID.named("vmfile-project-7b8fd0-solo")
        #expect(a == DomainUUID.named("vmfile-project-7b8fd0-solo"))
        #expect(a != DomainUUID.named("vmfile-project-7b8fd0-sol0"))
        #expect(a != DomainUUID.named("vmfile-project-7b8fd1-solo"))
    }

    @Test(arguments: ["a", "vmfile-x-web", "vmfile-0123456789ab-db-primary", "ünïcode"])
    func isAnRFC4122Version5UUID(name: String) {
        let uuid = DomainUUID.named(name)
        let groups = uuid.split(separator: "-")
        #expect(groups.map(\.count) == [8, 4, 4, 4, 12], "\(uuid)")
        #expect(uuid.allSatisfy { $0 == "-" || $0.isHexDigit && !$0.isUppercase }, "\(uuid)")
        #expect(groups[2].first == "5", "version nibble: \(uuid)")
        #expect(groups.count == 5 && "89ab".contains(groups[3].first ?? "x"), "variant: \(uuid)")
    }

    @Test func theSpecDefinesWithItsUUIDWhenGiven() throws {
        var spec = try DomainSpec(name: "vmfile-x-web", memoryMiB: 64, cpus: 1, accelerator: .tcg, diskPath: "/d.qcow2")
        #expect(!DomainXML.make(spec).contains("<uuid>"))
        spec.uuid = DomainUUID.named(spec.name)
        #expect(DomainXML.make(spec).contains("<uuid>\(DomainUUID.named("vmfile-x-web"))</uuid>"))
        spec.emulator = "/opt/qemu/bin/qemu-system-x86_64"
        #expect(DomainXML.make(spec).contains("<emulator>/opt/qemu/bin/qemu-system-x86_64</emulator>"))
    }
}
