import Foundation

/// SHA-256 of a box's primary image, computed while the box is added (the copy hashes as it
/// writes) and kept next to it (`box.img.sha256`). It names the box's volume in the libvirt pool,
/// so identical boxes share one volume whichever store or project added them.
enum ImageDigest {
    static let recordName = "box.img.sha256"

    /// The hex SHA-256 of the file at `url`, read in chunks (memory stays flat).
    static func sha256(of url: URL) throws -> String {
        try StreamingHasher.digest(of: url, .sha256)
    }

    /// Records `digest` for the box directory's primary image.
    static func record(_ digest: String, in directory: URL) throws {
        try (digest + "\n").write(to: directory.appendingPathComponent(recordName), atomically: true, encoding: .utf8)
    }

    /// The recorded digest of a box directory's primary image, computing and recording it if absent
    /// (boxes added by older versions or by Vagrant).
    static func recorded(in directory: URL) throws -> String {
        let file = directory.appendingPathComponent(recordName)
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            let digest = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if digest.count == 64 { return digest }
        }
        let primary = (try? BoxMetadata.read(from: directory))?.imageFiles.first ?? "box.img"
        let digest = try sha256(of: directory.appendingPathComponent(primary))
        try? record(digest, in: directory)
        return digest
    }
}
