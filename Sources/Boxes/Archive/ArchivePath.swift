/// The safety rules for names inside a box archive: relative, no `..`, links that stay inside
/// the box directory, no devices or fifos. Checked on the header, before a byte is written.
enum ArchivePath {
    /// The entry's path components below the box directory (empty for the directory itself).
    /// Throws `unsafeArchive` naming the entry when it would leave the box directory.
    static func components(of entry: TarEntry, in archive: String) throws -> [String] {
        func refuse(_ why: String) -> BoxError {
            BoxError(.unsafeArchive, "\(archive): entry '\(entry.path)' \(why); nothing was added",
                     hint: "a box archive holds plain files (metadata.json, box.img); get the box from a source you trust")
        }
        switch entry.kind {
        case .characterDevice, .blockDevice, .fifo:
            throw refuse("is a \(entry.kind.text)")
        case .other:
            throw refuse("is an unsupported \(entry.kind.text)")
        case .regular, .directory, .symlink, .hardlink:
            break
        }
        if entry.path.hasPrefix("/") { throw refuse("has an absolute path") }
        let parts = try split(entry.path, refuse: refuse)
        switch entry.kind {
        case .symlink:
            // Only targets that descend from the link's directory: resolving them can never climb out.
            if entry.linkTarget.hasPrefix("/") { throw refuse("is a symbolic link to an absolute path (\(entry.linkTarget))") }
            if entry.linkTarget.split(separator: "/").contains("..") || entry.linkTarget.isEmpty {
                throw refuse("is a symbolic link leaving the box directory (\(entry.linkTarget))")
            }
        case .hardlink:
            if entry.linkTarget.hasPrefix("/") { throw refuse("is a hard link to an absolute path (\(entry.linkTarget))") }
            _ = try split(entry.linkTarget) { _ in refuse("is a hard link leaving the box directory (\(entry.linkTarget))") }
        default:
            break
        }
        return parts
    }

    /// Splits a relative path, dropping `.` and empty components; `..` is refused.
    static func split(_ path: String, refuse: (String) -> BoxError) throws -> [String] {
        var parts: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { throw refuse("contains '..'") }
            parts.append(String(part))
        }
        return parts
    }
}
