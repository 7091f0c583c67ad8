import Foundation
import Testing
@testable import Hypervisor

/// Defines on a real libvirt: what a rerun meets when a killed run's define finished (or is still
/// finishing) inside libvirtd, and whether a define makes libvirt probe QEMU again.
@Suite(.serialized, .enabled(if: LibvirtTestEnvironment.enabled, "needs libvirt (set VMFILE_E2E=1 to require it)"))
struct DefineReconcileTests {
    static func spec(_ scope: LibvirtScope, metadata: [String: String] = ["machine": "solo"]) throws -> DomainSpec {
        try DomainSpec(name: scope.prefix + "-solo", memoryMiB: 64, cpus: 1, accelerator: .tcg,
                       diskPath: scope.scratch.appendingPathComponent("none.qcow2").path, metadata: metadata)
    }

    @Test func aSecondDefineOfOneNameUpdatesTheFirstUnderItsNameBasedUUID() async throws {
        try await withLibvirtScope { scope in
            let spec = try Self.spec(scope)
            let first = try scope.connection.defineDomain(spec)
            #expect(try first.uuid() == DomainUUID.named(spec.name))
            var changed = spec
            changed.memoryMiB = 96
            let second = try scope.connection.defineDomain(changed)
            #expect(try second.uuid() == DomainUUID.named(spec.name))
            #expect(try second.xml(inactive: true).contains("<memory unit='KiB'>98304</memory>"))
        }
    }

    @Test func aVmfileDomainWithAnotherUUIDIsRedefinedUnderItsOwn() async throws {
        try await withLibvirtScope { scope in
            var old = try Self.spec(scope)
            old.uuid = UUID().uuidString.lowercased()
            _ = try scope.connection.defineDomain(old)
            // What a vmfile of before name-based UUIDs left, or a killed run's define that libvirtd
            // finished with libvirt's own random UUID.
            var wanted = try Self.spec(scope)
            wanted.memoryMiB = 80
            let redefined = try scope.connection.defineDomain(wanted)
            #expect(try redefined.uuid() == old.uuid)
            #expect(try redefined.xml(inactive: true).contains("<memory unit='KiB'>81920</memory>"))
        }
    }

    @Test func someoneElsesDomainOfThatNameIsRefused() async throws {
        try await withLibvirtScope { scope in
            let name = scope.prefix + "-solo"
            let xml = "<domain type='qemu'><name>\(name)</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>"
            _ = try scope.connection.defineDomain(xml: xml, name: name)
            do {
                _ = try scope.connection.defineDomain(try Self.spec(scope))
                Issue.record("a domain vmfile did not make must not be redefined")
            } catch let error as HypervisorError {
                #expect(error.code == .notOwned && error.message.contains(name), "\(error)")
            }
        }
    }

    /// libvirt rewrites a binary's capability file when it probes QEMU again; on a host without udev
    /// (before vmfile's `/dev/kvm` fix) it did so on every define, each taking 30–50 s.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Self.capabilityCache)))
    func aDefineDoesNotMakeLibvirtProbeQEMUAgain() async throws {
        _ = KVMDeviceAccess.ensureGroupAccess()
        try await withLibvirtScope { scope in
            _ = try scope.connection.defineDomain(try Self.spec(scope))  // settles a cache made stale before
            let before = try Self.capabilityFiles()
            #expect(!before.isEmpty, "no QEMU capability cache in \(Self.capabilityCache)")
            _ = try scope.connection.defineDomain(try Self.spec(scope, metadata: ["machine": "again"]))
            #expect(try Self.capabilityFiles() == before, "libvirt probed QEMU again during a define: /dev/kvm or QEMU changed under it?")
        }
    }

    static let capabilityCache = "/var/cache/libvirt/qemu/capabilities"

    /// Each capability file with its modification time (ns).
    static func capabilityFiles() throws -> [String: Int] {
        var files: [String: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: capabilityCache) where name.hasSuffix(".xml") {
            var info = stat()
            guard stat(capabilityCache + "/" + name, &info) == 0 else { continue }
            files[name] = info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
        }
        return files
    }
}
