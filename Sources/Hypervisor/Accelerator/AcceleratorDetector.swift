import Foundation

/// Decides between KVM and TCG: KVM only when it really runs a guest.
///
/// Order: `VMFILE_ACCEL=kvm|tcg` wins; no or unopenable `/dev/kvm` ⇒ TCG; `kvm_pvm` loaded ⇒ TCG (guests
/// hang on nested PVM hosts); else a cached probe result for the same kernel/device facts; else a real
/// probe (QEMU boots a 64 KiB firmware that writes to `isa-debug-exit`) whose result is cached.
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
    /// `$XDG_CACHE_HOME/vmfile` (or `~/.cache/vmfile`); probe with `qemuBinary`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, qemuBinary: String = "/usr/bin/qemu-system-x86_64") {
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

/// The real KVM probe: QEMU with `-accel kvm` runs a 64 KiB firmware image whose reset vector writes
/// 0x2a to an `isa-debug-exit` port, so a working KVM exits with status 85 within milliseconds and a
/// hanging one (nested PVM) is killed after the timeout.
public enum KVMProbe {
    /// The firmware: 64 KiB of `hlt`, with `mov al,0x2a; out 0xf4,al; hlt` at the reset vector (0xFFF0).
    public static func firmware() -> [UInt8] {
        var image = [UInt8](repeating: 0xF4, count: 65_536)
        let code: [UInt8] = [0xB0, 0x2A, 0xE6, 0xF4, 0xF4]
        for (index, byte) in code.enumerated() { image[0xFFF0 + index] = byte }
        return image
    }

    /// The exit status QEMU reports when the firmware ran: (0x2a << 1) | 1.
    public static let successStatus: Int32 = 85

    /// Runs the probe with `accel` (`kvm`; `tcg` checks the mechanism itself). Returns nil on
    /// success, else a short reason.
    public static func run(qemuBinary: String, accel: String = "kvm", timeout: Double = 3) -> String? {
        let firmwarePath = NSTemporaryDirectory() + "/vmfile-kvm-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).bin"
        guard FileManager.default.createFile(atPath: firmwarePath, contents: Data(firmware())) else {
            return "cannot write probe firmware"
        }
        defer { unlink(firmwarePath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: qemuBinary)
        process.arguments = [
            "-accel", accel, "-M", "pc", "-m", "16", "-nodefaults", "-nographic", "-display", "none",
            "-no-user-config", "-bios", firmwarePath, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "cannot run \(qemuBinary)" }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            usleep(100_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return "a test guest did not run within \(timeout) s"
        }
        return process.terminationStatus == successStatus ? nil : "QEMU -accel \(accel) exited with \(process.terminationStatus)"
    }
}
