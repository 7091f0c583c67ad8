import Foundation
import Spec
import Testing
@testable import Lifecycle

/// What `up` meets after a create that did not finish: a domain libvirtd defined for a run that then
/// died or removed the disk again.
@Suite struct UnfinishedCreateTests {
    let web = Machine(name: "web", box: "tiny", memoryMiB: 256)

    @Test func aNeverBootedDomainWithoutItsDiskIsMadeAgain() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let domain = fixture.project.domainName(of: "web"), volume = fixture.project.volumeName(of: "web")
        _ = try fixture.controller.up(web)
        try fixture.host.forceOff(domain)
        fixture.host.dropVolume(volume)
        try FileManager.default.removeItem(at: fixture.project.files(of: "web").hostKey)

        #expect(try fixture.controller.up(web) == .created(address: "192.0.2.10"))
        #expect(fixture.host.volumes[volume] == "box-tiny-1")
        #expect(fixture.host.domains[domain]?.status == .running)
        let tail = fixture.host.calls.suffix(from: try #require(fixture.host.calls.lastIndex(of: "undefine \(domain)")))
        #expect(tail.contains("createDisk \(volume)") && tail.contains("define \(domain)") && tail.contains("start \(domain)"))
    }

    @Test func aBootedMachineWhoseDiskIsGoneIsLeftForTheUserToDestroy() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let domain = fixture.project.domainName(of: "web"), volume = fixture.project.volumeName(of: "web")
        _ = try fixture.controller.up(web)
        try fixture.host.forceOff(domain)
        fixture.host.dropVolume(volume)

        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.message.contains(volume) && error.hint?.contains("vmfile destroy web") == true, "\(error)")
        #expect(fixture.host.domains[domain]?.status == .shutoff)
        #expect(!fixture.host.calls.contains("undefine \(domain)"))
    }
}
