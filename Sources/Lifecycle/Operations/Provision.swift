import Foundation
import Provisioner
import Spec

extension MachineController {
    /// `vmfile provision`: runs `request`'s steps on a running `machine` over one new SSH connection.
    /// Returns how many steps ran. A machine that is not running is an error, or with `skipNotRunning`
    /// (no machines named: Vagrant's behaviour) a note.
    public func provision(_ machine: Machine, request: ProvisionRequest = .all, skipNotRunning: Bool = false) throws -> Int {
        let clock = PhaseClock(machine: machine.name, reporter: reporter)
        let state = try host.domainState(project.domainName(of: machine.name))
        if state != .running, skipNotRunning {
            clock.report("\(state?.rawValue ?? "not created"), not provisioned (`vmfile up \(machine.name)` starts and provisions it)")
            return 0
        }
        guard state == .running else {
            throw LifecycleError(.notCreated, "machine '\(machine.name)' is \(state?.rawValue ?? "not created"), not running; provisioning needs a running machine",
                                 hint: "start it with `vmfile up \(machine.name)` (which provisions it as `up` does)")
        }
        let selected = selectSteps(machine, request: request)
        guard !selected.isEmpty else {
            clock.report("no provision steps to run")
            return 0
        }
        let target = try runningSSHTarget(of: machine)
        let deadline = Date().addingTimeInterval(TimeInterval(machine.bootTimeout))
        let session = try connectGuest(machine, target: target, deadline: deadline)
        clock.report("ssh ready")
        try runProvisioning(machine, selected, request: request, session: session, target: target, clock: clock).close()
        return selected.count
    }

    /// The steps `request` selects for `machine` given its markers.
    func selectSteps(_ machine: Machine, request: ProvisionRequest) -> [PlannedStep] {
        let markers = ProvisionMarkers(url: project.files(of: machine.name).provisionMarkers)
        return ProvisionPlan.select(request, from: ProvisionPlan.steps(for: machine, in: project.vmfile), markers: markers.load())
    }

    /// Runs `steps` on `session`; returns the session to close (a new one when a step rebooted the guest).
    func runProvisioning(_ machine: Machine, _ steps: [PlannedStep], request: ProvisionRequest, session: any GuestSession,
                         target: SSHTarget, clock: PhaseClock) throws -> any GuestSession {
        guard !steps.isEmpty else { return session }
        let markers = ProvisionMarkers(url: project.files(of: machine.name).provisionMarkers)
        let name = machine.name
        let hints = StepHints(
            connectionFailed: { step in "check the machine with `vmfile status \(name)`, then `vmfile provision \(name) --step \(step)`" },
            retry: { step in "run `vmfile provision \(name) --step \(step)`" },
            hostKeyChanged: "if the guest was reinstalled on purpose, `vmfile destroy` and `vmfile up` it",
            rebootTimedOut: "look at the console log in \(name)'s .vmfile directory; `vmfile up \(name)` continues")
        let runner = ShellStepRunner(
            subject: "machine '\(name)'", hints: hints, rebootTimeout: TimeInterval(machine.bootTimeout),
            observer: MachineStepObserver(clock: clock),
            stepSucceeded: { planned in if planned.step.run == .once { try markers.recordOnce(planned.markerKey) } },
            connect: { deadline in try connectGuest(machine, target: target, deadline: deadline) })
        let result = try asLifecycleError { try runner.run(steps, on: session) }
        if request == .onBoot || request == .all {
            do {
                try asLifecycleError { try markers.recordComplete() }
            } catch {
                if result !== session { result.close() }
                throw error
            }
        }
        clock.report("provisioned (\(steps.count) step\(steps.count == 1 ? "" : "s"))")
        return result
    }

    /// A new SSH connection to a booted guest, insisting on its pinned host key.
    func connectGuest(_ machine: Machine, target: SSHTarget, deadline: Date) throws -> any GuestSession {
        let files = project.files(of: machine.name)
        let pinned = try? String(contentsOf: files.hostKey, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let endpoint = GuestEndpoint(host: target.host, port: target.port, user: machine.ssh.username)
        return try guests.waitUntilReady(endpoint, keys: try loginKeys(for: machine), pinnedHostKey: pinned, deadline: deadline)
    }
}

extension MachineController {
    /// Fails when a name in `names` is no provision step of any of `machines` (`--step`, `--provision-with`).
    public func checkStepNames(_ names: [String], machines: [Machine]) throws {
        let unknown = ProvisionPlan.unknownNames(names, machines: machines, in: project.vmfile)
        guard !unknown.isEmpty else { return }
        var known: [String] = []
        for machine in machines {
            for planned in ProvisionPlan.steps(for: machine, in: project.vmfile) where !known.contains(planned.step.name) {
                known.append(planned.step.name)
            }
        }
        throw LifecycleError(.invalidArgument, "no provision step named \(unknown.map { "'\($0)'" }.joined(separator: ", ")) in \(project.vmfile.path)",
                             hint: known.isEmpty ? "these machines have no provision steps" : "steps: \(known.joined(separator: ", "))")
    }
}
