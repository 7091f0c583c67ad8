import Foundation
import Spec

/// A box version present in the store.
public struct InstalledBox: Sendable, Equatable, Codable {
    /// Box name as the Vmfile writes it (`tiny`, `debian/bookworm64`).
    public let name: String
    public let version: BoxVersion
    public let metadata: BoxMetadata
    /// The box version's directory (holds `metadata.json` and `box.img`).
    public let directory: URL

    /// The primary disk image (`box.img`, or a v2 box's first disk).
    public var imageURL: URL { directory.appendingPathComponent(metadata.imageFiles.first ?? "box.img") }

    /// The private key the box ships for logging in (`vagrant_private_key`, as `vagrant package` and
    /// `vmfile package` write it); nil when the guest takes Vagrant's insecure key.
    public var shippedPrivateKey: URL? {
        let key = directory.appendingPathComponent(BoxLoginKey.fileName)
        return FileManager.default.fileExists(atPath: key.path) ? key : nil
    }

    /// The recorded SHA-256 (hex) of the primary image without computing it; nil when not recorded.
    public var recordedDigest: String? {
        guard let text = try? String(contentsOf: directory.appendingPathComponent(ImageDigest.recordName), encoding: .utf8) else {
            return nil
        }
        let digest = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return digest.count == 64 ? digest : nil
    }

    /// SHA-256 (hex) of `box.img`, recorded when the box was added.
    public func imageDigest() throws -> String {
        try ImageDigest.recorded(in: directory)
    }

    /// Size of the box's files on disk in bytes.
    public func sizeOnDisk() -> UInt64 {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        // stat(2), not FileManager's attributesOfItem: that also resolves owner and group names
        // through NSS (/etc/passwd, /etc/group) for every file, most of `box list`'s own time.
        return files.reduce(0) { total, file in
            var info = stat()
            guard stat(directory.appendingPathComponent(file).path, &info) == 0 else { return total }
            return total + UInt64(max(info.st_size, 0))
        }
    }
}
