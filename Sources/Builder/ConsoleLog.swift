import Foundation

/// The build machine's serial console as libvirt logs it to a file: `<waitFor "regex">` polls it, and
/// errors show its last lines.
public final class ConsoleLog: @unchecked Sendable {
    /// The log file's path.
    public let path: String
    /// Where the next `waitFor` starts matching: just after the previous match, so a second wait for
    /// the same text needs it to appear again.
    private var cursor = 0

    public init(path: String) {
        self.path = path
    }

    /// Everything logged so far (invalid UTF-8 replaced).
    public func text() -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The last `lines` lines, carriage returns and other control characters (but tabs) removed.
    public func tail(_ lines: Int = 20) -> String {
        Self.tail(of: text(), lines: lines)
    }

    /// Pure form of `tail`.
    static func tail(of text: String, lines: Int) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.filter {
            $0 == "\n" || $0 == "\t" || !($0.properties.generalCategory == .control)
        }))
        var all = cleaned.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = all.last, last.trimmingCharacters(in: .whitespaces).isEmpty { all.removeLast() }
        return all.suffix(lines).joined(separator: "\n")
    }

    /// Waits until text after the previous match matches `pattern`, polling every 50 ms; `failure`
    /// (also a regex) ends the wait at once with an error, `stillRunning` false (the domain stopped) too.
    /// - Throws: `BuilderError(.timeout)` with the console tail.
    public func waitFor(_ pattern: String, timeout: Duration, failure: String? = nil,
                        stillRunning: () -> Bool = { true }) throws {
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch {
            throw BuilderError(.invalidBoxfile, "<waitFor \"\(pattern)\">: not a regular expression: \(error)")
        }
        let failureRegex = failure.flatMap { try? Regex($0) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let all = text()
            let start = all.utf8.index(all.startIndex, offsetBy: min(cursor, all.utf8.count))
            let rest = all[start...]
            if let match = rest.firstMatch(of: regex) {
                cursor = all.utf8.distance(from: all.startIndex, to: match.range.upperBound)
                return
            }
            if let failureRegex, let bad = rest.firstMatch(of: failureRegex) {
                let line = rest[bad.range].trimmingCharacters(in: .whitespacesAndNewlines)
                throw BuilderError(.guest, "the console showed \"\(line)\" while waiting for \"\(pattern)\"\n\(Self.quoted(tail()))",
                                   hint: "see the installer's messages above")
            }
            if !stillRunning() {
                throw BuilderError(.guest, "the build machine stopped while waiting for \"\(pattern)\" on its console\n\(Self.quoted(tail()))")
            }
            if clock.now >= deadline {
                throw BuilderError(.timeout, "timed out after \(Self.seconds(timeout)) waiting for \"\(pattern)\" on the console; its last lines:\n\(Self.quoted(tail()))",
                                   hint: "check the boot command and the installer's output; raise the timeout with <waitFor \"\(pattern)\" 600s>")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The console tail indented as `  | line`.
    public static func quoted(_ tail: String) -> String {
        tail.isEmpty ? "  | (the console printed nothing)" : tail.split(separator: "\n", omittingEmptySubsequences: false).map { "  | \($0)" }.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
