import Foundation
import Testing
@testable import Hypervisor

/// On a real device node (same major/minor as /dev/kvm, made in a temp directory): needs root for mknod.
@Suite(.serialized, .enabled(if: geteuid() == 0 && getgrnam("kvm") != nil, "needs root and a kvm group"))
struct KVMDeviceAccessTests {
    final class Node {
        let directory: String
        let path: String
        init(mode: mode_t, gid: gid_t) throws {
            directory = NSTemporaryDirectory() + "/vmfile-kvm-\(UInt32.random(in: 0...UInt32.max))"
            path = directory + "/kvm"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            #expect(mknod(path, S_IFCHR | 0o600, dev_t((10 << 8) | 232)) == 0, "mknod: \(String(cString: strerror(errno)))")
            #expect(chown(path, 0, gid) == 0 && chmod(path, mode) == 0)
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func status() -> stat {
            var info = stat()
            _ = lstat(path, &info)
            return info
        }
    }

    static var kvmGID: gid_t { getgrnam("kvm")?.pointee.gr_gid ?? 0 }

    @Test func rootGivesTheKVMGroupAccessAsUdevWould() throws {
        let node = try Node(mode: 0o600, gid: 0)
        let finding = KVMDeviceAccess.ensureGroupAccess(device: node.path)
        guard case .granted(let text) = finding else {
            Issue.record("expected granted, got \(finding)")
            return
        }
        #expect(text.contains("root:root 600") && text.contains("re-probes QEMU"), "\(text)")
        let after = node.status()
        #expect(after.st_gid == Self.kvmGID && after.st_mode & 0o7777 == 0o660 && after.st_uid == 0)
    }

    @Test func aNodeTheGroupCanUseIsLeftUntouched() throws {
        let node = try Node(mode: 0o660, gid: Self.kvmGID)
        let before = node.status()
        Thread.sleep(forTimeInterval: 0.01)
        #expect(KVMDeviceAccess.ensureGroupAccess(device: node.path) == .fine)
        // libvirt compares /dev/kvm's ctime: a no-op must not touch it, or the cache is checked again.
        let after = node.status()
        #expect(after.st_ctim.tv_sec == before.st_ctim.tv_sec && after.st_ctim.tv_nsec == before.st_ctim.tv_nsec)
    }

    @Test func withoutRootItSaysWhatToRunAndChangesNothing() throws {
        let node = try Node(mode: 0o600, gid: 0)
        let finding = KVMDeviceAccess.ensureGroupAccess(device: node.path, isRoot: false)
        #expect(finding.message?.contains("chgrp kvm \(node.path) && chmod 0660 \(node.path)") == true, "\(finding)")
        #expect(node.status().st_mode & 0o7777 == 0o600 && node.status().st_gid == 0)
    }

    @Test func noDeviceIsFine() {
        #expect(KVMDeviceAccess.ensureGroupAccess(device: "/nonexistent/kvm") == .fine)
    }
}
