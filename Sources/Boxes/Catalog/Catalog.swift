import Foundation
import Spec

/// Vagrant's box catalog ("metadata") JSON: a box name and its versions, each with per-provider
/// download URLs and checksums.
public struct Catalog: Codable, Sendable, Equatable {
    /// One provider's download of a version.
    public struct Provider: Codable, Sendable, Equatable {
        /// Provider name; vmfile uses `libvirt`.
        public var name: String
        /// Box URL, absolute or relative to the catalog.
        public var url: String
        /// `sha256`, `sha512`, `sha1` or `md5`.
        public var checksumType: String?
        /// Hex digest of the box file.
        public var checksum: String?
        /// `amd64`, `arm64`, ...; absent or `unknown` means any.
        public var architecture: String?
        /// Whether this is the default architecture of the version.
        public var defaultArchitecture: Bool?

        enum CodingKeys: String, CodingKey {
            case name, url, checksum, architecture
            case checksumType = "checksum_type"
            case defaultArchitecture = "default_architecture"
        }

        public init(name: String, url: String, checksumType: String? = nil, checksum: String? = nil, architecture: String? = nil) {
            self.name = name
            self.url = url
            self.checksumType = checksumType
            self.checksum = checksum
            self.architecture = architecture
        }

        /// The declared checksum, if any.
        public func declaredChecksum() throws -> Checksum? {
            try Checksum(type: checksumType, value: checksum)
        }
    }

    /// One version of the box.
    public struct Version: Codable, Sendable, Equatable {
        /// The version text (`1.2.0`).
        public var version: String
        /// `active` (or absent) versions are offered; others are skipped.
        public var status: String?
        /// Downloads per provider.
        public var providers: [Provider]

        public init(version: String, status: String? = nil, providers: [Provider]) {
            self.version = version
            self.status = status
            self.providers = providers
        }
    }

    /// The box name (`org/name`).
    public var name: String?
    /// Free text.
    public var description: String?
    /// Every published version.
    public var versions: [Version]

    public init(name: String?, description: String? = nil, versions: [Version]) {
        self.name = name
        self.description = description
        self.versions = versions
    }

    /// A version picked from the catalog, with the libvirt provider to download.
    public struct Resolution: Sendable, Equatable {
        /// The chosen version.
        public var version: BoxVersion
        /// Its libvirt provider.
        public var provider: Provider
    }

    /// The newest active version with a libvirt provider for `architecture` that satisfies
    /// `constraint`; nil when none does.
    public func resolve(_ constraint: VersionConstraint?, architecture: String = Catalog.hostArchitecture) -> Resolution? {
        var best: Resolution?
        for entry in versions {
            guard let version = BoxVersion(entry.version),
                  entry.status.map({ $0 == "active" }) ?? true,
                  constraint?.matches(version) ?? true,
                  let provider = libvirtProvider(in: entry, architecture: architecture) else { continue }
            if best.map({ version > $0.version }) ?? true {
                best = Resolution(version: version, provider: provider)
            }
        }
        return best
    }

    /// A version's libvirt provider for `architecture`: an exact match first, then one that names no architecture.
    func libvirtProvider(in version: Version, architecture: String) -> Provider? {
        let libvirt = version.providers.filter { $0.name == "libvirt" }
        return libvirt.first { Self.normalized($0.architecture) == Self.normalized(architecture) }
            ?? libvirt.first { $0.architecture == nil || $0.architecture == "unknown" }
    }

    /// Every version with a libvirt provider, newest first (for messages).
    public var libvirtVersions: [BoxVersion] {
        versions.filter { $0.providers.contains { $0.name == "libvirt" } }.compactMap { BoxVersion($0.version) }.sorted(by: >)
    }

    static func normalized(_ architecture: String?) -> String? {
        switch architecture {
        case "x86_64", "amd64": "amd64"
        case "aarch64", "arm64": "arm64"
        default: architecture
        }
    }

    /// This host's architecture in Vagrant's words (`amd64`, `arm64`).
    public static var hostArchitecture: String {
        #if arch(x86_64)
        "amd64"
        #elseif arch(arm64)
        "arm64"
        #else
        "unknown"
        #endif
    }

    /// Decodes a catalog; `source` names it in errors.
    public static func decode(_ data: Data, source: String) throws -> Catalog {
        do {
            return try JSONDecoder().decode(Catalog.self, from: data)
        } catch {
            throw BoxError(.catalog, "\(source) is not a Vagrant box catalog: \(error)",
                           hint: #"a catalog is {"name": ..., "versions": [{"version": "1.0", "providers": [{"name": "libvirt", "url": ...}]}]}"#)
        }
    }

    /// Whether `data` looks like JSON rather than an archive (a catalog served without a .json name).
    static func looksLikeJSON(_ data: Data) -> Bool {
        data.first { !($0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09) } == UInt8(ascii: "{")
    }
}
