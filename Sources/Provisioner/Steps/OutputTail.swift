import Foundation

/// The last few lines of a command's output, for error messages. Memory stays bounded for any output
/// size: at most `maxLines` lines of at most `maxLineBytes` bytes each, plus one partial line.
public struct OutputTail: Sendable {
    public let maxLines: Int
    public let maxLineBytes: Int
    private var lines: [Data] = []
    private var partial = Data()

    public init(maxLines: Int = 10, maxLineBytes: Int = 400) {
        self.maxLines = maxLines
        self.maxLineBytes = maxLineBytes
    }

    public mutating func append(_ chunk: Data) {
        var rest = chunk[...]
        while let newline = rest.firstIndex(of: 0x0a) {
            addToPartial(rest[rest.startIndex..<newline])
            push(partial)
            partial = Data()
            rest = rest[(newline + 1)...]
        }
        addToPartial(rest)
    }

    /// The kept lines, oldest first, decoded as UTF-8 (invalid bytes replaced), the partial line last.
    public var text: [String] {
        var all = lines
        if !partial.isEmpty { all.append(partial) }
        return all.suffix(maxLines).map { String(decoding: $0, as: UTF8.self) }
    }

    private mutating func addToPartial(_ bytes: Data.SubSequence) {
        let room = maxLineBytes - partial.count
        if room > 0 { partial.append(contentsOf: bytes.prefix(room)) }
    }

    private mutating func push(_ line: Data) {
        lines.append(line)
        if lines.count > maxLines { lines.removeFirst(lines.count - maxLines) }
    }
}
