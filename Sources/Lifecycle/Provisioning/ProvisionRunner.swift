import Foundation
import Provisioner
import Spec

/// Runs one machine's provision steps in order on one SSH connection (one channel per step), streaming
/// their output to the reporter. The first failing step stops the run with an error naming the step, its
/// exit status and its last output lines.
struct ProvisionRunner {
    let machine: Machine
    let reporter: any LifecycleReporter
    let clock: PhaseClock
    let markers: ProvisionMarkers
    /// Opens a new connection to the machine (pinned host key), waiting up to `deadline`.
    let connect: (_ deadline: Date) throws -> any GuestSession

    /// Runs `steps` on `session`; returns the session to keep using (a new one after a reboot step).
    /// `complete` records that the machine's provisioning finished once every step succeeded.
    func run(_ steps: [PlannedStep], on session: any GuestSession, complete: Bool) throws -> any GuestSession {
        let original = session
        var session = session
        do {
            for planned in steps {
                try runStep(planned, on: session)
                if planned.step.run == .once { try markers.recordOnce(planned.markerKey) }
                if planned.step.reboot { session = try reboot(after: planned.step, session: session) }
            }
            if complete { try markers.recordComplete() }
        } catch {
            // The caller closes the session it passed in; one opened after a reboot is ours to close.
            if session !== original { session.close() }
            throw error
        }
        return session
    }

    private func runStep(_ planned: PlannedStep, on session: any GuestSession) throws {
        let step = planned.step
        let script = try StepCommand.script(of: step, machine: machine.name)
        let invocation = StepCommand.invocation(for: step, script: script)
        let how = step.privileged ? "" : ", unprivileged"
        clock.report("provision step '\(step.name)' (\(step.run.rawValue)\(how))")
        var tail = OutputTail()
        let name = machine.name
        let reporter = self.reporter
        let exit: GuestExit
        do {
            defer { reporter.outputFinished(name) }
            exit = try session.execute(invocation.command, stdin: invocation.stdin) { stream, chunk in
                tail.append(chunk)
                reporter.output(name, stream, chunk)
            }
        } catch {
            throw LifecycleError(.guest, "machine '\(name)': provision step '\(step.name)' could not run: the SSH connection failed",
                                 hint: "check the machine with `vmfile status \(name)`, then `vmfile provision \(name) --step \(step.name)`",
                                 cause: error)
        }
        guard exit.succeeded else {
            let lines = tail.text
            let output = lines.isEmpty ? "no output" : "last output lines:\n    " + lines.joined(separator: "\n    ")
            throw LifecycleError(.provisionFailed, "machine '\(name)': provision step '\(step.name)' failed (\(exit))",
                                 hint: "\(output)\n  fix the step, then run `vmfile provision \(name) --step \(step.name)`")
        }
    }

    /// Reboots the guest and waits until it answers SSH from a new boot (new `boot_id`), with the pinned key.
    private func reboot(after step: ProvisionStep, session: any GuestSession) throws -> any GuestSession {
        let bootIDCommand = "cat /proc/sys/kernel/random/boot_id"
        let before = try Self.query(bootIDCommand, on: session).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Detached with a short delay, so the command returns and the channel closes before sshd goes down.
        let request = try Self.query("sudo -n sh -c '(sleep 1; reboot) </dev/null >/dev/null 2>&1 &'", on: session)
        guard request.status == 0 else {
            throw LifecycleError(.guest, "machine '\(machine.name)': could not reboot after provision step '\(step.name)' (exit \(request.status))",
                                 hint: request.stderr.isEmpty ? "the guest's user needs passwordless sudo" : request.stderr)
        }
        session.close()
        clock.report("rebooting after step '\(step.name)'")
        let deadline = Date().addingTimeInterval(TimeInterval(machine.bootTimeout))
        var lastError: (any Error)?
        while Date() < deadline {
            do {
                let fresh = try connect(deadline)
                let after = (try? Self.query(bootIDCommand, on: fresh).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? before
                if !after.isEmpty, after != before {
                    clock.report("back after reboot")
                    return fresh
                }
                fresh.close()
            } catch let error as SSHError where error.code == .hostKeyMismatch {
                throw LifecycleError(.guest, "machine '\(machine.name)' came back from its reboot with a different SSH host key",
                                     hint: "if the guest was reinstalled on purpose, `vmfile destroy` and `vmfile up` it", cause: error)
            } catch {
                lastError = error
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        throw LifecycleError(.bootTimeout, "machine '\(machine.name)' did not come back within \(machine.bootTimeout) s after rebooting for provision step '\(step.name)'",
                             hint: "look at the console log in \(machine.name)'s .vmfile directory; `vmfile up \(machine.name)` continues",
                             cause: lastError)
    }

    /// Runs a short `command` through `sh -s`, sending the command as input, and captures its output.
    ///
    /// The output then cannot arrive with the server's reply to the exec request: the Provisioner on this
    /// branch installs its output sink only after that reply, and output that comes with it stays buffered
    /// (the exec never sees end-of-file). The SSH branch fixes that in the Provisioner; this stays harmless.
    static func query(_ command: String, on session: any GuestSession) throws -> GuestCommandResult {
        var stdout = Data()
        var stderr = Data()
        let exit = try session.execute("sh -s", stdin: Data((command + "\n").utf8)) { stream, chunk in
            // Small answers only (a boot id, an error line): cap what is kept.
            if stream == .stdout { if stdout.count < 4096 { stdout.append(chunk) } } else if stderr.count < 4096 { stderr.append(chunk) }
        }
        return GuestCommandResult(status: exit.code, stdout: String(decoding: stdout, as: UTF8.self),
                                  stderr: String(decoding: stderr, as: UTF8.self))
    }
}
