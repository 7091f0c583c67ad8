import Testing
@testable import Hypervisor

/// When a snapshot may be loaded in the running QEMU rather than through libvirt's revert.
struct SnapshotInPlaceLoadTests {
    static let definition = """
        <domain type='qemu'>
          <name>vmfile-p-solo</name>
          <memory unit='KiB'>262144</memory>
          <devices>
            <disk type='file' device='disk'/>
          </devices>
        </domain>

        """

    static func snapshot(state: String = "running", memory: String = "internal", disk: String = "internal",
                         inactive: String? = nil) -> String {
        let recorded = (inactive ?? definition)
            .replacingOccurrences(of: "<domain type", with: "<inactiveDomain type")
            .replacingOccurrences(of: "</domain>", with: "</inactiveDomain>")
            .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        return """
            <domainsnapshot>
              <name>s1</name>
              <state>\(state)</state>
              <memory snapshot='\(memory)'/>
              <disks>
                <disk name='vda' snapshot='\(disk)'/>
              </disks>
              <domain type='qemu'>
                <name>vmfile-p-solo</name>
                <memory unit='KiB'>262144</memory>
              </domain>
            \(recorded)
            </domainsnapshot>
            """
    }

    @Test func anUnchangedDefinitionWithInternalMemoryLoadsInPlace() {
        #expect(SnapshotInPlaceLoad.allows(snapshotXML: Self.snapshot(), inactiveDomainXML: Self.definition))
        #expect(SnapshotInPlaceLoad.allows(snapshotXML: Self.snapshot(state: "paused"), inactiveDomainXML: Self.definition))
    }

    @Test func aChangedDefinitionTakesLibvirtsRevert() {
        let changed = Self.definition.replacingOccurrences(of: "262144", with: "524288")
        #expect(!SnapshotInPlaceLoad.allows(snapshotXML: Self.snapshot(), inactiveDomainXML: changed))
        let described = Self.definition.replacingOccurrences(of: "  <memory", with: "  <description>x</description>\n  <memory")
        #expect(!SnapshotInPlaceLoad.allows(snapshotXML: Self.snapshot(), inactiveDomainXML: described))
    }

    @Test func diskOnlyExternalOrUnrecordedSnapshotsTakeLibvirtsRevert() {
        #expect(!SnapshotInPlaceLoad.allows(snapshotXML: Self.snapshot(state: "shutoff", memory: "no"), inactiveDomainXML: Self.definition))
        #expect(!SnapshotInPlaceLoad.allows(snapshotXML: Self.snapshot(memory: "external"), inactiveDomainXML: Self.definition))
        #expect(!SnapshotInPlaceLoad.allows(snapshotXML: Self.snapshot(disk: "external"), inactiveDomainXML: Self.definition))
        let withoutInactive = Self.snapshot().replacingOccurrences(of: "inactiveDomain", with: "other")
        #expect(!SnapshotInPlaceLoad.allows(snapshotXML: withoutInactive, inactiveDomainXML: Self.definition))
    }

    @Test func onlyPlainNamesReachTheMonitor() {
        #expect(SnapshotInPlaceLoad.isPlainName("push-1733250000000"))
        #expect(!SnapshotInPlaceLoad.isPlainName("a b"))
        #expect(!SnapshotInPlaceLoad.isPlainName("x\"; quit"))
        #expect(!SnapshotInPlaceLoad.isPlainName(""))
    }
}
