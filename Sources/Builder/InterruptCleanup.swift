import Dispatch
import Foundation

/// Runs a cleanup when the build is interrupted (SIGINT from Ctrl-C, SIGTERM), then exits with 128 + the
/// signal, so an interrupted build leaves nothing behind either. While it is alive the signals' default
/// action (immediate death) is off; `cancel()` puts it back.
final class InterruptCleanup: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let signals: [Int32] = [SIGINT, SIGTERM]

    init(_ cleanup: @escaping @Sendable (Int32) -> Void) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                cleanup(number)
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        sources = []
        for number in signals { signal(number, SIG_DFL) }
    }

    deinit {
        cancel()
    }
}
