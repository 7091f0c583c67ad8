/// Splits template text into parts, collecting every syntax problem (see `Template`).
enum TemplateScanner {
    struct Scan {
        var parts: [Template.Part] = []
        var offsets: [Int] = []
        var errors: [TextSyntaxError] = []
    }

    static let fields: [String: Template.Part] = [".HTTPIP": .httpIP, ".HTTPPort": .httpPort, ".Name": .name]
    static let usage = "use {{ .HTTPIP }}, {{ .HTTPPort }}, {{ .Name }} or {{ user `name` }}"

    /// The parts of `text`; offsets (in parts and errors) are counted from `base`.
    static func scan(_ text: String, base: Int = 0) -> Scan {
        let scalars = Array(text.unicodeScalars)
        var result = Scan()
        var literal = String.UnicodeScalarView()
        var literalStart = 0
        func flush() {
            guard !literal.isEmpty else { return }
            append(.literal(String(literal)), at: base + literalStart, to: &result)
            literal = String.UnicodeScalarView()
        }
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "{", index + 1 < scalars.count, scalars[index + 1] == "{" else {
                if literal.isEmpty { literalStart = index }
                literal.append(scalars[index])
                index += 1
                continue
            }
            guard let close = closing(in: scalars, from: index + 2) else {
                result.errors.append(TextSyntaxError(
                    offset: base + index, message: "`{{` is not closed with `}}`",
                    hint: "close the placeholder, or write {{ \"{{\" }} for the text `{{`"))
                break
            }
            let inner = String(String.UnicodeScalarView(scalars[(index + 2)..<close])).trimmingWhitespace()
            switch action(inner) {
            case .success(.literal(let text)):
                if literal.isEmpty { literalStart = index }
                literal.append(contentsOf: text.unicodeScalars)
            case .success(let part):
                flush()
                append(part, at: base + index, to: &result)
            case .failure(let problem):
                result.errors.append(TextSyntaxError(offset: base + index, message: problem.message, hint: problem.hint))
            }
            index = close + 2
        }
        flush()
        return result
    }

    private static func append(_ part: Template.Part, at offset: Int, to result: inout Scan) {
        if case .literal(let text) = part, case .literal(let previous)? = result.parts.last {
            result.parts[result.parts.count - 1] = .literal(previous + text)
            return
        }
        result.parts.append(part)
        result.offsets.append(offset)
    }

    /// Index of the `}}` closing a placeholder whose text starts at `start` (quotes may hold `}}`).
    static func closing(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var quote: Unicode.Scalar?
        var index = start
        while index < scalars.count {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == "\\" && open == "\"" { index += 1 } else if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "`" {
                quote = scalar
            } else if scalar == "}", index + 1 < scalars.count, scalars[index + 1] == "}" {
                return index
            }
            index += 1
        }
        return nil
    }

    struct Problem: Error {
        var message: String
        var hint: String
    }

    /// What the text between `{{` and `}}` means.
    private static func action(_ inner: String) -> Swift.Result<Template.Part, Problem> {
        if inner.isEmpty { return .failure(Problem(message: "empty placeholder `{{ }}`", hint: usage)) }
        if inner.hasPrefix(".") {
            if let part = fields[inner] { return .success(part) }
            let hint = Suggestions.closest(to: inner, in: fields.keys.sorted()).map { "did you mean {{ \($0) }}?" } ?? usage
            return .failure(Problem(message: "unknown template field `\(inner)`", hint: hint))
        }
        if inner.first == "\"" || inner.first == "`" {
            guard let text = quoted(inner) else {
                return .failure(Problem(message: "`\(inner)` is not a quoted string", hint: "write {{ \"text\" }}"))
            }
            return .success(.literal(text))
        }
        let word = String(inner.prefix { !$0.isWhitespace })
        guard word == "user" else {
            let close = Suggestions.closest(to: word, in: ["user"]) != nil
            return .failure(Problem(message: "`\(word)` is not available in a Boxfile template",
                                    hint: close ? "did you mean {{ user `name` }}?" : usage))
        }
        let argument = String(inner.dropFirst(word.count)).trimmingWhitespace()
        guard let name = quoted(argument), !name.isEmpty else {
            return .failure(Problem(message: "`user` needs a variable name in backquotes", hint: "write {{ user `name` }}"))
        }
        return .success(.variable(name))
    }

    /// The content of a whole `"…"` (with `\"` and `\\` escapes) or `` `…` `` string, or nil.
    private static func quoted(_ text: String) -> String? {
        guard let quote = text.first, quote == "\"" || quote == "`", text.count >= 2, text.last == quote else { return nil }
        let body = text.dropFirst().dropLast()
        if quote == "`" { return body.contains("`") ? nil : String(body) }
        var result = ""
        var escaped = false
        for character in body {
            if escaped { result.append(character); escaped = false } else if character == "\\" { escaped = true }
            else if character == "\"" { return nil } else { result.append(character) }
        }
        return escaped ? nil : result
    }
}
