import Foundation
import Lifecycle
import Provisioner

/// Writes provision output as it arrives: guest stdout to stdout, guest stderr to stderr. With one machine
/// the bytes pass through untouched; with several, each line is prefixed `name | ` and written whole, so
/// machines interleave by line.
final class GuestOutputPrinter: @unchecked Sendable {
    // Sendable: every access to the mutable state goes through `lock`.
    private let lock = NSLock()
    private var prefixed = false
    private var prefixers: [String: LinePrefixer] = [:]

    /// Prefix lines with the machine name (several machines run at once).
    func prefixLines(_ on: Bool) {
        lock.withLock { prefixed = on }
    }

    func deliver(_ machine: String, _ stream: GuestStream, _ bytes: Data) {
        lock.withLock {
            guard prefixed else { return Self.writeAll(bytes, to: stream) }
            let key = Self.key(machine, stream)
            var prefixer = prefixers[key] ?? LinePrefixer(prefix: "\(machine) | ")
            let lines = prefixer.feed(bytes)
            prefixers[key] = prefixer
            Self.writeAll(lines, to: stream)
        }
    }

    func finish(_ machine: String) {
        lock.withLock {
            for stream in [GuestStream.stdout, .stderr] {
                let key = Self.key(machine, stream)
                guard var prefixer = prefixers.removeValue(forKey: key) else { continue }
                Self.writeAll(prefixer.finish(), to: stream)
            }
        }
    }

    private static func key(_ machine: String, _ stream: GuestStream) -> String {
        "\(stream == .stdout ? 1 : 2):\(machine)"
    }

    /// Writes all of `bytes` (retrying short writes and EINTR); a closed pipe drops the rest.
    private static func writeAll(_ bytes: Data, to stream: GuestStream) {
        let fd: Int32 = stream == .stdout ? 1 : 2
        bytes.withUnsafeBytes { buffer in
            guard var pointer = buffer.baseAddress else { return }
            var left = buffer.count
            while left > 0 {
                let written = write(fd, pointer, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                pointer += written
                left -= written
            }
        }
    }
}
