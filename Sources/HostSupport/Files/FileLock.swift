import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a file (`flock`), held until `release()` or deinit.
///
/// The holder writes its PID into the file so a waiter can say who it waits for. The kernel drops
/// the lock when the process dies, so a killed `vmfile` never leaves a stale lock behind.
public final class FileLock: @unchecked Sendable {
    // Sendable: the descriptor is written once in init and closed once under `state`'s lock.
    private let state = NSLock()
    private var descriptor: Int32
    /// The lock file's path.
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        release()
    }

    /// How `acquire` behaves when another process holds the lock.
    public enum WaitPolicy: Sendable {
        /// Fail at once with a `FileLockError` whose code is `.locked`.
        case noWait
        /// Wait, calling `onWait` once with the holder's PID (if known) before blocking.
        case wait(onWait: @Sendable (_ holderPID: Int32?) -> Void)
    }

    /// Takes the lock at `path`, creating the file (and its directory) if needed.
    public static func acquire(at path: String, policy: WaitPolicy, purpose: String) throws(FileLockError) -> FileLock {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FileLockError(.io, "cannot create the lock directory \(directory): \(error.localizedDescription)", cause: error)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileLockError(.io, "cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw FileLockError(.io, "cannot lock \(path): \(reason)")
            }
            let holder = readPID(fd)
            switch policy {
            case .noWait:
                close(fd)
                let who = holder.map { "process \($0)" } ?? "another vmfile process"
                throw FileLockError(.locked, "\(purpose) is locked by \(who) (\(path))",
                               hint: "wait for it to finish, or run without --no-wait to queue behind it")
            case .wait(let onWait):
                onWait(holder)
                while flock(fd, LOCK_EX) != 0 {
                    guard errno == EINTR else {
                        let reason = String(cString: strerror(errno))
                        close(fd)
                        throw FileLockError(.io, "cannot lock \(path): \(reason)")
                    }
                }
            }
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return FileLock(descriptor: fd, path: path)
    }

    /// Releases the lock; later calls do nothing.
    public func release() {
        state.lock()
        defer { state.unlock() }
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        // Unlock explicitly: a child forked meanwhile (qemu-img, tar) shares the open file
        // description until it execs, and would keep the lock alive past close().
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self)
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
