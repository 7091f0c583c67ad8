import Yams

/// `iso:`, `http:` and `cd:`: what the build machine boots and reads.
extension BoxfileReader {
    func readISO(_ node: Node) -> ISOSource? {
        guard let map = reader.mapping(node, key: "iso", allowed: ["url", "path", "checksum"]) else { return nil }
        var location: ISOSource.Location?
        switch (map["url"], map["path"]) {
        case (let url?, nil):
            location = reader.nonEmptyString(url, key: "iso.url").flatMap { urlLocation($0, at: url, key: "iso.url") }
        case (nil, let path?):
            location = reader.nonEmptyString(path, key: "iso.path")
                .flatMap { context.existingPath($0, at: path, what: "ISO") }.map(ISOSource.Location.path)
        case (.some, .some):
            log.error("`iso` has both `url` and `path`", at: map.keyNode("path") ?? node,
                      hint: "keep `url:` to download the image or `path:` for a local file, not both")
        case (nil, nil):
            log.error("`iso` has neither `url` nor `path`", at: map.node,
                      hint: "add `url: https://…/installer.iso` or `path: installer.iso`")
        }
        let checksum = map.require("checksum", in: "`iso`", hint: "add `checksum: sha256:<64 hex digits>` or `checksum: file:<SHA256SUMS URL>`; a build never boots an unverified image")
            .flatMap(readChecksum)
        guard let location, let checksum else { return nil }
        return ISOSource(location: location, checksum: checksum)
    }

    private func readChecksum(_ node: Node) -> ISOChecksum? {
        guard let text = reader.nonEmptyString(node, key: "iso.checksum") else { return nil }
        let usage = "write `sha256:<64 hex digits>` or `file:<URL or path of a SHA256SUMS list>`"
        guard let colon = text.firstIndex(of: ":") else {
            let isDigest = text.count == 64 && text.allSatisfy(\.isHexDigit)
            log.error("`iso.checksum` `\(text)` does not say its type", at: node,
                      hint: isDigest ? "write `sha256:\(text)`" : usage)
            return nil
        }
        let kind = text[..<colon].lowercased()
        let value = String(text[text.index(after: colon)...])
        switch kind {
        case "sha256":
            guard value.count == 64, value.allSatisfy(\.isHexDigit) else {
                log.error("`iso.checksum` sha256 must be 64 hex digits, not \(value.count) characters", at: node.position(ofOffset: 7),
                          hint: "copy the digest from the distribution's SHA256SUMS, or write `file:<its URL>`")
                return nil
            }
            return .sha256(value.lowercased())
        case "file":
            if value.contains("://") { return urlLocation(value, at: node, key: "iso.checksum").map(ISOChecksum.list) }
            return context.existingPath(value, at: node, what: "checksum list").map { .list(.path($0)) }
        case "md5", "sha1", "sha224", "sha384", "sha512":
            log.error("`iso.checksum` type `\(kind)` is not supported", at: node, hint: usage)
        default:
            log.error("`iso.checksum` type `\(kind)` is not known", at: node, hint: usage)
        }
        return nil
    }

    private func urlLocation(_ text: String, at node: Node, key: String) -> ISOSource.Location? {
        let scheme = text.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        guard text.contains("://"), ["http", "https", "file"].contains(scheme) else {
            log.error("`\(key)` `\(text)` is not an http, https or file URL", at: node,
                      hint: key == "iso.url" ? "for a local file write `path:` instead of `url:`" : "write a full URL such as https://…/SHA256SUMS, or a path")
            return nil
        }
        return .url(text)
    }

    func readHTTP(_ node: Node, templates: TemplateRules) -> HTTPFiles? {
        guard let map = reader.mapping(node, key: "http", allowed: ["directory", "content"]) else { return nil }
        switch (map["directory"], map["content"]) {
        case (let directory?, nil):
            return reader.nonEmptyString(directory, key: "http.directory")
                .flatMap { context.existingPath($0, at: directory, what: "http directory", kind: .directory) }
                .map(HTTPFiles.directory)
        case (nil, let content?):
            return readContent(content, key: "http.content", templates: templates).map(HTTPFiles.content)
        case (.some, .some):
            log.error("`http` has both `directory` and `content`", at: map.keyNode("content") ?? node,
                      hint: "serve one directory or list the files under `content:`, not both")
        case (nil, nil):
            log.error("`http` has neither `directory` nor `content`", at: map.node,
                      hint: "add `directory: http` or `content: {preseed.cfg: …}`")
        }
        return nil
    }

    func readCD(_ node: Node, templates: TemplateRules) -> CDFiles? {
        guard let map = reader.mapping(node, key: "cd", allowed: ["files", "content", "label"]) else { return nil }
        var cd = CDFiles()
        if let value = map["files"], let items = reader.sequence(value, key: "cd.files") {
            cd.files = items.compactMap { item in
                reader.nonEmptyString(item, key: "cd.files").flatMap {
                    context.existingPath($0, at: item, what: "cd file", kind: .either)
                }
            }
        }
        if let value = map["content"] { cd.content = readContent(value, key: "cd.content", templates: templates) ?? [:] }
        if !map.has("files") && !map.has("content") {
            log.error("`cd` has neither `files` nor `content`", at: map.node,
                      hint: "add `files: [cidata/]` or `content: {user-data: …, meta-data: \"\"}`")
        }
        if let value = map["label"], let label = reader.nonEmptyString(value, key: "cd.label") {
            if label.count <= 32, label.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }) {
                cd.label = label
            } else {
                log.error("`cd.label` `\(label)` is not a CD volume label", at: value,
                          hint: "use at most 32 letters, digits, `_` and `-`, e.g. `cidata`")
            }
        }
        return cd
    }

    /// `content:` — relative file path → templated text.
    private func readContent(_ node: Node, key: String, templates: TemplateRules) -> [String: Template]? {
        guard let map = reader.mapping(node, key: key, allowed: []) else { return nil }
        var files: [String: Template] = [:]
        for entry in map.entries {
            let name = entry.name.hasPrefix("/") ? String(entry.name.dropFirst()) : entry.name
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            guard !name.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                log.error("`\(entry.name)` is not a file path for `\(key)`", at: entry.key,
                          hint: "write a relative path such as `preseed.cfg` or `ubuntu/user-data` (no `.` or `..` parts)")
                continue
            }
            guard case .scalar(let scalar) = entry.value else {
                log.error("`\(key).\(entry.name)` must be the file's text, not \(NodeReader.describe(entry.value))",
                          at: entry.value, hint: "write the text as a block: `\(entry.name): |` and the lines indented below")
                continue
            }
            let text = NodeReader.isNull(entry.value) ? "" : scalar.string
            if let template = templates.template(text, in: entry.value, key: "\(key).\(entry.name)") { files[name] = template }
        }
        return files
    }
}
