import Yams

extension Node {
    /// Where the character at `offset` (Unicode scalars into the value) stands in the file: exact for a
    /// one-line plain or quoted scalar without escapes; the value's start for block and multi-line scalars.
    func position(ofOffset offset: Int) -> SourcePosition {
        guard case .scalar(let scalar) = self, !scalar.string.contains("\n") else { return position }
        let start = position
        switch scalar.style {
        case .plain: return SourcePosition(line: start.line, column: start.column + offset)
        case .singleQuoted, .doubleQuoted: return SourcePosition(line: start.line, column: start.column + 1 + offset)
        default: return start
        }
    }
}

extension DiagnosticLog {
    /// Records `error`, found in the text of `node`, at its place in the file; `key` names the value.
    func error(_ error: TextSyntaxError, in node: Node, key: String) {
        self.error("`\(key)`: \(error.message)", at: node.position(ofOffset: error.offset), hint: error.hint)
    }
}
