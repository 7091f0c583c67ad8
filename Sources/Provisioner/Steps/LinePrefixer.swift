import Foundation

/// Turns one output stream into whole lines that start with a prefix (`web | `), so the output of
/// machines provisioning in parallel interleaves by line, never inside one.
///
/// Holds at most one partial line, cut at `maxPending` bytes (the cut piece becomes a line of its own),
/// so memory stays flat for any output.
public struct LinePrefixer: Sendable {
    private let prefix: Data
    private let maxPending: Int
    private var pending = Data()

    public init(prefix: String, maxPending: Int = 64 * 1024) {
        self.prefix = Data(prefix.utf8)
        self.maxPending = maxPending
    }

    /// The complete lines `chunk` finishes, each with the prefix and its newline; empty when none.
    public mutating func feed(_ chunk: Data) -> Data {
        var out = Data()
        var rest = chunk[...]
        while let newline = rest.firstIndex(of: 0x0a) {
            out.append(prefix)
            out.append(pending)
            out.append(contentsOf: rest[rest.startIndex...newline])
            pending.removeAll(keepingCapacity: true)
            rest = rest[(newline + 1)...]
        }
        pending.append(contentsOf: rest)
        while pending.count >= maxPending {
            out.append(prefix)
            out.append(pending.prefix(maxPending))
            out.append(0x0a)
            pending = Data(pending.dropFirst(maxPending))
        }
        return out
    }

    /// The unfinished last line with the prefix and a newline added; empty when there is none.
    public mutating func finish() -> Data {
        guard !pending.isEmpty else { return Data() }
        var out = prefix
        out.append(pending)
        out.append(0x0a)
        pending.removeAll()
        return out
    }
}
