import Yams

/// Turns Vmfile or Boxfile text into a Yams node tree, converting libyaml errors into located diagnostics.
/// Composes with `Resolver.basic`; `ScalarKind` gives plain scalars their meaning.
///
/// Yams stops at the first duplicated mapping key. To still report every other problem, the composer
/// finds the repeated key in the text, reports it, masks it with a same-width marker (so every other
/// line and column stays where it was) and composes again; readers skip masked keys.
enum YAMLComposer {
    /// Masks are single private-use scalars (plane 15), one per repeat so masked keys never collide.
    private static let maskBase: UInt32 = 0xF0000

    /// The root node, or nil after recording why there is none.
    static func compose(_ text: String, log: DiagnosticLog) -> Node? {
        let split = splitLines(text)
        var lines = split.lines
        var current = text
        for attempt in 0..<500 {
            do {
                guard let root = try Yams.compose(yaml: current, .basic) else {
                    log.error("the \(log.document) is empty", at: .start,
                              hint: log.document == "Vmfile" ? "run `vmfile init` to write a starter Vmfile"
                                  : "write the \(log.document) as YAML, starting with `version: 1`")
                    return nil
                }
                return root
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                guard let key = duplicates.first,
                      let repeat_ = findRepeat(of: key, after: context.mark, in: lines)
                else {
                    log.error("duplicate key `\(duplicates.first ?? "?")` in a mapping", at: SourcePosition(context.mark),
                              hint: "each key may appear once per mapping; remove or rename the repeated one")
                    return nil
                }
                log.error("duplicate key `\(key)`", at: SourcePosition(line: repeat_.line + 1, column: repeat_.column + 1),
                          hint: "`\(key)` is already set at line \(context.mark.line); remove one of them")
                lines[repeat_.line][repeat_.column] = Unicode.Scalar(maskBase + UInt32(attempt)) ?? "?"
                current = join(lines, split.breaks)
            } catch let error as YamlError {
                record(error, text: current, log: log)
                return nil
            } catch {
                log.error("cannot read YAML: \(error)", at: .start)
                return nil
            }
        }
        log.error("too many duplicate keys", at: .start, hint: "each key may appear once per mapping")
        return nil
    }

    /// Whether a mapping key was masked as a reported duplicate.
    static func isMasked(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first?.value else { return false }
        return (maskBase..<maskBase + 500).contains(first)
    }

    /// 0-based position of the next occurrence of `key` used as a mapping key after the first one at `mark`:
    /// at the same column on a later line (block style), or after `{` or `,` (flow style).
    private static func findRepeat(of key: String, after mark: Mark, in lines: [[Unicode.Scalar]])
        -> (line: Int, column: Int)? {
        let spellings = [key, "\"\(key)\"", "'\(key)'"].map { Array($0.unicodeScalars) }
        let firstLine = mark.line - 1
        let firstColumn = mark.column - 1
        guard firstLine >= 0, firstLine < lines.count else { return nil }
        for lineIndex in firstLine..<lines.count {
            let line = lines[lineIndex]
            var column = lineIndex == firstLine ? firstColumn + 1 : 0
            while column < line.count {
                defer { column += 1 }
                let isBlockKey = lineIndex > firstLine && column == firstColumn
                    && line[..<column].allSatisfy { $0 == " " || $0 == "-" }
                let previous = line[..<column].last { $0 != " " && $0 != "\t" }
                let isFlowKey = previous == "{" || previous == ","
                guard isBlockKey || isFlowKey else { continue }
                for spelling in spellings where line.count >= column + spelling.count
                    && Array(line[column..<column + spelling.count]) == spelling {
                    let rest = line[(column + spelling.count)...].drop { $0 == " " || $0 == "\t" }
                    if rest.first == ":" { return (lineIndex, column) }
                }
            }
        }
        return nil
    }

    /// Lines split where libyaml counts line breaks (`\r\n`, `\r`, `\n`, NEL, LS, PS), so marks index them;
    /// `breaks[i]` is the terminator after `lines[i]`.
    static func splitLines(_ text: String) -> (lines: [[Unicode.Scalar]], breaks: [[Unicode.Scalar]]) {
        var lines: [[Unicode.Scalar]] = []
        var breaks: [[Unicode.Scalar]] = []
        var line: [Unicode.Scalar] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\r" where index + 1 < scalars.count && scalars[index + 1] == "\n":
                lines.append(line); breaks.append(["\r", "\n"]); line = []; index += 1
            case "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}":
                lines.append(line); breaks.append([scalar]); line = []
            default:
                line.append(scalar)
            }
            index += 1
        }
        lines.append(line)
        breaks.append([])
        return (lines, breaks)
    }

    private static func join(_ lines: [[Unicode.Scalar]], _ breaks: [[Unicode.Scalar]]) -> String {
        var view = String.UnicodeScalarView()
        for (line, lineBreak) in zip(lines, breaks) {
            view.append(contentsOf: line)
            view.append(contentsOf: lineBreak)
        }
        return String(view)
    }

    private static func record(_ error: YamlError, text: String, log: DiagnosticLog) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var hint = "check indentation (spaces only, no tabs) and quoting"
            if let context { hint = "\(context.text) at line \(context.mark.line), column \(context.mark.column); " + hint }
            log.error("YAML syntax error: \(problem)", at: SourcePosition(mark), hint: hint)
        case let .reader(problem, offset, _, _):
            log.error("cannot read the \(log.document): \(problem)", at: offset.map { position(ofCharacterOffset: $0, in: text) } ?? .start,
                      hint: "save the file as UTF-8 text")
        default:
            log.error("cannot read YAML: \(error)", at: .start)
        }
    }

    private static func position(ofCharacterOffset offset: Int, in text: String) -> SourcePosition {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return SourcePosition(line: line, column: column)
    }
}
