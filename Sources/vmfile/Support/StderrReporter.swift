import Foundation
import Lifecycle
import Provisioner

/// Prints lifecycle phases to stderr as `==> machine: message (1.23 s)`, one line each, and provision
/// output through a `GuestOutputPrinter`.
struct StderrReporter: LifecycleReporter {
    let guestOutput = GuestOutputPrinter()

    func phase(_ machine: String, _ message: String, elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        StandardError.print("==> \(machine): \(message) (\(String(format: "%.2f", seconds)) s)")
    }

    func notice(_ message: String) {
        StandardError.print("==> \(message)")
    }
}

extension StderrReporter {
    func output(_ machine: String, _ stream: GuestStream, _ bytes: Data) {
        guestOutput.deliver(machine, stream, bytes)
    }

    func outputFinished(_ machine: String) {
        guestOutput.finish(machine)
    }
}
