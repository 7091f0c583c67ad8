import Net
import Spec
import Testing
@testable import Lifecycle

/// What `vmfile port` lists: the recorded forwards of running machines only.
@Suite struct PortListingTests {
    let web = Machine(name: "web", box: "tiny", memoryMiB: 256, forwardedPorts: [ForwardedPort(guest: 80, host: 8080)])

    @Test func activePortsAreTheRecordedOnesWhileTheMachineRuns() throws {
        let fixture = try LifecycleFixture(machines: [web])
        #expect(try fixture.controller.activePorts(of: web) == MachinePorts(machine: "web", ports: []))
        _ = try fixture.controller.up(web)
        let running = try fixture.controller.activePorts(of: web)
        #expect(running.machine == "web")
        #expect(running.ports == fixture.controller.recordedPorts(of: web))
        #expect(running.ports.map(\.summary) == ["127.0.0.1:8080 → 80/tcp  tcp80"])
        _ = try fixture.controller.halt(web)
        #expect(try fixture.controller.activePorts(of: web).ports.isEmpty, "a plan left from an earlier run is not a forward")
    }

    @Test func aSummarySaysWhenAutoCorrectMovedTheForward() {
        let moved = PortMapping(id: "ssh", protocol: .tcp, hostIP: "127.0.0.1", hostPort: 2201, guestPort: 22, requestedHostPort: 2200)
        #expect(moved.summary == "127.0.0.1:2201 → 22/tcp  ssh  (auto-corrected from 2200)")
    }
}
