import Crypto
import Foundation

/// SHA-256 of a box image, computed once per installed box version and kept next to it
/// (`box.img.sha256`). It names the box's volume in the libvirt pool, so identical boxes share
/// one volume whichever store or project added them.
enum ImageDigest {
    static let chunkSize = 4 << 20

    /// The hex SHA-256 of the file at `url`, read in chunks (memory stays flat).
    static func sha256(of url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw BoxError(.io, "cannot read \(url.path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk = try handle.read(upToCount: chunkSize) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The recorded digest of a box directory's image, computing and recording it if absent.
    static func recorded(in directory: URL) throws -> String {
        let record = directory.appendingPathComponent("box.img.sha256")
        if let text = try? String(contentsOf: record, encoding: .utf8) {
            let digest = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if digest.count == 64 { return digest }
        }
        let digest = try sha256(of: directory.appendingPathComponent("box.img"))
        try? (digest + "\n").write(to: record, atomically: true, encoding: .utf8)
        return digest
    }
}
