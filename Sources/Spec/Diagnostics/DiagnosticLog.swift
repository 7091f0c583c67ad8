import Yams

/// A 1-based line and column in the Vmfile (or Boxfile) text.
struct SourcePosition: Hashable, Sendable {
    var line: Int
    var column: Int

    static let start = SourcePosition(line: 1, column: 1)

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    init(_ mark: Mark?) {
        self.init(line: mark?.line ?? 1, column: mark?.column ?? 1)
    }
}

extension Node {
    /// Where this node starts (1:1 for nodes without a mark).
    var position: SourcePosition { SourcePosition(mark) }
}

/// Collects diagnostics while the loader walks the YAML tree; shared by every reader of one load.
final class DiagnosticLog {
    let path: String
    /// What kind of file is read, for messages: `Vmfile` or `Boxfile`.
    let document: String
    private(set) var diagnostics: [VmfileDiagnostic] = []

    init(path: String, document: String = "Vmfile") {
        self.path = path
        self.document = document
    }

    /// Records an error at `position`.
    func error(_ message: String, at position: SourcePosition, hint: String = "") {
        diagnostics.append(VmfileDiagnostic(
            path: path, line: position.line, column: position.column, message: message, hint: hint))
    }

    /// Records an error at the position of `node`.
    func error(_ message: String, at node: Node, hint: String = "") {
        error(message, at: node.position, hint: hint)
    }

    var isEmpty: Bool { diagnostics.isEmpty }

    /// Diagnostics in file order without repeats (values inherited from `defaults:` are checked once per
    /// machine but reported once).
    func sorted() -> [VmfileDiagnostic] {
        var seen = Set<VmfileDiagnostic>()
        return diagnostics
            .filter { seen.insert($0).inserted }
            .enumerated()
            .sorted { lhs, rhs in
                (lhs.element.line, lhs.element.column, lhs.offset) < (rhs.element.line, rhs.element.column, rhs.offset)
            }
            .map(\.element)
    }
}
