/// Reads one boot command string in Packer's key syntax into `BootStep`s, collecting every problem.
///
/// `<name>` (letters, digits, `.`) is a key, a modifier `<leftCtrlOn>`/`<leftCtrlOff>`, or a wait; an
/// unknown name is an error, never typed silently (Packer types an unknown `<entr>` as text: here it is
/// a load error with a suggestion). A `<` that does not start such a token (`a < b`, `<<EOF`) is typed as
/// text; `{{ "<x>" }}` types a text that looks like a key. Placeholders `{{ … }}` are parsed as `Template`s.
/// Text may hold printable US-ASCII, newline (typed as Enter) and tab.
enum BootCommandParser {
    struct Parsed {
        var steps: [BootStep] = []
        var errors: [TextSyntaxError] = []
    }

    /// Every name that can stand between `<` and `>`, for suggestions.
    static let tokenNames: [String] = BootKey.allCases.flatMap { key in
        key.isModifier ? [key.rawValue, key.rawValue + "On", key.rawValue + "Off"] : [key.rawValue]
    } + ["return", "wait", "wait5", "wait10", "waitFor"]

    static func parse(_ text: String) -> Parsed {
        let scalars = Array(text.unicodeScalars)
        var parsed = Parsed()
        var textStart = 0
        var index = 0
        func flushText(upTo end: Int) {
            guard textStart < end else { return }
            let piece = String(String.UnicodeScalarView(scalars[textStart..<end]))
            let scan = TemplateScanner.scan(piece, base: textStart)
            parsed.errors += scan.errors
            for (part, offset) in zip(scan.parts, scan.offsets) {
                guard case .literal(let literal) = part else { continue }
                for (position, scalar) in literal.unicodeScalars.enumerated() where !isTypeable(scalar) {
                    parsed.errors.append(TextSyntaxError(
                        offset: offset + position, message: "\(describe(scalar)) cannot be typed",
                        hint: "boot commands type US-ASCII characters as on a US keyboard; use a key name such as <enter> for other keys"))
                }
            }
            if scan.errors.isEmpty, !scan.parts.isEmpty {
                parsed.steps.append(.text(Template(source: piece, parts: scan.parts, offsets: scan.offsets)))
            }
        }
        while index < scalars.count {
            if scalars[index] == "{", index + 1 < scalars.count, scalars[index + 1] == "{" {
                index = skipPlaceholder(scalars, from: index)
                continue
            }
            guard scalars[index] == "<" else { index += 1; continue }
            let nameEnd = scalars[(index + 1)...].firstIndex { !isNameScalar($0) } ?? scalars.count
            let name = String(String.UnicodeScalarView(scalars[(index + 1)..<nameEnd]))
            let next = nameEnd < scalars.count ? scalars[nameEnd] : nil
            // Token names start with a letter: `1<2>3` is text.
            guard name.first?.isLetter == true else { index += 1; continue }
            if name.lowercased() == "waitfor", next == " " || next == ">" {
                flushText(upTo: index)
                index = WaitForToken.read(scalars, at: index, after: nameEnd, into: &parsed)
                textStart = index
            } else if next == ">" {
                flushText(upTo: index)
                if let step = step(named: name, at: index, errors: &parsed.errors) { parsed.steps.append(step) }
                index = nameEnd + 1
                textStart = index
            } else if isKnown(name) {
                parsed.errors.append(TextSyntaxError(offset: index, message: "`<\(name)` is not closed with `>`",
                                                     hint: "write `<\(name)>`"))
                index = nameEnd
            } else {
                index += 1
            }
        }
        flushText(upTo: scalars.count)
        return parsed
    }

    /// The step `<name>` stands for, or nil after recording why there is none.
    private static func step(named name: String, at offset: Int, errors: inout [TextSyntaxError]) -> BootStep? {
        if let key = BootKey(named: name) { return .key(key) }
        for (suffix, isPress) in [("on", true), ("off", false)] where name.lowercased().hasSuffix(suffix) {
            if let key = BootKey(named: String(name.dropLast(suffix.count))), key.isModifier {
                return isPress ? .press(key) : .release(key)
            }
        }
        let lowered = name.lowercased()
        if lowered.hasPrefix("wait") {
            let amount = lowered.dropFirst(4)
            if amount.isEmpty { return .wait(.seconds(1)) }
            if amount.allSatisfy(\.isASCIIDigit), let seconds = Int64(amount) { return .wait(.seconds(seconds)) }
            if let duration = GoDuration.parse(String(name.dropFirst(4))) { return .wait(duration) }
            errors.append(TextSyntaxError(offset: offset, message: "`<\(name)>` is not a wait",
                                          hint: "write <wait> (1s), <wait5> (seconds) or a duration such as <wait250ms>, <wait1m30s> (units \(GoDuration.unitList))"))
            return nil
        }
        let hint = Suggestions.closest(to: name, in: tokenNames).map { "did you mean `<\($0)>`?" }
            ?? "keys are " + tokenNames.map { "<\($0)>" }.joined(separator: " ")
        errors.append(TextSyntaxError(offset: offset, message: "unknown key `<\(name)>`",
                                      hint: hint + "; to type it as text, write {{ \"<\(name)>\" }}"))
        return nil
    }

    /// Whether `name` is a token name (so a missing `>` is a typo, not text).
    private static func isKnown(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.hasPrefix("wait") || tokenNames.contains { $0.lowercased() == lowered }
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == ".")
    }

    /// `é` (U+00E9), or `control character U+001B` for what does not print.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return scalar.properties.generalCategory == .control ? "control character \(code)" : "`\(scalar)` (\(code))"
    }

    /// Printable US-ASCII, newline and tab: what a US keyboard types.
    static func isTypeable(_ scalar: Unicode.Scalar) -> Bool {
        (0x20...0x7E).contains(scalar.value) || scalar == "\n" || scalar == "\t"
    }

    /// The index after the `}}` closing the placeholder at `start` (or the end, when it is not closed).
    private static func skipPlaceholder(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        TemplateScanner.closing(in: scalars, from: start + 2).map { $0 + 2 } ?? scalars.count
    }
}
