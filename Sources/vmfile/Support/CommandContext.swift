import ArgumentParser
import Boxes
import Foundation
import Lifecycle
import Provisioner
import Spec

/// What a machine command works with: the loaded Vmfile, its project, and a controller wired to
/// libvirt and SSH. Errors print as `error: ...` with a hint and exit 1.
struct CommandContext {
    let project: Project
    let controller: MachineController
    /// The libvirt host `controller` works on, for what needs libvirt itself (`package`).
    let host: LibvirtMachineHost
    let reporter: StderrReporter
    /// Reconnects after a libvirtd restart and runs the machines that failed of it again.
    let recovery: ConnectionLossRecovery

    /// Loads the Vmfile and connects. `defining` detects the accelerator (only commands that may
    /// create machines pay for it) and shows its warning once.
    static func make(_ options: LifecycleOptions, defining: Bool) throws -> CommandContext {
        let path = try options.vmfile.locate()
        let vmfile: Vmfile
        do {
            vmfile = try VmfileLoader.load(path: path)
        } catch {
            StandardError.print(error.description)
            throw ExitCode(1)
        }
        let reporter = StderrReporter()
        let factory = options.libvirt.factory(vmfileURI: vmfile.libvirt.uri)
        let host = try reportingErrors { try factory.machineHost(defining: defining, notice: reporter.notice) }
        let project = Project(vmfile: vmfile)
        let controller = Self.controller(project, host, reporter)
        let recovery = factory.connectionLossRecovery(of: host, defining: defining) { Self.controller(project, $0, reporter) }
        return CommandContext(project: project, controller: controller, host: host, reporter: reporter, recovery: recovery)
    }

    private static func controller(_ project: Project, _ host: LibvirtMachineHost, _ reporter: StderrReporter) -> MachineController {
        MachineController(project: project, host: host, guests: LibsshGuestConnector(),
                          boxes: BoxStore(root: BoxStore.defaultRoot()), reporter: reporter)
    }

    /// The machines named on the command line (all when none).
    func machines(_ selectors: [String]) throws -> [Machine] {
        try reportingErrors { try project.machines(matching: selectors) }
    }

    /// Fails, listing the steps there are, when a step name matches no step of `machines`.
    func checkStepNames(_ names: [String], machines: [Machine]) throws {
        try reportingErrors { try controller.checkStepNames(names, machines: machines) }
    }

    /// Runs `operation` on `machines` in parallel under the project lock, once more on a new
    /// connection for the machines that failed because libvirtd restarted; prints each failure and
    /// exits 1 naming the failed machines.
    func run<Outcome: Sendable>(
        _ machines: [Machine], noWait: Bool,
        _ operation: @escaping @Sendable (MachineController, Machine) throws -> Outcome
    ) throws -> [(machine: String, outcome: Outcome)] {
        reporter.guestOutput.prefixLines(machines.count > 1)
        let results = try locked(noWait: noWait) {
            // A snapshot command killed earlier may have left machines paused: any machine command converges it.
            controller.recoverInterruptedSnapshot()
            return controller.forEach(machines, recovering: recovery, operation)
        }
        return try finish(results)
    }

    /// Runs `body` under the project lock, printing its error as `error: ...` and exiting 1.
    func locked<T>(noWait: Bool, _ body: () throws -> T) throws -> T {
        try reportingErrors { try controller.withProjectLock(noWait: noWait, body) }
    }

    /// Prints each failed machine's error and exits 1 naming them; returns the successes.
    func finish<Outcome: Sendable>(_ results: [MachineResult<Outcome>]) throws -> [(machine: String, outcome: Outcome)] {
        var succeeded: [(machine: String, outcome: Outcome)] = []
        var failed: [String] = []
        for result in results {
            switch result.result {
            case .success(let outcome): succeeded.append((result.machine, outcome))
            case .failure(let error):
                failed.append(result.machine)
                StandardError.print("error: \(error)")
            }
        }
        if !failed.isEmpty {
            StandardError.print("error: failed: \(failed.joined(separator: ", "))")
            throw ExitCode(1)
        }
        return succeeded
    }
}

/// Runs `body`, printing any error as `error: ...` and exiting 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        StandardError.print("error: \(error)")
        throw ExitCode(1)
    }
}
