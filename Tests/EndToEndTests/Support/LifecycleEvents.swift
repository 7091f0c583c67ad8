import Foundation

/// libvirt's lifecycle events of one domain as they happen (`virsh event --loop`, line-buffered), for
/// tests that must act inside a short window, such as the 0.3 s a snapshot's memory takes to load.
/// Spawning a `virsh domstate` per sample can take longer than that window on a loaded host; an event
/// arrives within milliseconds of the change.
final class LifecycleEvents: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var text = ""

    /// Starts listening to `domain`'s lifecycle events on `qemu:///system`; returns once virsh is
    /// subscribed (it is then given 0.5 s: virsh prints nothing when it has registered).
    init(domain: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/stdbuf")
        process.arguments = ["-oL", "/usr/bin/virsh", "-q", "-c", "qemu:///system",
                             "event", "--domain", domain, "--event", "lifecycle", "--loop"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
    }

    deinit { stop() }

    /// Blocks until an event line containing `fragment` arrives (true) or `seconds` pass or `stillWaiting`
    /// turns false (false). `action` runs the moment the line is read, before this returns.
    func wait(for fragment: String, seconds: Double, while stillWaiting: () -> Bool, then action: () -> Void) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        let handle = output.fileHandleForReading
        let fd = handle.fileDescriptor
        while Date() < deadline, stillWaiting() {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let chunk = handle.availableData
            guard !chunk.isEmpty else { return false }
            let arrived = lock.withLock {
                text += String(decoding: chunk, as: UTF8.self)
                return text.contains(fragment)
            }
            if arrived {
                action()
                return true
            }
        }
        return false
    }

    /// Every event line read so far (for failure messages).
    var received: String { lock.withLock { text } }

    /// Ends the listener. SIGKILL, not `terminate()`: virsh inherits the test thread's signal mask, in
    /// which SIGTERM can be blocked, and then a SIGTERM'd listener never exits.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
