import ArgumentParser
import Boxes
import Foundation
import HostSupport
import Lifecycle
import Spec

extension MachinePackager.KeyChoice: ExpressibleByArgument {}

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

    @Option(help: ArgumentHelp("The login key the box offers Vagrant: machine (ship the key the guest accepts, with a Vagrantfile pointing at it, as `vagrant package` does) or insecure (ship none: you put Vagrant's insecure public key back in the guest).",
                               valueName: "machine|insecure"))
    var key: MachinePackager.KeyChoice = .machine

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
        let packager = MachinePackager(project: context.project, host: context.host)
        let (metadata, loginKey) = try reportingErrors {
            let loginKey = try packager.loginKey(of: chosen, key)
            let metadata = try packager.package(chosen.name, output: target, vagrantfile: vagrantfile.map { URL(fileURLWithPath: $0) },
                                                loginKey: loginKey, compress: !noCompress)
            return (metadata, loginKey)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? NSNumber)?.uint64Value ?? 0
        switch (key, loginKey) {
        case (.machine, .privateKey):
            StandardError.print("==> note: the box ships the private key \(chosen.name)'s guest accepts (\(BoxLoginKey.fileName), with a Vagrantfile "
                + "pointing at it), so vagrant-libvirt and vmfile log in as they are; whoever has the box can log in to machines made from it "
                + "(--key=insecure ships no key)")
        case (.machine, .vagrantInsecure):
            StandardError.print("==> note: \(chosen.name) has no key of its own (ssh.insert_key: false, or its first `up` never finished), "
                + "so the box ships no key: Vagrant logs in with its insecure key")
        case (.insecure, _):
            StandardError.print("==> note: the box ships no key: Vagrant logs in with its insecure key only if you put its public key back "
                + "in the guest's ~/.ssh/authorized_keys before halting (keys/vagrant-insecure/)")
        }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
        StandardError.print("==> \(chosen.name) packaged to \(target.path) (\(ByteCount.text(size)), \(metadata.virtualSize ?? 0) GiB virtual) in \(seconds) s")
    }
}
