import Foundation
import Spec

/// How a machine command rides out a libvirt daemon restart.
///
/// When libvirtd restarts (an upgrade, `systemctl restart libvirtd`, a crash), every call on the old
/// connection fails at once with "End of file while reading data" or "client socket is closed", whatever
/// vmfile was doing. Each machine operation converges when it is run again (that is what a rerun after
/// `kill -9` relies on), so the way through is to wait until libvirt answers again, open a new
/// connection, and run the failed machines once more. A second loss, or a daemon that does not come
/// back, ends in one error per machine that says so and what to do.
public struct ConnectionLossRecovery: Sendable {
    /// True when `controller`'s connection to libvirt has been lost (not merely an operation failing).
    public var isLost: @Sendable (MachineController) -> Bool
    /// A controller on a new connection, once libvirt answers again; throws when it did not in time.
    public var reconnect: @Sendable () throws -> MachineController
    /// The URI, for the messages.
    public var uri: String

    /// A recovery that asks `isLost` and reconnects with `reconnect`.
    public init(uri: String, isLost: @escaping @Sendable (MachineController) -> Bool,
                reconnect: @escaping @Sendable () throws -> MachineController) {
        self.uri = uri
        self.isLost = isLost
        self.reconnect = reconnect
    }

    /// Calls `attempt` every `interval` until it succeeds or `timeout` has passed; rethrows its last error.
    public static func retrying<T>(for timeout: Duration, every interval: TimeInterval = 0.25,
                                   _ attempt: () throws -> T) throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            do {
                return try attempt()
            } catch {
                if clock.now + .milliseconds(Int(interval * 1000)) > deadline { throw error }
                Thread.sleep(forTimeInterval: interval)
            }
        }
    }
}

extension MachineController {
    /// `forEach`, and when machines failed because the connection to libvirt was lost, the failed
    /// machines once more on a new connection (see `ConnectionLossRecovery`). Results keep the
    /// machines' order.
    public func forEach<Outcome: Sendable>(
        _ machines: [Machine], recovering recovery: ConnectionLossRecovery,
        _ operation: @escaping @Sendable (MachineController, Machine) throws -> Outcome
    ) -> [MachineResult<Outcome>] {
        let first = forEach(machines, operation)
        let failed = Set(first.filter(\.failed).map(\.machine))
        guard !failed.isEmpty, recovery.isLost(self) else { return first }
        let names = machines.map(\.name).filter(failed.contains)
        reporter.notice("lost the connection to libvirt at \(recovery.uri) (was libvirtd restarted?): reconnecting to carry on with \(names.joined(separator: ", "))")
        let again: [MachineResult<Outcome>]
        do {
            let controller = try recovery.reconnect()
            again = controller.forEach(machines.filter { failed.contains($0.name) }, operation).map { result in
                guard result.failed, recovery.isLost(controller) else { return result }
                return Self.connectionLost(result, uri: recovery.uri, reason: "lost again")
            }
        } catch {
            again = first.filter(\.failed).map { Self.connectionLost($0, uri: recovery.uri, reason: "could not reconnect: \(error)") }
        }
        let rerun = Dictionary(again.map { ($0.machine, $0) }, uniquingKeysWith: { first, _ in first })
        return first.map { rerun[$0.machine] ?? $0 }
    }

    private static func connectionLost<Outcome>(_ result: MachineResult<Outcome>, uri: String, reason: String) -> MachineResult<Outcome> {
        guard case .failure(let error) = result.result else { return result }
        return MachineResult(machine: result.machine, result: .failure(LifecycleError(
            .hypervisor,
            "machine '\(result.machine)': lost the connection to libvirt at \(uri) (\(reason)); the last error was: \(error.message)",
            hint: "make sure libvirtd runs (`virsh -c \(uri) version`; scripts/setup starts it), then run the command again: it carries on where this one stopped",
            cause: error)))
    }
}

extension MachineResult {
    /// True when the operation failed on this machine.
    var failed: Bool {
        if case .failure = result { return true }
        return false
    }
}
