import Yams

/// Checks what a template names against the Boxfile: declared `variables:`, and `http:` for
/// `{{ .HTTPIP }}` / `{{ .HTTPPort }}`.
struct TemplateRules {
    let log: DiagnosticLog
    let variables: [String]
    let hasHTTP: Bool

    /// `text` (the value of `node`) as a template, or nil after logging each problem at its place.
    func template(_ text: String, in node: Node, key: String) -> Template? {
        let scan = TemplateScanner.scan(text)
        for error in scan.errors { log.error(error, in: node, key: key) }
        guard scan.errors.isEmpty else { return nil }
        let template = Template(source: text, parts: scan.parts, offsets: scan.offsets)
        return check(template, in: node, key: key) ? template : nil
    }

    /// Whether every placeholder of `template` has a value to expand to; logs each one that does not.
    @discardableResult
    func check(_ template: Template, in node: Node, key: String) -> Bool {
        var valid = true
        for (part, offset) in zip(template.parts, template.offsets) {
            let position = node.position(ofOffset: offset)
            switch part {
            case .variable(let name) where !variables.contains(name):
                valid = false
                log.error("`\(key)` uses variable `\(name)`, which is not declared", at: position,
                          hint: variables.isEmpty ? "declare it: `variables: {\(name): default}`"
                              : Suggestions.hint(for: name, in: variables, listing: "declared variables"))
            case .httpIP where !hasHTTP, .httpPort where !hasHTTP:
                valid = false
                let field = part == .httpIP ? ".HTTPIP" : ".HTTPPort"
                log.error("`\(key)` uses {{ \(field) }}, but the Boxfile has no `http:`", at: position,
                          hint: "add `http: {directory: http}` or `http: {content: {path: text}}` to serve files")
            default:
                continue
            }
        }
        return valid
    }
}
