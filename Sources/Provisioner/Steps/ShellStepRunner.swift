import Foundation
import Spec

/// Runs shell steps (a Vmfile's or a Boxfile's `provision:`) in order on one SSH connection, one channel
/// per step, streaming their output to the observer. The first failing step stops the run with an error
/// naming the step, its exit status and its last output lines. Lifecycle (`up`, `provision`) and the
/// builder both run steps through here.
public struct ShellStepRunner {
    /// How messages name what the steps run on: `machine 'web'`, `build 'debian-12'`.
    public let subject: String
    /// What to tell the user to do when something fails.
    public let hints: StepHints
    /// How long a rebooting step may take to come back.
    public let rebootTimeout: TimeInterval
    public let observer: any StepObserver
    /// Called after each step succeeded (records `once` markers); may be a no-op.
    public let stepSucceeded: (PlannedStep) throws -> Void
    /// Opens a new connection to the guest (pinned host key), waiting up to `deadline`.
    public let connect: (_ deadline: Date) throws -> any GuestSession

    public init(subject: String, hints: StepHints, rebootTimeout: TimeInterval,
                observer: any StepObserver, stepSucceeded: @escaping (PlannedStep) throws -> Void = { _ in },
                connect: @escaping (_ deadline: Date) throws -> any GuestSession) {
        self.subject = subject
        self.hints = hints
        self.rebootTimeout = rebootTimeout
        self.observer = observer
        self.stepSucceeded = stepSucceeded
        self.connect = connect
    }

    /// Runs `steps` on `session`; returns the session to keep using (a new one after a reboot step).
    public func run(_ steps: [PlannedStep], on session: any GuestSession) throws -> any GuestSession {
        let original = session
        var session = session
        do {
            for planned in steps {
                try runStep(planned, on: session)
                try stepSucceeded(planned)
                if planned.step.reboot { session = try reboot(after: planned.step, session: session) }
            }
        } catch {
            // The caller closes the session it passed in; one opened after a reboot is ours to close.
            if session !== original { session.close() }
            throw error
        }
        return session
    }

    private func runStep(_ planned: PlannedStep, on session: any GuestSession) throws {
        let step = planned.step
        let script = try StepCommand.script(of: step, subject: subject)
        let invocation = StepCommand.invocation(for: step, script: script)
        let how = step.privileged ? "" : ", unprivileged"
        observer.phase("provision step '\(step.name)' (\(step.run.rawValue)\(how))")
        var tail = OutputTail()
        let observer = self.observer
        let exit: GuestExit
        do {
            defer { observer.outputFinished() }
            exit = try session.execute(invocation.command, stdin: invocation.stdin) { stream, chunk in
                tail.append(chunk)
                observer.output(stream, chunk)
            }
        } catch {
            throw ProvisionError(.guest, "\(subject): provision step '\(step.name)' could not run: the SSH connection failed",
                                 hint: hints.connectionFailed(step.name), cause: error)
        }
        guard exit.succeeded else {
            let lines = tail.text
            let output = lines.isEmpty ? "no output" : "last output lines:\n    " + lines.joined(separator: "\n    ")
            throw ProvisionError(.provisionFailed, "\(subject): provision step '\(step.name)' failed (\(exit))",
                                 hint: "\(output)\n  fix the step, then \(hints.retry(step.name))")
        }
    }

    /// Reboots the guest and waits until it answers SSH from a new boot (new `boot_id`), with the pinned key.
    private func reboot(after step: ProvisionStep, session: any GuestSession) throws -> any GuestSession {
        let bootIDCommand = "cat /proc/sys/kernel/random/boot_id"
        let before = try Self.query(bootIDCommand, on: session).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // Detached with a short delay, so the command returns and the channel closes before sshd goes down.
        let request = try Self.query("sudo -n sh -c '(sleep 1; reboot) </dev/null >/dev/null 2>&1 &'", on: session)
        guard request.status == 0 else {
            throw ProvisionError(.guest, "\(subject): could not reboot after provision step '\(step.name)' (exit \(request.status))",
                                 hint: request.stderr.isEmpty ? "the guest's user needs passwordless sudo" : request.stderr)
        }
        session.close()
        observer.phase("rebooting after step '\(step.name)'")
        let deadline = Date().addingTimeInterval(rebootTimeout)
        var lastError: (any Error)?
        while Date() < deadline {
            do {
                let fresh = try connect(deadline)
                let after = (try? Self.query(bootIDCommand, on: fresh).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? before
                if !after.isEmpty, after != before {
                    observer.phase("back after reboot")
                    return fresh
                }
                fresh.close()
            } catch let error as SSHError where error.code == .hostKeyMismatch {
                throw ProvisionError(.guest, "\(subject) came back from its reboot with a different SSH host key",
                                     hint: hints.hostKeyChanged, cause: error)
            } catch {
                lastError = error
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        throw ProvisionError(.bootTimeout, "\(subject) did not come back within \(Int(rebootTimeout)) s after rebooting for provision step '\(step.name)'",
                             hint: hints.rebootTimedOut, cause: lastError)
    }

    /// Runs a short `command` through `sh -s`, sending the command as input, and captures its output.
    ///
    /// The output then cannot arrive with the server's reply to the exec request (output that comes with
    /// that reply could stay buffered, and the exec never see end-of-file).
    public static func query(_ command: String, on session: any GuestSession) throws -> GuestCommandResult {
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

/// The advice a `ShellStepRunner` gives when a step fails, worded for its caller's commands.
public struct StepHints: Sendable {
    /// When a step could not run because the connection failed (given the step's name).
    public var connectionFailed: @Sendable (_ step: String) -> String
    /// How to run a fixed step again, after "fix the step, then " (given the step's name).
    public var retry: @Sendable (_ step: String) -> String
    /// When the guest came back from a reboot step with another host key.
    public var hostKeyChanged: String
    /// When the guest did not come back from a reboot step in time.
    public var rebootTimedOut: String

    public init(connectionFailed: @escaping @Sendable (_ step: String) -> String, retry: @escaping @Sendable (_ step: String) -> String,
                hostKeyChanged: String, rebootTimedOut: String) {
        self.connectionFailed = connectionFailed
        self.retry = retry
        self.hostKeyChanged = hostKeyChanged
        self.rebootTimedOut = rebootTimedOut
    }
}
