/// One problem found in a Vmfile or a Boxfile, located at the offending value (or key, for unknown keys).
///
/// Rendered as `PATH:LINE:COL: error: MESSAGE` followed by `  hint: HINT`, the format compilers use,
/// so editors and terminals can jump to it.
public struct VmfileDiagnostic: Error, Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    /// Path of the Vmfile (or Boxfile) as given to the loader.
    public var path: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars (as libyaml counts).
    public var column: Int
    /// What is wrong.
    public var message: String
    /// What to do about it; empty when there is nothing useful to add.
    public var hint: String

    /// Lines and columns below 1 are clamped to 1.
    public init(path: String, line: Int, column: Int, message: String, hint: String = "") {
        self.path = path
        self.line = max(1, line)
        self.column = max(1, column)
        self.message = message
        self.hint = hint
    }

    /// `PATH:LINE:COL: error: MESSAGE` plus an indented hint line when there is a hint.
    public var description: String {
        let head = "\(path):\(line):\(column): error: \(message)"
        return hint.isEmpty ? head : head + "\n  hint: \(hint)"
    }
}

/// Every problem found in one Vmfile or Boxfile: loading never stops at the first one.
public struct VmfileErrors: Error, Sendable, CustomStringConvertible {
    /// Diagnostics ordered by line, then column.
    public var diagnostics: [VmfileDiagnostic]

    /// Wraps `diagnostics` as given (the loader passes them sorted).
    public init(diagnostics: [VmfileDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// All diagnostics, one per block, followed by a count line.
    public var description: String {
        let count = diagnostics.count
        let summary = "\(count) error\(count == 1 ? "" : "s") in \(diagnostics.first?.path ?? "Vmfile")"
        return (diagnostics.map(\.description) + [summary]).joined(separator: "\n")
    }
}
