import Foundation

/// Writes a vagrant-libvirt v1 `.box`: a tar (gzip by default) of `metadata.json`
/// (`{"provider":"libvirt","format":"qcow2","virtual_size":GiB}`), a standalone compressed qcow2
/// `box.img`, the login key the guest accepts (see `BoxLoginKey`) and optionally a `Vagrantfile`.
/// Imports unchanged into vagrant-libvirt and vmfile, and boots to SSH in both: `vmfile package` and
/// `vmfile build` both write their boxes here.
public enum BoxExporter {
    /// Flattens `image` (following its backing chain) into `output`; the file appears only when complete.
    /// `compress` compresses both the qcow2 clusters (`qemu-img convert -c`) and the tar (gzip -1); without
    /// it the box is bigger but written (and, for its clusters, later read) faster.
    ///
    /// With `.privateKey`, the box holds it as `vagrant_private_key` and an embedded `Vagrantfile`
    /// pointing at it; a `vagrantfile` given then goes in as `include/_Vagrantfile`, which that file
    /// loads (as `vagrant package --vagrantfile` does). With `.vagrantInsecure`, `vagrantfile` (if any)
    /// is the box's `Vagrantfile`.
    @discardableResult
    public static func export(image: URL, to output: URL, vagrantfile: URL?, loginKey: BoxLoginKey,
                              compress: Bool = true) throws -> BoxMetadata {
        let work = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        // 0700: the work directory may hold a private key.
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: work) }

        let box = work.appendingPathComponent("box.img")
        try Tool.run("qemu-img", ["convert", "-O", "qcow2"] + (compress ? ["-c"] : []) + [image.path, box.path],
                     hint: "install qemu-utils; the disk must be readable (run as root for the system pool)")
        let info = try ImageInfo.read(box)
        let gib: UInt64 = 1 << 30
        let metadata = BoxMetadata(provider: "libvirt", format: "qcow2", virtualSize: Int((info.virtualSize + gib - 1) / gib))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(metadata).write(to: work.appendingPathComponent("metadata.json"))
        var members = ["metadata.json", "box.img"]
        members += try writeLoginFiles(loginKey, vagrantfile: vagrantfile, into: work)
        let archive = work.appendingPathComponent("package.box")
        var arguments = ["--create", "--file", archive.path, "--directory", work.path, "--owner=0", "--group=0", "--numeric-owner"]
        if compress { arguments.append("--use-compress-program=gzip -1") }
        try Tool.run("tar", arguments + members, hint: "install tar and gzip")
        if FileManager.default.fileExists(atPath: output.path) { try FileManager.default.removeItem(at: output) }
        try FileManager.default.moveItem(at: archive, to: output)
        return metadata
    }

    /// Writes the box's `Vagrantfile` and key files for `loginKey` into `work`; returns their names.
    static func writeLoginFiles(_ loginKey: BoxLoginKey, vagrantfile: URL?, into work: URL) throws -> [String] {
        switch loginKey {
        case .vagrantInsecure:
            guard let vagrantfile else { return [] }
            try FileManager.default.copyItem(at: vagrantfile, to: work.appendingPathComponent("Vagrantfile"))
            return ["Vagrantfile"]
        case .privateKey(let text):
            try Data(BoxLoginKey.vagrantfile.utf8).write(to: work.appendingPathComponent("Vagrantfile"))
            let key = work.appendingPathComponent(BoxLoginKey.fileName)
            // 0600 in the archive too: Vagrant and OpenSSH refuse a key others can read.
            guard FileManager.default.createFile(atPath: key.path, contents: Data((text.hasSuffix("\n") ? text : text + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw BoxError(.io, "cannot write \(key.path)", hint: "check free space and permissions in \(work.deletingLastPathComponent().path)")
            }
            var members = ["Vagrantfile", BoxLoginKey.fileName]
            if let vagrantfile {
                let included = work.appendingPathComponent(BoxLoginKey.includedVagrantfile)
                try FileManager.default.createDirectory(at: included.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(at: vagrantfile, to: included)
                members.append(BoxLoginKey.includedVagrantfile)
            }
            return members
        }
    }
}
