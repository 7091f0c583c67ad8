import Foundation
import Provisioner
import Spec

/// The host `rsync` command that copies one folder into the guest over OpenSSH, with the machine's
/// own key and the host key pinned at first contact (`StrictHostKeyChecking=yes`): no second
/// trust-on-first-use.
public struct RsyncInvocation: Sendable, Equatable {
    public var folder: SyncedFolder
    public var ssh: OpenSSHAccess
    /// Guest owner and group of the copy.
    public var owner: String
    public var group: String

    /// What runs when a folder gives no `args` (Vagrant's without `-z`, which costs a TCG guest more
    /// CPU than it saves on a local link, and without `--copy-links`: a link stays a link, so nothing
    /// outside the folder is copied because of one).
    public static let defaultArguments = ["--archive", "--delete"]

    public init(folder: SyncedFolder, ssh: OpenSSHAccess, owner: String, group: String) {
        self.folder = folder
        self.ssh = ssh
        self.owner = owner
        self.group = group
    }

    /// rsync's arguments (without the program name).
    public var arguments: [String] {
        var arguments = folder.args ?? Self.defaultArguments
        arguments += ["--chown=\(owner):\(group)", "--rsync-path=sudo -n rsync", "-e", remoteShell]
        // The project's state (keys, logs) never leaves the host.
        arguments.append("--exclude=.vmfile/")
        arguments += folder.exclude.map { "--exclude=\($0)" }
        let source = folder.host.hasSuffix("/") ? folder.host : folder.host + "/"
        let target = folder.guest.hasSuffix("/") ? folder.guest : folder.guest + "/"
        arguments += [source, "\(ssh.user)@\(Self.bracketed(ssh.address)):\(target)"]
        return arguments
    }

    /// The `-e` command: `ssh` with the machine's options, quoted as rsync splits it.
    var remoteShell: String {
        (["ssh"] + ssh.transportArguments).map(Self.quoted).joined(separator: " ")
    }

    /// rsync splits `-e` on spaces and honours single quotes; quote what needs it.
    static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@+,".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func bracketed(_ address: String) -> String {
        address.contains(":") ? "[\(address)]" : address
    }
}
