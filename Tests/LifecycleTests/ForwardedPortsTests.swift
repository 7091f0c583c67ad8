import Foundation
import Net
import Spec
import Testing
@testable import Lifecycle

@Suite struct ForwardedPortsTests {
    let web = Machine(name: "web", box: "tiny", memoryMiB: 256, forwardedPorts: [
        ForwardedPort(guest: 80, host: 8080),
        ForwardedPort(guest: 53, host: 5353, protocol: .udp, hostIP: "0.0.0.0"),
    ])

    @Test func upInstallsForwardsToTheGuestAndRecordsThem() throws {
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        let domain = fixture.project.domainName(of: "web")
        let installed = try #require(fixture.host.forwarder.installed[domain])
        #expect(installed.map(\.hostPort) == [8080, 5353])
        #expect(fixture.controller.recordedPorts(of: web) == installed)
        #expect(fixture.reporter.lines.contains { $0.contains("forwarded ports 127.0.0.1:8080→80/tcp, 0.0.0.0:5353→53/udp") })
        #expect(!fixture.reporter.lines.contains { $0.contains("forwarded_ports not applied") })
    }

    @Test func haltAndDestroyRemoveTheForwards() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let domain = fixture.project.domainName(of: "web")
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.halt(web)
        #expect(fixture.host.forwarder.installed[domain] == nil)
        _ = try fixture.controller.up(web)
        #expect(fixture.host.forwarder.installed[domain] != nil)
        _ = try fixture.controller.destroy(web)
        #expect(fixture.host.forwarder.installed[domain] == nil)
        #expect(fixture.controller.recordedPorts(of: web) == nil)
    }

    @Test func rerunOnARunningMachineReappliesTheSamePorts() throws {
        let corrected = Machine(name: "web", box: "tiny", forwardedPorts: [ForwardedPort(guest: 22, host: 2222, autoCorrect: true)])
        let fixture = try LifecycleFixture(machines: [corrected])
        fixture.host.forwarder.bind(HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 2222))
        _ = try fixture.controller.up(corrected)
        let first = try #require(fixture.controller.recordedPorts(of: corrected))
        #expect(first.first?.hostPort == 2200)
        #expect(fixture.reporter.lines.contains { $0.contains("127.0.0.1:2222 is taken, using 2200") })
        // Something else binds 2200's neighbours meanwhile; the rerun keeps 2200 (its own forward is no conflict).
        fixture.host.forwarder.bind(HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 2201))
        #expect(try fixture.controller.up(corrected) == .alreadyRunning)
        #expect(fixture.controller.recordedPorts(of: corrected) == first)
    }

    @Test func aConflictFailsBeforeAnythingIsCreated() throws {
        let fixture = try LifecycleFixture(machines: [web])
        fixture.host.forwarder.install(owner: "vmfile-other-000000-db", [
            PortMapping(id: "tcp80", protocol: .tcp, hostIP: "0.0.0.0", hostPort: 8080, guestPort: 80),
        ])
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.code == .portConflict)
        #expect(error.message.contains("machine 'web'") && error.message.contains("127.0.0.1:8080/tcp is already forwarded to another vmfile machine"))
        #expect(error.hint?.contains("auto_correct") == true)
        #expect(fixture.host.domains.isEmpty)
    }

    @Test func siblingMachinesDoNotShareAutoCorrectedPorts() throws {
        let a = Machine(name: "a", box: "tiny", forwardedPorts: [ForwardedPort(guest: 22, host: 2222, autoCorrect: true)])
        let b = Machine(name: "b", box: "tiny", forwardedPorts: [ForwardedPort(guest: 22, host: 2200)])
        let c = Machine(name: "c", box: "tiny", forwardedPorts: [ForwardedPort(guest: 22, host: 2222, hostIP: "0.0.0.0", autoCorrect: true)])
        let fixture = try LifecycleFixture(machines: [a, b, c])
        fixture.host.forwarder.bind(HostEndpoint(protocol: .tcp, address: "0.0.0.0", port: 2222))
        // `a` skips 2200, which `b` declares though it is not up yet, and `c` skips what `a` chose.
        _ = try fixture.controller.up(a)
        _ = try fixture.controller.up(c)
        _ = try fixture.controller.up(b)
        let ports = [a, b, c].compactMap { fixture.controller.recordedPorts(of: $0)?.first?.hostPort }
        #expect(ports == [2201, 2200, 2202])
    }

    @Test func aForeignHostAddressIsReported() throws {
        let foreign = Machine(name: "web", box: "tiny", forwardedPorts: [ForwardedPort(guest: 80, host: 80, hostIP: "203.0.113.9")])
        let fixture = try LifecycleFixture(machines: [foreign])
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(foreign) }
        #expect(error.message.contains("203.0.113.9 is not an address of this host"))
        #expect(error.hint?.contains("host_ip") == true)
    }
}
