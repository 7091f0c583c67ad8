import Foundation
import HostSupport

/// How far a download got: bytes so far (including a resumed part), the total when the server
/// said, and the recent rate.
public struct DownloadProgress: Sendable, Equatable {
    /// What is downloaded.
    public var url: String
    /// Bytes in the partial file so far.
    public var received: UInt64
    /// The whole size, when the server said.
    public var total: UInt64?
    /// Recent rate.
    public var bytesPerSecond: Double
    /// True for the last report of a download.
    public var finished: Bool

    public init(url: String, received: UInt64, total: UInt64?, bytesPerSecond: Double, finished: Bool) {
        self.url = url
        self.received = received
        self.total = total
        self.bytesPerSecond = bytesPerSecond
        self.finished = finished
    }

    /// Seconds left at the current rate, when known.
    public var secondsLeft: Double? {
        guard let total, bytesPerSecond > 0, total >= received else { return nil }
        return Double(total - received) / bytesPerSecond
    }
}

/// Turns progress reports into text: a redrawn bar (`\r`) for a terminal, or one plain line
/// every few seconds otherwise.
public final class ProgressRenderer: @unchecked Sendable {
    // Unchecked: state is guarded by `lock`.
    private let lock = NSLock()
    private let terminal: Bool
    private let interval: TimeInterval
    private let write: @Sendable (String) -> Void
    private var lastLine = Date.distantPast

    /// - Parameters:
    ///   - terminal: redraw one line with a bar; else print a plain line every `interval` seconds.
    ///   - write: receives text; on a terminal it includes `\r` and ends the last report with `\n`.
    public init(terminal: Bool, interval: TimeInterval = 5, write: @escaping @Sendable (String) -> Void) {
        self.terminal = terminal
        self.interval = terminal ? 0.1 : interval
        self.write = write
    }

    /// Feeds one report; prints when due.
    public func report(_ progress: DownloadProgress) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard progress.finished || now.timeIntervalSince(lastLine) >= interval else { return }
        lastLine = now
        let line = Self.line(progress, barWidth: terminal ? 24 : 0)
        write(terminal ? "\r\u{1B}[K" + line + (progress.finished ? "\n" : "") : line + "\n")
    }

    /// `[#####-----]  42% 420.0 MiB / 1.0 GiB  35.2 MiB/s  ETA 0:17`.
    public static func line(_ progress: DownloadProgress, barWidth: Int) -> String {
        var parts: [String] = []
        if let total = progress.total, total > 0 {
            let fraction = min(1, Double(progress.received) / Double(total))
            if barWidth > 0 {
                let filled = Int(fraction * Double(barWidth))
                parts.append("[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]")
            }
            parts.append(String(format: "%3d%%", Int(fraction * 100)))
            parts.append("\(ByteCount.text(progress.received)) / \(ByteCount.text(total))")
        } else {
            parts.append(ByteCount.text(progress.received))
        }
        parts.append("\(ByteCount.text(UInt64(max(0, progress.bytesPerSecond))))/s")
        if progress.finished {
            parts.append("done")
        } else if let left = progress.secondsLeft {
            let seconds = Int(left.rounded())
            parts.append(String(format: "ETA %d:%02d", seconds / 60, seconds % 60))
        }
        return "download " + parts.joined(separator: "  ")
    }
}
