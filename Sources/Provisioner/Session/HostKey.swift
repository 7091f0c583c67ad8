/// A host key to pin: the algorithm name and the base64 public key blob of an OpenSSH public key line.
///
/// Stored as one line (`ssh-ed25519 AAAA…`), e.g. in `.vmfile/machines/<name>/host_key`.
public struct HostKeyPin: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, …
    public let algorithm: String
    /// The public key blob, base64, exactly as in OpenSSH public key lines.
    public let base64: String

    public init(algorithm: String, base64: String) {
        self.algorithm = algorithm
        self.base64 = base64
    }

    /// Parses `algorithm base64 [comment]`, as found in `*.pub` files and `known_hosts` (without the host field).
    public init(openSSHLine: String) throws {
        let fields = openSSHLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline })
        guard fields.count >= 2 else {
            throw SSHError(.invalidKey, "'\(openSSHLine.prefix(40))' is not an OpenSSH public key line (`ssh-ed25519 AAAA…`)")
        }
        let pin = HostKeyPin(algorithm: String(fields[0]), base64: String(fields[1]))
        _ = try SSHKeyHandle.importPublicKey(algorithm: pin.algorithm, base64: pin.base64)
        self = pin
    }

    /// `algorithm base64`, without a comment or newline.
    public var openSSHLine: String { "\(algorithm) \(base64)" }

    /// `SHA256:…` as `ssh-keygen -l` prints it, or `(invalid key)` when the blob does not parse.
    public var fingerprintSHA256: String {
        (try? SSHKeyHandle.importPublicKey(algorithm: algorithm, base64: base64).fingerprintSHA256()) ?? "(invalid key)"
    }

    public var description: String { "\(algorithm) \(fingerprintSHA256)" }

    /// The libssh host key algorithm list that makes a server present this key type.
    var hostKeyAlgorithms: String {
        switch algorithm {
        case "ssh-rsa": "rsa-sha2-512,rsa-sha2-256,ssh-rsa"
        default: algorithm
        }
    }
}

/// The public host key a server presented during the handshake.
public struct HostKey: Sendable, Hashable, CustomStringConvertible {
    /// `ssh-ed25519`, `ssh-rsa`, …
    public let algorithm: String
    /// The public key blob, base64.
    public let base64: String
    /// `SHA256:…` as `ssh-keygen -l` prints it.
    public let fingerprintSHA256: String

    public init(algorithm: String, base64: String, fingerprintSHA256: String) {
        self.algorithm = algorithm
        self.base64 = base64
        self.fingerprintSHA256 = fingerprintSHA256
    }

    /// `algorithm base64`: the line to store for pinning.
    public var openSSHLine: String { "\(algorithm) \(base64)" }

    /// The value to pin for later connections.
    public var pin: HostKeyPin { HostKeyPin(algorithm: algorithm, base64: base64) }

    public var description: String { "\(algorithm) \(fingerprintSHA256)" }

    init(handle: SSHKeyHandle) throws {
        self.init(
            algorithm: handle.algorithm, base64: try handle.publicKeyBase64(),
            fingerprintSHA256: try handle.fingerprintSHA256()
        )
    }
}
