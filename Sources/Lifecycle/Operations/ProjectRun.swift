import Boxes
import Foundation
import HostSupport
import Provisioner
import Spec

/// One machine's result of a project-wide operation.
public struct MachineResult<Outcome: Sendable>: Sendable {
    public let machine: String
    public let result: Result<Outcome, LifecycleError>
}

extension MachineController {
    /// Runs `operation` on every machine concurrently (one thread each). A failure stops only its
    /// own machine; the others carry on.
    public func forEach<Outcome: Sendable>(
        _ machines: [Machine], _ operation: @escaping @Sendable (MachineController, Machine) throws -> Outcome
    ) -> [MachineResult<Outcome>] {
        let controller = self
        return Parallel.map(machines) { machine in
            do {
                return MachineResult(machine: machine.name, result: .success(try operation(controller, machine)))
            } catch let error as LifecycleError {
                return MachineResult(machine: machine.name, result: .failure(error))
            } catch let error as ProvisionError {
                // Already names the machine ("machine 'web': provision step ...").
                return MachineResult(machine: machine.name, result: .failure(LifecycleError(error)))
            } catch {
                return MachineResult(machine: machine.name, result: .failure(
                    LifecycleError(.hypervisor, "machine '\(machine.name)': \(error)", cause: error)))
            }
        }
    }

    /// Holds the project lock while `body` runs. Another vmfile on the same project makes this wait
    /// (saying which PID holds it) or, with `noWait`, fail at once.
    public func withProjectLock<T>(noWait: Bool, _ body: () throws -> T) throws -> T {
        let reporter = self.reporter
        let path = project.lockPath
        let lock: FileLock
        do {
            lock = try FileLock.acquire(
                at: path,
                policy: noWait ? .noWait : .wait(onWait: { pid in
                    let who = pid.map { "process \($0)" } ?? "another vmfile"
                    reporter.notice("waiting for \(who), which holds the project lock (\(path))")
                }),
                purpose: "this project")
        } catch {
            throw LifecycleError(.invalidArgument, error.message, hint: error.hint, cause: error.cause)
        }
        defer { lock.release() }
        return try body()
    }
}
