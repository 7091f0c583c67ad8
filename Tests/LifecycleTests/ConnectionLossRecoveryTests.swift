import Foundation
import HostSupport
import Spec
import Testing
@testable import Lifecycle

/// A machine command that lost libvirt (libvirtd restarted) runs the failed machines once more on a new
/// connection; a daemon that stays away, or a second loss, is one clear error per machine.
@Suite struct ConnectionLossRecoveryTests {
    let web = Machine(name: "web", box: "tiny", memoryMiB: 256)
    let db = Machine(name: "db", box: "tiny", memoryMiB: 256)

    /// Counts calls per machine; fails the machines in `failing` while `lost` says the connection is gone.
    final class Attempts: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        var lost = true
        func attempt(_ machine: String, failing: Set<String>) throws -> String {
            lock.lock()
            counts[machine, default: 0] += 1
            let fail = lost && failing.contains(machine)
            lock.unlock()
            if fail { throw LifecycleError(.hypervisor, "machine '\(machine)': End of file while reading data") }
            return "ok \(machine)"
        }
        func count(_ machine: String) -> Int { lock.lock(); defer { lock.unlock() }; return counts[machine] ?? 0 }
    }

    func recovery(_ attempts: Attempts, fixture: LifecycleFixture, reconnect: @escaping @Sendable () throws -> MachineController)
        -> ConnectionLossRecovery {
        ConnectionLossRecovery(uri: "qemu:///system", isLost: { _ in attempts.lost }, reconnect: reconnect)
    }

    @Test func theMachinesThatFailedRunAgainOnANewConnectionAndKeepTheirOrder() throws {
        let fixture = try LifecycleFixture(machines: [web, db])
        let attempts = Attempts()
        let controller = fixture.controller
        let results = controller.forEach([web, db], recovering: recovery(attempts, fixture: fixture) {
            attempts.lost = false
            return controller
        }) { _, machine in try attempts.attempt(machine.name, failing: ["db"]) }

        #expect(results.map(\.machine) == ["web", "db"])
        #expect(results.map { (try? $0.result.get()) ?? "failed" } == ["ok web", "ok db"])
        #expect(attempts.count("web") == 1 && attempts.count("db") == 2)
        #expect(fixture.reporter.lines.contains { $0.contains("lost the connection to libvirt at qemu:///system") && $0.hasSuffix("with db") })
    }

    @Test func aFailureWithTheConnectionAliveIsNotRunAgain() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let attempts = Attempts()
        let results = fixture.controller.forEach([web], recovering: ConnectionLossRecovery(
            uri: "qemu:///system", isLost: { _ in false }, reconnect: { [controller = fixture.controller] in Issue.record("reconnected"); return controller }
        )) { _, machine in try attempts.attempt(machine.name, failing: ["web"]) }
        #expect(attempts.count("web") == 1)
        guard case .failure(let error) = results.first?.result else { Issue.record("web did not fail"); return }
        #expect(error.message.contains("End of file") && !error.message.contains("lost the connection"))
    }

    @Test func aDaemonThatDoesNotComeBackIsOneErrorSayingWhatToDo() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let attempts = Attempts()
        let results = fixture.controller.forEach([web], recovering: recovery(attempts, fixture: fixture) {
            throw LifecycleError(.hypervisor, "Connecting to libvirt at qemu:///system: Connection refused")
        }) { _, machine in try attempts.attempt(machine.name, failing: ["web"]) }
        #expect(attempts.count("web") == 1)
        guard case .failure(let error) = results.first?.result else { Issue.record("web did not fail"); return }
        #expect(error.message.contains("lost the connection to libvirt at qemu:///system (could not reconnect: Connecting"), "\(error)")
        #expect(error.message.contains("End of file while reading data"), "the last error stays in the message: \(error)")
        #expect(error.hint?.contains("run the command again") == true)
    }

    @Test func aSecondLossIsNotChasedFurther() throws {
        let fixture = try LifecycleFixture(machines: [web])
        let attempts = Attempts()
        let results = fixture.controller.forEach([web], recovering: recovery(attempts, fixture: fixture) { [controller = fixture.controller] in controller }) { _, machine in
            try attempts.attempt(machine.name, failing: ["web"])
        }
        #expect(attempts.count("web") == 2)
        guard case .failure(let error) = results.first?.result else { Issue.record("web did not fail"); return }
        #expect(error.message.contains("(lost again)"), "\(error)")
    }

    @Test func retryingWaitsForTheFirstSuccessAndGivesUpWithTheLastError() throws {
        var calls = 0
        let value = try ConnectionLossRecovery.retrying(for: .seconds(5), every: 0.01) {
            calls += 1
            if calls < 3 { throw LifecycleError(.hypervisor, "refused \(calls)") }
            return calls
        }
        #expect(value == 3)
        let error = try #require(throws: LifecycleError.self) {
            try ConnectionLossRecovery.retrying(for: .milliseconds(50), every: 0.01) { () throws -> Int in throw LifecycleError(.hypervisor, "still refused") }
        }
        #expect(error.message == "still refused")
    }
}
