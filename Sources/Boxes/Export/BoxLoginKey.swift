import Foundation

/// How Vagrant (and vmfile) log in to a guest made from a `.box`.
///
/// A box whose guest user accepts only some private key must carry that key: `vagrant package` ships it
/// as `vagrant_private_key` next to an embedded `Vagrantfile` that points `config.ssh.private_key_path`
/// at it. vmfile writes boxes the same way, so vagrant-libvirt boots them to SSH as they are.
public enum BoxLoginKey: Sendable, Equatable {
    /// The guest accepts Vagrant's published insecure key: the box needs nothing extra.
    case vagrantInsecure
    /// The guest accepts this private key (OpenSSH text), shipped in the box.
    case privateKey(String)

    /// The key file's name inside a box, as `vagrant package` writes it.
    public static let fileName = "vagrant_private_key"
    /// Where a user's own Vagrantfile goes when vmfile writes the box's Vagrantfile (Vagrant's layout).
    public static let includedVagrantfile = "include/_Vagrantfile"

    /// The embedded Vagrantfile for a box that ships its key: the key path is relative to the box
    /// directory, and a Vagrantfile given with the box (`include/_Vagrantfile`) is loaded after it.
    public static let vagrantfile = """
        # Written by vmfile: this box's guest accepts the private key shipped next to this file
        # (as `vagrant package` does), not Vagrant's insecure key.
        Vagrant.configure("2") do |config|
          config.ssh.private_key_path = File.expand_path("../\(fileName)", __FILE__)
        end

        # A Vagrantfile given when the box was made, loaded last so it can override the settings above.
        include_vagrantfile = File.expand_path("../\(includedVagrantfile)", __FILE__)
        load include_vagrantfile if File.exist?(include_vagrantfile)

        """
}
