import Foundation
import HostSupport

/// Decides between KVM and TCG: KVM only when it really runs a guest.
///
/// Order: `VMFILE_ACCEL=kvm|tcg` wins; no or unopenable `/dev/kvm` ⇒ TCG; `kvm_pvm` loaded ⇒ TCG (guests
/// hang on nested PVM hosts); else a cached probe result for the same kernel/device facts; else a real
/// probe (QEMU boots SeaBIOS to the end of POST, see `KVMProbe`) whose result is cached.
public struct AcceleratorDetector: Sendable {
    /// Runs the real probe; returns nil on success or a short failure reason.
    public typealias Probe = @Sendable () -> String?

    /// Cache file holding `<cacheKey>\n<kvm|tcg>\n<reason>`; nil disables caching.
    public var cacheFile: String?
    /// The probe to run when facts allow KVM and the cache has no answer.
    public var probe: Probe

    /// A detector with an explicit cache file and probe (tests inject both).
    public init(cacheFile: String?, probe: @escaping Probe) {
        self.cacheFile = cacheFile
        self.probe = probe
    }

    /// The detector for this process: cache under `/var/cache/vmfile` for root, else
    /// `$XDG_CACHE_HOME/vmfile` (or `~/.cache/vmfile`); probe with `qemuBinary`, else `VMFILE_EMULATOR`,
    /// else `/usr/bin/qemu-system-x86_64`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, qemuBinary: String? = nil) {
        let qemuBinary = qemuBinary ?? Self.emulator(environment: environment) ?? "/usr/bin/qemu-system-x86_64"
        let directory: String
        if geteuid() == 0 {
            directory = "/var/cache/vmfile"
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            directory = xdg + "/vmfile"
        } else {
            directory = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/vmfile"
        }
        self.init(cacheFile: directory + "/accel", probe: { KVMProbe.run(qemuBinary: qemuBinary) })
    }

    /// The QEMU binary `VMFILE_EMULATOR` names for domains and the KVM probe (vagrant-libvirt's
    /// `emulator_path`); nil when unset.
    public static func emulator(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let value = environment["VMFILE_EMULATOR"], !value.isEmpty else { return nil }
        return value
    }

    /// Reads the facts of this host.
    public static func currentFacts(environment: [String: String] = ProcessInfo.processInfo.environment) -> AcceleratorFacts {
        let exists = FileManager.default.fileExists(atPath: "/dev/kvm")
        var openable = false
        if exists {
            let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
            if fd >= 0 { openable = true; close(fd) }
        }
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return AcceleratorFacts(
            override: environment["VMFILE_ACCEL"],
            devKVMExists: exists,
            devKVMOpenable: openable,
            pvmModulePresent: FileManager.default.fileExists(atPath: "/sys/module/kvm_pvm"),
            kernelRelease: release
        )
    }

    /// Detects the accelerator for this host.
    public func detect() throws(HypervisorError) -> AcceleratorChoice {
        try decide(Self.currentFacts())
    }

    /// Decides from `facts`; reads/writes the cache and runs the probe only when facts allow KVM.
    /// - Throws: `.invalidArgument` for a `VMFILE_ACCEL` value other than `kvm` or `tcg`.
    public func decide(_ facts: AcceleratorFacts) throws(HypervisorError) -> AcceleratorChoice {
        if let value = facts.override?.trimmingWhitespace().lowercased(), !value.isEmpty {
            guard let forced = Accelerator(rawValue: value) else {
                throw HypervisorError(.invalidArgument, "VMFILE_ACCEL=\(value) is not understood: use kvm or tcg, or unset it to detect")
            }
            return AcceleratorChoice(accelerator: forced, reason: "VMFILE_ACCEL=\(value)")
        }
        if !facts.devKVMExists {
            return AcceleratorChoice(accelerator: .tcg, reason: "KVM not available (no /dev/kvm): using TCG (slower)")
        }
        if !facts.devKVMOpenable {
            return AcceleratorChoice(accelerator: .tcg, reason: "KVM not usable here (/dev/kvm not accessible; join the kvm group): using TCG (slower)")
        }
        if facts.pvmModulePresent {
            return AcceleratorChoice(accelerator: .tcg, reason: "KVM not usable here (nested PVM host): using TCG (slower)")
        }
        if let cached = readCache(key: facts.cacheKey) { return cached }
        let choice: AcceleratorChoice
        if let failure = probe() {
            choice = AcceleratorChoice(accelerator: .tcg, reason: "KVM not usable here (\(failure)): using TCG (slower)")
        } else {
            choice = AcceleratorChoice(accelerator: .kvm, reason: "KVM works (probed)")
        }
        writeCache(key: facts.cacheKey, choice: choice)
        return choice
    }

    private func readCache(key: String) -> AcceleratorChoice? {
        guard let cacheFile, let text = try? String(contentsOfFile: cacheFile, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[0] == key, let accelerator = Accelerator(rawValue: String(lines[1])) else { return nil }
        return AcceleratorChoice(accelerator: accelerator, reason: String(lines[2]), cached: true)
    }

    private func writeCache(key: String, choice: AcceleratorChoice) {
        guard let cacheFile else { return }
        let url = URL(fileURLWithPath: cacheFile)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Atomic write: concurrent detectors never see half a file.
        try? "\(key)\n\(choice.accelerator.rawValue)\n\(choice.reason)\n".write(to: url, atomically: true, encoding: .utf8)
    }
}

/// The real KVM probe: QEMU boots its stock SeaBIOS with `-accel kvm` and no disks, logging to an
/// `isa-debugcon` file, and the probe waits for POST to reach "Booting from…"/"No bootable device".
///
/// POST exercises real mode, 32-bit protected mode, interrupts, timers and PCI set-up, which is why it
/// is used instead of a few instructions: on a nested PVM host a 5-byte firmware runs fine under KVM,
/// but SeaBIOS needs ~8.8 s to finish POST (TCG: ~0.3 s; working KVM: well under a second).
public enum KVMProbe {
    /// Text SeaBIOS logs when POST is done.
    static let doneMarkers = ["Booting from", "No bootable device", "Boot failed"]

    /// Runs the probe with `accel` (`kvm`; `tcg` checks the mechanism itself). Returns nil when POST
    /// finished within `timeout` seconds, else a short reason.
    public static func run(qemuBinary: String, accel: String = "kvm", timeout: Double = 3) -> String? {
        let logPath = NSTemporaryDirectory() + "/vmfile-kvm-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { return "cannot write the probe log" }
        defer { unlink(logPath) }
        let arguments = [
            "-accel", accel, "-M", "pc", "-m", "32", "-nodefaults", "-nographic", "-display", "none", "-no-user-config",
            "-chardev", "file,id=probe,path=\(logPath)", "-device", "isa-debugcon,iobase=0x402,chardev=probe",
        ]
        let child: ChildProcess
        do { child = try ChildProcess(qemuBinary, arguments) } catch { return "cannot run \(qemuBinary)" }
        var exited: Int32?
        defer { if exited == nil { child.kill() } }
        let markers = doneMarkers.map { Data($0.utf8) }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            // Bytes, not String: the BIOS log need not be valid UTF-8.
            if let log = FileManager.default.contents(atPath: logPath), markers.contains(where: { log.range(of: $0) != nil }) {
                return nil
            }
            if let status = child.exitStatus() {
                exited = status
                return "QEMU -accel \(accel) exited with \(status)"
            }
            usleep(20_000)
        }
        return "a test guest did not finish its BIOS within \(Int(timeout)) s"
    }
}
