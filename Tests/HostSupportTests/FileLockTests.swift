import Foundation
import HostSupport
import Testing

@Suite("FileLock")
struct FileLockTests {
    private func scratchPath() -> String {
        NSTemporaryDirectory() + "vmfile-lock-test-\(UUID().uuidString)/sub/lock"
    }

    @Test("a second holder with noWait gets a FileLockError naming the holder's PID")
    func noWaitNamesHolder() throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        // flock locks belong to the open file description, so a second open in this process conflicts too.
        let first = try FileLock.acquire(at: path, policy: .noWait, purpose: "the test")
        defer { first.release() }
        #expect {
            _ = try FileLock.acquire(at: path, policy: .noWait, purpose: "the test")
        } throws: { error in
            guard let lock = error as? FileLockError else { return false }
            return lock.code == .locked && lock.message.contains("process \(getpid())") && lock.hint != nil
        }
    }

    @Test("after release the lock can be taken again")
    func releaseFrees() throws {
        let path = scratchPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try FileLock.acquire(at: path, policy: .noWait, purpose: "the test").release()
        let again = try FileLock.acquire(at: path, policy: .noWait, purpose: "the test")
        again.release()
    }
}
