/// Small helpers to write XML and to read the few values vmfile needs back out of libvirt's
/// normalised XML, without an XML library dependency in the shipping binary.
enum XMLText {
    /// Escapes text for use in element content or a quoted attribute value.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Reverses `escape` and decodes numeric character references.
    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { out += rest[amp...]; return out }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: Unicode.Scalar?
                if entity.hasPrefix("#x") { scalar = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
                else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst(1)).flatMap(Unicode.Scalar.init) }
                if let scalar { out.unicodeScalars.append(scalar) } else { out += rest[amp...semi] }
            }
            rest = rest[rest.index(after: semi)...]
        }
        out += rest
        return out
    }

    /// The start tags named `element` (e.g. `format` or `vmfile:machine`) in `xml`, in order, each as
    /// its attribute dictionary. Enough for libvirt's own well-formed output; not a general parser.
    static func elements(_ element: String, in xml: String) -> [[String: String]] {
        var results: [[String: String]] = []
        var rest = Substring(xml)
        let opener = "<" + element
        while let start = rest.range(of: opener) {
            let afterName = rest[start.upperBound...]
            guard let next = afterName.first, next == " " || next == "/" || next == ">" || next == "\n" || next == "\t" else {
                rest = afterName
                continue
            }
            guard let end = afterName.firstIndex(of: ">") else { break }
            results.append(attributes(afterName[..<end]))
            rest = afterName[end...]
        }
        return results
    }

    /// The attributes in the inside of a start tag (after its name).
    static func attributes(_ tag: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = tag
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].split(whereSeparator: { $0.isWhitespace }).last.map(String.init) ?? ""
            var valueStart = rest.index(after: equals)
            while valueStart < rest.endIndex, rest[valueStart].isWhitespace { valueStart = rest.index(after: valueStart) }
            guard valueStart < rest.endIndex else { break }
            let quote = rest[valueStart]
            guard quote == "\"" || quote == "'" else { break }
            let contentStart = rest.index(after: valueStart)
            guard let close = rest[contentStart...].firstIndex(of: quote) else { break }
            if !name.isEmpty { result[name] = unescape(rest[contentStart..<close]) }
            rest = rest[rest.index(after: close)...]
        }
        return result
    }

    /// The text content of the first `<element>…</element>` in `xml`.
    static func text(of element: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(element)>") ?? xml.range(of: "<\(element) ") else { return nil }
        guard let closeOfOpen = xml[open.lowerBound...].firstIndex(of: ">") else { return nil }
        let contentStart = xml.index(after: closeOfOpen)
        guard let close = xml[contentStart...].range(of: "</\(element)>") else { return nil }
        return unescape(xml[contentStart..<close.lowerBound])
    }

    /// The part of `xml` between `<element` and its matching `</element>` (first occurrence, no
    /// nesting of the same element), for scoping a search (e.g. a volume's `<target>`).
    static func section(_ element: String, in xml: String) -> String? {
        var search = Substring(xml)
        while let open = search.range(of: "<\(element)") {
            let after = search[open.upperBound...]
            if let next = after.first, next == ">" || next == " " || next == "\n" {
                guard let close = after.range(of: "</\(element)>") else { return nil }
                return String(xml[open.lowerBound..<close.upperBound])
            }
            search = after
        }
        return nil
    }
}
