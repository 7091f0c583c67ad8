/// Text with Packer-style placeholders, parsed when the Boxfile is loaded and expanded at build time:
/// `{{ .HTTPIP }}`, `{{ .HTTPPort }}`, `{{ .Name }}`, `{{ user `name` }}` (or `{{ user "name" }}`), and a
/// quoted literal `{{ "{{" }}` for text that would otherwise read as a placeholder.
///
/// Used for boot commands and for the files served over HTTP or put on the CD. Encodes as its source text.
public struct Template: Sendable, Equatable, Codable, CustomStringConvertible {
    /// One piece of a template.
    public enum Part: Sendable, Equatable {
        case literal(String)
        /// `{{ .HTTPIP }}` — the host's address on the build network.
        case httpIP
        /// `{{ .HTTPPort }}` — the port of the build's HTTP server.
        case httpPort
        /// `{{ .Name }}` — `Boxfile.buildName`.
        case name
        /// `{{ user `name` }}` — a `variables:` entry.
        case variable(String)
    }

    /// The pieces in order; adjacent literals are merged.
    public private(set) var parts: [Part]
    /// Offset (in Unicode scalars of the source) where each part starts; not part of equality.
    let offsets: [Int]
    /// The text the template was parsed from.
    public let source: String

    /// Parses `text`.
    /// - Throws: the first syntax problem, with its offset in `text`.
    public init(parsing text: String) throws(TextSyntaxError) {
        let scan = TemplateScanner.scan(text)
        if let first = scan.errors.first { throw first }
        self.init(source: text, parts: scan.parts, offsets: scan.offsets)
    }

    init(source: String, parts: [Part], offsets: [Int]) {
        self.source = source
        self.parts = parts
        self.offsets = offsets
    }

    /// A template of plain text with no placeholders.
    public init(literal text: String) {
        self.init(source: text, parts: text.isEmpty ? [] : [.literal(text)], offsets: text.isEmpty ? [] : [0])
    }

    /// The text with every placeholder replaced; an unknown variable expands to nothing (the loader and
    /// `Boxfile.resolveVariables` make sure every variable has a value).
    public func expand(_ values: TemplateValues) -> String {
        parts.map { part in
            switch part {
            case .literal(let text): text
            case .httpIP: values.httpIP
            case .httpPort: String(values.httpPort)
            case .name: values.name
            case .variable(let name): values.variables[name] ?? ""
            }
        }.joined()
    }

    /// The user variables the template names, in order of first use.
    public var variableNames: [String] {
        var seen = Set<String>()
        return parts.compactMap { part in
            guard case .variable(let name) = part, seen.insert(name).inserted else { return nil }
            return name
        }
    }

    /// Whether it uses `{{ .HTTPIP }}` or `{{ .HTTPPort }}` (which need `http:`).
    public var usesHTTP: Bool { parts.contains { $0 == .httpIP || $0 == .httpPort } }

    public var description: String { source }

    public static func == (lhs: Template, rhs: Template) -> Bool { lhs.parts == rhs.parts }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(source)
    }
}

/// The values placeholders expand to during a build.
public struct TemplateValues: Sendable, Equatable {
    public var httpIP: String
    public var httpPort: Int
    public var name: String
    /// Every variable's value, after `--var` overrides (see `Boxfile.resolveVariables`).
    public var variables: [String: String]

    public init(httpIP: String = "", httpPort: Int = 0, name: String, variables: [String: String] = [:]) {
        self.httpIP = httpIP
        self.httpPort = httpPort
        self.name = name
        self.variables = variables
    }
}

/// A problem in a template or boot command, at an offset (in Unicode scalars) of the text it was read from.
public struct TextSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 0-based offset in Unicode scalars.
    public var offset: Int
    public var message: String
    /// What to do about it; may be empty.
    public var hint: String

    public init(offset: Int, message: String, hint: String = "") {
        self.offset = offset
        self.message = message
        self.hint = hint
    }

    /// `at character N: MESSAGE (HINT)`, 1-based.
    public var description: String {
        "at character \(offset + 1): \(message)" + (hint.isEmpty ? "" : " (\(hint))")
    }
}
