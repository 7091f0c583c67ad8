import Foundation
import Testing

/// The libvirt daemon of this host, stopped and started the way an init-less host must: by the PID in
/// its pidfile. Without an init that reaps, the parent of `libvirtd -d` stays behind as a zombie named
/// `libvirtd`, so `pgrep` is no test of a live daemon, and starting a new one while the old one is still
/// shutting down fails with "Unable to obtain pidfile".
enum LibvirtDaemon {
    static let pidFile = "/run/libvirtd.pid"
    static let usesSystemd = FileManager.default.fileExists(atPath: "/run/systemd/system")

    /// The PID in the pidfile when that process lives (exists and is not a zombie).
    static func livePID() -> pid_t? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), isLive(pid) else { return nil }
        return pid
    }

    /// True when `pid` exists and is neither a zombie nor dead (`/proc/PID/stat`'s state after the name).
    static func isLive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let nameEnd = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: nameEnd)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// True when the daemon answers on the system URI.
    static func answers() -> Bool {
        (try? runProcess("/usr/bin/virsh", ["-c", "qemu:///system", "version"]))?.status == 0
    }

    /// Stops the daemon and waits until its process is gone.
    static func stop() throws {
        if usesSystemd { try runProcess("/usr/bin/systemctl", ["stop", "libvirtd"]); return }
        guard let pid = livePID() else { return }
        kill(pid, SIGTERM)
        guard KillWindowEndToEndTests.wait(60, { !isLive(pid) }) else {
            throw SandboxError(message: "libvirtd \(pid) did not exit within 60 s of SIGTERM")
        }
    }

    /// Starts the daemon (when it is not running) and waits until it answers.
    static func start() throws {
        if usesSystemd {
            try runProcess("/usr/bin/systemctl", ["start", "libvirtd"])
        } else if livePID() == nil {
            // system(3), not Process: Foundation's Process never saw `libvirtd -d` end (the daemon it forks
            // keeps what Process waits on open), which hung the test; sh reaps the parent, system(3) reaps sh.
            // And through python3 with an empty signal mask: a test thread blocks SIGTERM, a mask children
            // inherit, and a daemon started with it never heeds the next restart's SIGTERM.
            let status = system("python3 -c 'import os, signal; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(\"/usr/sbin/libvirtd\", [\"libvirtd\", \"-d\"])' </dev/null >/dev/null 2>&1")
            guard status == 0 else { throw SandboxError(message: "libvirtd -d failed (status \(status))") }
        }
        guard KillWindowEndToEndTests.wait(60, answers) else {
            throw SandboxError(message: "libvirtd did not answer on qemu:///system within 60 s of starting")
        }
    }

    static func restart() throws {
        try stop()
        try start()
    }
}

/// libvirtd restarted, or stopped, while `vmfile up` runs. Opt-in (`VMFILE_E2E_RESTART_LIBVIRTD=1`), and
/// to be run alone: it restarts the host's daemon, which every other test running at the same time
/// would see too.
///
///     VMFILE_E2E=1 VMFILE_E2E_RESTART_LIBVIRTD=1 swift test --skip-build --filter LibvirtdRestartEndToEndTests
@Suite(.serialized, .enabled(if: E2E.enabled && E2E.environment["VMFILE_E2E_RESTART_LIBVIRTD"] == "1",
                            "opt-in, run alone: VMFILE_E2E_RESTART_LIBVIRTD=1"))
struct LibvirtdRestartEndToEndTests {
    static let vmfile = """
        version: 1
        machines:
          k:
            box: tiny
            memory: 192MiB
            provision:
              - name: marker
                shell: echo provisioned > /tmp/marker
        """

    /// Phase lines of `up` (substrings of `==> k: …`) at which the daemon is restarted.
    static let phases = ["k: box tiny", "k: defined", "k: started", "k: address", "k: ssh ready", "k: ready"]

    /// Starts `up` and runs `action` as soon as its stderr shows `phase`; returns the finished `up`'s
    /// output and whether `action` ran while it still ran.
    static func up(_ sandbox: Sandbox, at phase: String, _ action: () throws -> Void) throws -> (ProcessOutput, Bool) {
        let log = sandbox.directory.deletingLastPathComponent().appendingPathComponent("restart-\(UUID().uuidString).err")
        defer { try? FileManager.default.removeItem(at: log) }
        let process = try sandbox.start(["up"], stderr: log)
        _ = KillWindowEndToEndTests.wait(300) {
            !process.isRunning || ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains(phase)
        }
        let during = process.isRunning
        try action()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (ProcessOutput(status: process.terminationStatus, stdout: "", stderr: stderr), during)
    }

    /// The machine is whole: provisioned, its project synced to /vagrant, reachable by `vmfile ssh`.
    static func expectWhole(_ sandbox: Sandbox, _ cell: String) throws {
        let check = try sandbox.run("ssh", "-c", "cat /tmp/marker; test -f /vagrant/Vmfile && echo synced")
        #expect(check.stdout == "provisioned\nsynced\n", "\(cell): \(check)")
    }

    @Test func aRestartAtEveryPhaseOfUpIsRiddenOut() throws {
        defer { try? LibvirtDaemon.start() }
        try Sandbox.with(vmfile: Self.vmfile) { sandbox in
            var matrix: [String] = []
            for phase in Self.phases {
                let (up, during) = try Self.up(sandbox, at: phase) { try LibvirtDaemon.restart() }
                let reconnected = up.stderr.contains("lost the connection to libvirt")
                matrix.append("\(phase): \(during ? "restarted during up" : "up finished first"), exit \(up.status)\(reconnected ? ", reconnected" : "")")
                #expect(up.status == 0, "\(phase): \(up)")
                try Self.expectWhole(sandbox, phase)
                #expect(try sandbox.run("destroy", "-f").status == 0)
                #expect(try sandbox.leftovers().isEmpty, "\(phase)")
            }
            print("libvirtd restart during up:\n" + matrix.map { "  \($0)" }.joined(separator: "\n"))
        }
    }

    @Test func aDaemonThatStaysDownIsOneClearErrorAndTheRerunConverges() throws {
        defer { try? LibvirtDaemon.start() }
        try Sandbox.with(vmfile: Self.vmfile) { sandbox in
            let (up, during) = try Self.up(sandbox, at: "k: started") { try LibvirtDaemon.stop() }
            try #require(during, "up finished before libvirtd was stopped: \(up)")
            #expect(up.status == 1, "\(up)")
            #expect(up.stderr.contains("lost the connection to libvirt at qemu:///system (could not reconnect"), "\(up)")
            #expect(up.stderr.contains("make sure libvirtd runs"), "\(up)")
            try LibvirtDaemon.start()
            let rerun = try sandbox.run("up")
            #expect(rerun.status == 0, "\(rerun)")
            try Self.expectWhole(sandbox, "rerun")
        }
    }
}
