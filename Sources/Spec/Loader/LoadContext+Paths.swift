import Yams

extension LoadContext {
    /// What a path value must name on disk.
    enum PathKind {
        case file, directory, either
    }

    /// `text` made absolute when something of `kind` exists there; else nil after logging
    /// "`what` `text` does not exist" (or is of the wrong kind) at `node`.
    func existingPath(_ text: String, at node: Node, what: String, kind: PathKind = .file) -> String? {
        let absolute = absolutePath(text)
        let status = fileExists(absolute)
        let relative = "paths are relative to the \(log.document)'s directory"
        guard status.exists else {
            log.error("\(what) `\(text)` does not exist", at: node, hint: "looked for \(absolute); \(relative)")
            return nil
        }
        switch (kind, status.isDirectory) {
        case (.file, true):
            log.error("\(what) `\(text)` is a directory", at: node, hint: "name a file; \(relative)")
            return nil
        case (.directory, false):
            log.error("\(what) `\(text)` is not a directory", at: node, hint: "name a directory; \(relative)")
            return nil
        default:
            return absolute
        }
    }
}
