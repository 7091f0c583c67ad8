import Dispatch
import Foundation

/// Runs a cleanup when the build is interrupted (SIGINT from Ctrl-C, SIGTERM), then exits with 128 + the
/// signal, so an interrupted build leaves nothing behind either. While it is alive the signals' default
/// action (immediate death) is off; `finish()` puts it back.
///
/// Once a signal has arrived the handler owns the rest of the process: its cleanup pulls the domain, volumes
/// and network from under the build, so the build thread's next libvirt call fails ("domain not found").
/// That failure is a consequence of the interrupt, not a result: the build thread calls `finish()` on its
/// way out, which parks it until the handler exits, so neither its error nor its exit code wins the race.
final class InterruptCleanup: @unchecked Sendable {
    private enum Stage { case armed, interrupted, finished }

    private var sources: [any DispatchSourceSignal] = []
    private let signals: [Int32] = [SIGINT, SIGTERM]
    private let lock = NSLock()
    private var stage = Stage.armed

    init(_ cleanup: @escaping @Sendable (Int32) -> Void) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            // Held strongly: `finish()`, which every build calls, cancels the sources and so breaks the cycle.
            source.setEventHandler {
                // A build already on its way out cleans up after itself and exits with its own result.
                guard self.advance(from: .armed, to: .interrupted) else { return }
                cleanup(number)
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Called by the build thread when the build ends, however it ends. After an interrupt this never
    /// returns (the handler exits the process); otherwise later signals get their default action back.
    func finish() {
        if !advance(from: .armed, to: .finished) {
            lock.lock()
            let interrupted = stage == .interrupted
            lock.unlock()
            if interrupted {
                DispatchSemaphore(value: 0).wait()
            }
        }
        restoreDefaults()
    }

    private func advance(from: Stage, to: Stage) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard stage == from else { return false }
        stage = to
        return true
    }

    private func restoreDefaults() {
        for source in sources { source.cancel() }
        sources = []
        for number in signals { signal(number, SIG_DFL) }
    }

}
