/// `<waitFor "regex">` and `<waitFor "regex" 120s>`: the pattern in double quotes (`\"` for a quote, other
/// backslashes kept for the regex), then an optional timeout (a Go duration or whole seconds).
enum WaitForToken {
    static let usage = "write <waitFor \"login:\"> or <waitFor \"login:\" 120s>"

    /// Reads the token starting with `<` at `start` whose name ends at `nameEnd`; returns the index after it.
    static func read(_ scalars: [Unicode.Scalar], at start: Int, after nameEnd: Int,
                     into parsed: inout BootCommandParser.Parsed) -> Int {
        func fail(_ offset: Int, _ message: String, _ hint: String = usage) -> Int {
            parsed.errors.append(TextSyntaxError(offset: offset, message: message, hint: hint))
            return (scalars[offset...].firstIndex(of: ">") ?? scalars.count - 1) + 1
        }
        var index = skipSpaces(scalars, from: nameEnd)
        guard index < scalars.count, scalars[index] == "\"" else {
            return fail(start, "`<waitFor>` needs a pattern in double quotes")
        }
        let patternStart = index
        var pattern = String.UnicodeScalarView()
        index += 1
        while index < scalars.count, scalars[index] != "\"" {
            if scalars[index] == "\\", index + 1 < scalars.count, scalars[index + 1] == "\"" { index += 1 }
            pattern.append(scalars[index])
            index += 1
        }
        guard index < scalars.count else {
            parsed.errors.append(TextSyntaxError(offset: patternStart, message: "the `<waitFor>` pattern is not closed with `\"`",
                                                 hint: usage))
            return scalars.count
        }
        index = skipSpaces(scalars, from: index + 1)
        var timeout = BootStep.defaultWaitForTimeout
        if index < scalars.count, scalars[index] != ">" {
            let timeoutStart = index
            while index < scalars.count, scalars[index] != ">", scalars[index] != " " { index += 1 }
            let text = String(String.UnicodeScalarView(scalars[timeoutStart..<index]))
            guard let duration = text.allSatisfy(\.isASCIIDigit) ? Int64(text).map(Duration.seconds) : GoDuration.parse(text) else {
                return fail(timeoutStart, "`\(text)` is not a timeout",
                            "write a duration such as 120s or 5m (units \(GoDuration.unitList)), or whole seconds")
            }
            timeout = duration
            index = skipSpaces(scalars, from: index)
        }
        guard index < scalars.count, scalars[index] == ">" else {
            parsed.errors.append(TextSyntaxError(offset: start, message: "`<waitFor` is not closed with `>`", hint: usage))
            return scalars.count
        }
        let text = String(pattern)
        if text.isEmpty {
            parsed.errors.append(TextSyntaxError(offset: patternStart, message: "the `<waitFor>` pattern is empty",
                                                 hint: "give the text to wait for, e.g. \"login:\""))
        } else if let problem = regexProblem(text) {
            parsed.errors.append(TextSyntaxError(offset: patternStart, message: "`\(text)` is not a valid regular expression: \(problem)",
                                                 hint: "escape characters such as ( [ . * with a backslash to match them as text"))
        } else {
            parsed.steps.append(.waitFor(pattern: text, timeout: timeout))
        }
        return index + 1
    }

    /// Why `pattern` does not compile as a Swift `Regex`, or nil when it does.
    static func regexProblem(_ pattern: String) -> String? {
        do {
            _ = try Regex(pattern)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private static func skipSpaces(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index < scalars.count, scalars[index] == " " { index += 1 }
        return index
    }
}
