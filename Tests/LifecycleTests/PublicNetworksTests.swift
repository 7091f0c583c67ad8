import Foundation
import Net
import Spec
import Testing
@testable import Lifecycle

@Suite struct PublicNetworksTests {
    /// A fake `/sys/class/net` with a bridge `br-lab` and a plain device `eth9`.
    func interfaces() throws -> (HostInterfaces, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-sysnet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("br-lab/bridge"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("eth9"), withIntermediateDirectories: true)
        return (HostInterfaces(root: root), root)
    }

    @Test func bridgeAndMacvtapBecomeNICsWithStableMACs() throws {
        let (interfaces, root) = try interfaces()
        defer { try? FileManager.default.removeItem(at: root) }
        let machine = Machine(name: "web", box: "tiny", networks: [
            .public(PublicAttachment(bridge: "br-lab")), .public(PublicAttachment(dev: "eth9", mode: .vepa)),
        ])
        let fixture = try LifecycleFixture(machines: [machine])
        let clock = PhaseClock(machine: "web", reporter: fixture.reporter)
        let attachments = try fixture.controller.publicAttachments(machine, interfaces: interfaces, clock: clock)
        #expect(attachments.map(\.network) == ["br-lab", "eth9"])
        #expect(attachments.map(\.kind) == [.bridge, .direct(mode: "vepa")])
        #expect(Set(attachments.map(\.mac)).count == 2)
        #expect(try fixture.controller.publicAttachments(machine, interfaces: interfaces, clock: clock) == attachments)
    }

    @Test func aMissingOrPlainDeviceIsAClearError() throws {
        let (interfaces, root) = try interfaces()
        defer { try? FileManager.default.removeItem(at: root) }
        let fixture = try LifecycleFixture(machines: [])
        let clock = PhaseClock(machine: "web", reporter: fixture.reporter)
        let missing = Machine(name: "web", box: "tiny", networks: [.public(PublicAttachment(dev: "nope0"))])
        let error = try #require(throws: LifecycleError.self) {
            try fixture.controller.publicAttachments(missing, interfaces: interfaces, clock: clock)
        }
        #expect(error.message.contains("'nope0' does not exist") && error.hint?.contains("br-lab") == true)
        let plain = Machine(name: "web", box: "tiny", networks: [.public(PublicAttachment(bridge: "eth9"))])
        let notBridge = try #require(throws: LifecycleError.self) {
            try fixture.controller.publicAttachments(plain, interfaces: interfaces, clock: clock)
        }
        #expect(notBridge.hint?.contains("dev: eth9") == true)
    }

    @Test func upWithAMissingBridgeCreatesNothing() throws {
        let machine = Machine(name: "web", box: "tiny", networks: [.public(PublicAttachment(bridge: "vmfile-no-such-br"))])
        let fixture = try LifecycleFixture(machines: [machine])
        #expect(throws: LifecycleError.self) { try fixture.controller.up(machine) }
        #expect(fixture.host.domains.isEmpty)
        #expect(fixture.host.volumes[fixture.project.volumeName(of: "web")] == nil)
    }
}
