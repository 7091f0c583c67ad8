import Foundation

/// Writes a vagrant-libvirt v1 `.box`: a tar (gzip by default) of `metadata.json`
/// (`{"provider":"libvirt","format":"qcow2","virtual_size":GiB}`), a standalone compressed qcow2
/// `box.img`, and optionally a `Vagrantfile`. Imports unchanged into vagrant-libvirt and vmfile.
public enum BoxExporter {
    /// Flattens `image` (following its backing chain) into `output`; the file appears only when complete.
    @discardableResult
    public static func export(image: URL, to output: URL, vagrantfile: URL?, compress: Bool = true) throws -> BoxMetadata {
        let work = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        let box = work.appendingPathComponent("box.img")
        try Tool.run("qemu-img", ["convert", "-O", "qcow2", "-c", image.path, box.path],
                     hint: "install qemu-utils; the disk must be readable (run as root for the system pool)")
        let info = try ImageInfo.read(box)
        let gib: UInt64 = 1 << 30
        let metadata = BoxMetadata(provider: "libvirt", format: "qcow2", virtualSize: Int((info.virtualSize + gib - 1) / gib))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(metadata).write(to: work.appendingPathComponent("metadata.json"))
        var members = ["metadata.json", "box.img"]
        if let vagrantfile {
            try FileManager.default.copyItem(at: vagrantfile, to: work.appendingPathComponent("Vagrantfile"))
            members.append("Vagrantfile")
        }
        let archive = work.appendingPathComponent("package.box")
        var arguments = ["--create", "--file", archive.path, "--directory", work.path, "--owner=0", "--group=0", "--numeric-owner"]
        if compress { arguments.append("--use-compress-program=gzip -1") }
        try Tool.run("tar", arguments + members, hint: "install tar and gzip")
        if FileManager.default.fileExists(atPath: output.path) { try FileManager.default.removeItem(at: output) }
        try FileManager.default.moveItem(at: archive, to: output)
        return metadata
    }
}
