import Foundation

extension SSHSession {
    /// Adds `publicKeyLine` to the login user's `~/.ssh/authorized_keys` (once), creating the file with the
    /// modes sshd and dropbear insist on, and by default removes Vagrant's insecure public keys — what Vagrant
    /// does at first `up`. The file is replaced atomically, so a failure never leaves the guest without keys.
    ///
    /// Connect with the new key before relying on it. Works with any POSIX shell (busybox included).
    public func installAuthorizedKey(_ publicKeyLine: String, removingVagrantInsecureKeys: Bool = true) throws {
        let line = publicKeyLine.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("ssh-") || line.hasPrefix("ecdsa-"), !line.contains("\n") else {
            throw SSHError(.invalidArgument, "'\(line.prefix(40))' is not one OpenSSH public key line")
        }
        // Vagrant's insecure public keys, matched by a unique part of their base64 blobs.
        let insecure = removingVagrantInsecureKeys
            ? " | grep -v -F -e 'AAAAC3NzaC1lZDI1NTE5AAAAIN1YdxBpNlzxDqfJyw/QKow1F+wvG9hXGoqiysfJOn5Y'"
                + " -e 'AAAAB3NzaC1yc2EAAAABIwAAAQEA6NF8iallvQVp22WDkTkyrtvp9eWW6A8YVr+kz4TjGYe7gHzI'"
            : ""
        let script = """
            umask 077 && mkdir -p "$HOME/.ssh" && chmod 700 "$HOME/.ssh" && \
            f="$HOME/.ssh/authorized_keys" && touch "$f" && \
            { grep -v -x -F -e "$VMFILE_KEY" "$f"\(insecure); printf '%s\\n' "$VMFILE_KEY"; } > "$f.vmfile-new" && \
            chmod 600 "$f.vmfile-new" && mv -f "$f.vmfile-new" "$f"
            """
        try runChecked(script, environment: ["VMFILE_KEY": line])
    }
}
