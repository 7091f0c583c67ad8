import Foundation
import Lifecycle

/// Prints lifecycle phases to stderr as `==> machine: message (1.23 s)`, one line each.
struct StderrReporter: LifecycleReporter {
    func phase(_ machine: String, _ message: String, elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        StandardError.print("==> \(machine): \(message) (\(String(format: "%.2f", seconds)) s)")
    }

    func notice(_ message: String) {
        StandardError.print("==> \(message)")
    }
}
