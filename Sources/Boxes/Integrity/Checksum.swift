import Crypto
import Foundation

/// A declared checksum of a box file: an algorithm and the expected hex digest, written
/// `sha256:HEX` on the command line or as `checksum_type` + `checksum` in a catalog.
public struct Checksum: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The digest algorithms Vagrant catalogs declare.
    public enum Algorithm: String, Sendable, Codable, CaseIterable {
        case sha256, sha512, sha1, md5
    }

    /// The digest algorithm.
    public let algorithm: Algorithm
    /// Lower-case hex digest.
    public let hex: String

    /// Validates the hex length for the algorithm.
    public init(algorithm: Algorithm, hex: String) throws {
        let lowered = hex.lowercased()
        let expectedLength = switch algorithm {
        case .sha256: 64
        case .sha512: 128
        case .sha1: 40
        case .md5: 32
        }
        guard lowered.count == expectedLength, lowered.allSatisfy(\.isHexDigit) else {
            throw BoxError(.invalidChecksum, "'\(hex)' is not a \(algorithm.rawValue) digest (\(expectedLength) hex digits)",
                           hint: "write it as \(algorithm.rawValue):<\(expectedLength) hex digits>")
        }
        self.algorithm = algorithm
        self.hex = lowered
    }

    /// Parses `sha256:HEX` (also `sha512:`, `sha1:`, `md5:`).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let algorithm = Algorithm(rawValue: parts[0].lowercased()) else {
            throw BoxError(.invalidChecksum, "'\(text)' is not a checksum",
                           hint: "write TYPE:HEX with TYPE one of sha256, sha512, sha1, md5")
        }
        try self.init(algorithm: algorithm, hex: parts[1])
    }

    /// Builds one from a catalog's `checksum_type` and `checksum`; nil when the catalog declares none.
    public init?(type: String?, value: String?) throws {
        guard let value, !value.isEmpty else { return nil }
        let typeName = (type ?? "sha256").lowercased().replacingOccurrences(of: "-", with: "")
        guard let algorithm = Algorithm(rawValue: typeName) else {
            throw BoxError(.invalidChecksum, "checksum type '\(type ?? "")' is not supported",
                           hint: "use sha256, sha512, sha1 or md5")
        }
        try self.init(algorithm: algorithm, hex: value)
    }

    public var description: String { "\(algorithm.rawValue):\(hex)" }

    /// Throws `checksumMismatch` unless `actual` (from a `StreamingHasher` of the same algorithm) matches.
    public func verify(_ actual: String, of what: String) throws {
        guard actual == hex else {
            throw BoxError(.checksumMismatch, "\(what) has \(algorithm.rawValue) \(actual), expected \(hex)",
                           hint: "the file is corrupt or not the one declared; nothing was added — download it again or fix the checksum")
        }
    }
}

/// An incremental digest of one of the `Checksum.Algorithm`s, fed while bytes stream past.
public struct StreamingHasher {
    private enum State {
        case sha256(SHA256), sha512(SHA512), sha1(Insecure.SHA1), md5(Insecure.MD5)
    }

    private var state: State
    /// The algorithm this hasher computes.
    public let algorithm: Checksum.Algorithm

    /// A fresh hasher for `algorithm`.
    public init(_ algorithm: Checksum.Algorithm) {
        self.algorithm = algorithm
        state = switch algorithm {
        case .sha256: .sha256(SHA256())
        case .sha512: .sha512(SHA512())
        case .sha1: .sha1(Insecure.SHA1())
        case .md5: .md5(Insecure.MD5())
        }
    }

    /// Feeds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var hasher): hasher.update(bufferPointer: bytes); state = .sha256(hasher)
        case .sha512(var hasher): hasher.update(bufferPointer: bytes); state = .sha512(hasher)
        case .sha1(var hasher): hasher.update(bufferPointer: bytes); state = .sha1(hasher)
        case .md5(var hasher): hasher.update(bufferPointer: bytes); state = .md5(hasher)
        }
    }

    /// Feeds bytes.
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// The lower-case hex digest of everything fed so far.
    public func finalize() -> String {
        let bytes: [UInt8] = switch state {
        case .sha256(let hasher): Array(hasher.finalize())
        case .sha512(let hasher): Array(hasher.finalize())
        case .sha1(let hasher): Array(hasher.finalize())
        case .md5(let hasher): Array(hasher.finalize())
        }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Hashes a whole file in chunks.
    public static func digest(of url: URL, _ algorithm: Checksum.Algorithm) throws -> String {
        var hasher = StreamingHasher(algorithm)
        try FileReader.forEachChunk(of: url) { hasher.update($0) }
        return hasher.finalize()
    }
}
