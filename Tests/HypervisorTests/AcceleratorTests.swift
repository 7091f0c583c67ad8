import Foundation
import Testing
@testable import Hypervisor

@Suite struct AcceleratorTests {
    static func facts(override: String? = nil, exists: Bool = true, openable: Bool = true, pvm: Bool = false) -> AcceleratorFacts {
        AcceleratorFacts(override: override, devKVMExists: exists, devKVMOpenable: openable, pvmModulePresent: pvm, kernelRelease: "6.1.0-test")
    }

    @Test(arguments: [
        (facts(override: "tcg"), Accelerator.tcg, false),
        (facts(override: "KVM", pvm: true), Accelerator.kvm, false),
        (facts(exists: false, openable: false), Accelerator.tcg, true),
        (facts(openable: false), Accelerator.tcg, true),
        (facts(pvm: true), Accelerator.tcg, true),
    ])
    func decidesWithoutProbe(facts: AcceleratorFacts, expected: Accelerator, warns: Bool) throws {
        let detector = AcceleratorDetector(cacheFile: nil) { Issue.record("probe must not run"); return nil }
        let choice = try detector.decide(facts)
        #expect(choice.accelerator == expected)
        #expect(choice.shouldWarn == warns)
    }

    @Test func pvmReasonNamesTheHost() throws {
        let choice = try AcceleratorDetector(cacheFile: nil) { nil }.decide(Self.facts(pvm: true))
        #expect(choice.reason == "KVM not usable here (nested PVM host): using TCG (slower)")
    }

    @Test func rejectsUnknownOverride() {
        #expect(throws: HypervisorError.self) { try AcceleratorDetector(cacheFile: nil) { nil }.decide(Self.facts(override: "hvf")) }
    }

    @Test func probesOnceThenUsesCache() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-accel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = directory.appendingPathComponent("accel").path
        let counter = Counter()
        let failing = AcceleratorDetector(cacheFile: cache) { counter.increment(); return "a test guest did not run within 3 s" }
        let first = try failing.decide(Self.facts())
        #expect(first.accelerator == .tcg && !first.cached)
        let second = try failing.decide(Self.facts())
        #expect(second.accelerator == .tcg && second.cached)
        #expect(counter.value == 1)
        // A different kernel invalidates the cache.
        var other = Self.facts()
        other.kernelRelease = "6.2.0-other"
        let working = AcceleratorDetector(cacheFile: cache) { counter.increment(); return nil }
        #expect(try working.decide(other).accelerator == .kvm)
        #expect(counter.value == 2)
    }

    /// The probe mechanism itself, with TCG (always works where QEMU is installed).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-system-x86_64")))
    func probeMechanismRunsUnderTCG() {
        #expect(KVMProbe.run(qemuBinary: "/usr/bin/qemu-system-x86_64", accel: "tcg", timeout: 10) == nil)
    }

    /// On a nested PVM host the probe itself must say no, even without the kvm_pvm shortcut.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/sys/module/kvm_pvm") && FileManager.default.isWritableFile(atPath: "/dev/kvm")))
    func probeRejectsPVMHost() {
        #expect(KVMProbe.run(qemuBinary: "/usr/bin/qemu-system-x86_64", accel: "kvm", timeout: 2) != nil)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
