import ArgumentParser
import Boxes
import Foundation
import HostSupport
import Lifecycle
import Spec

/// `vmfile package MACHINE`: export a halted machine as a standalone vagrant-libvirt `.box`.
struct PackageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Export a halted machine as a standalone .box (flattened, compressed qcow2; imports into vagrant-libvirt).")

    @Argument(help: "The machine (default: the only one).")
    var machine: String?

    @Option(help: "The .box file to write (default: package.box).")
    var output: String = "package.box"

    @Option(help: "A Vagrantfile to include in the box.")
    var vagrantfile: String?

    @Flag(help: "Write a plain tar instead of tar.gz.")
    var noCompress = false

    @OptionGroup var options: LifecycleOptions

    func run() throws {
        let context = try CommandContext.make(options, defining: false)
        let machines = try context.machines(machine.map { [$0] } ?? [])
        guard machines.count == 1, let chosen = machines.first else {
            StandardError.print("error: name the machine to package: \(machines.map(\.name).joined(separator: ", "))")
            throw ExitCode(1)
        }
        let target = URL(fileURLWithPath: output)
        let start = Date()
        let metadata = try reportingErrors {
            try MachinePackager(project: context.project, host: context.host)
                .package(chosen.name, output: target, vagrantfile: vagrantfile.map { URL(fileURLWithPath: $0) }, compress: !noCompress)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? NSNumber)?.uint64Value ?? 0
        StandardError.print("==> note: the box holds the machine's disk as it is, including ~vagrant/.ssh/authorized_keys; "
            + "to share it, put Vagrant's insecure public key back there before halting")
        let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
        StandardError.print("==> \(chosen.name) packaged to \(target.path) (\(ByteCount.text(size)), \(metadata.virtualSize ?? 0) GiB virtual) in \(seconds) s")
    }
}
