/// A private key to authenticate with: a file on disk or key text held in memory.
///
/// Keys are parsed when a connection uses them, so a missing file is reported with its path at connect time.
/// Passphrase-protected keys are not supported: vmfile generates its own unencrypted per-machine keys.
public struct SSHPrivateKey: Sendable, Hashable, CustomStringConvertible {
    enum Source: Sendable, Hashable {
        case file(String)
        case text(String)
    }

    let source: Source
    /// A short name for messages (the file path or the caller's label); never the key itself.
    public let label: String

    /// A key file in OpenSSH (`-----BEGIN OPENSSH PRIVATE KEY-----`) or PEM format.
    public static func file(_ path: String) -> SSHPrivateKey {
        SSHPrivateKey(source: .file(path), label: path)
    }

    /// Key text in OpenSSH or PEM format; `label` names it in error messages.
    public static func inMemory(_ text: String, label: String) -> SSHPrivateKey {
        SSHPrivateKey(source: .text(text), label: label)
    }

    /// Vagrant's published insecure keys, ed25519 first then RSA: what a Vagrant-style box accepts at first contact.
    public static let vagrantInsecure: [SSHPrivateKey] = [
        .inMemory(VagrantInsecureKey.ed25519, label: "Vagrant insecure ed25519 key"),
        .inMemory(VagrantInsecureKey.rsa, label: "Vagrant insecure RSA key"),
    ]

    public var description: String { label }

    /// The key text when held in memory; nil for a key file.
    public var text: String? {
        if case .text(let text) = source { return text }
        return nil
    }

    func load() throws -> SSHKeyHandle {
        switch source {
        case .file(let path): try SSHKeyHandle.importPrivateKey(path: path)
        case .text(let text): try SSHKeyHandle.importPrivateKey(text: text, label: label)
        }
    }
}
