import Boxes
import Foundation
import Hypervisor
import Spec

/// `vmfile package`: a halted machine's disk, flattened and compressed, as a standalone `.box`.
public struct MachinePackager: Sendable {
    /// Which login key the box offers Vagrant.
    public enum KeyChoice: String, Sendable, CaseIterable {
        /// The key the machine's guest accepts — its generated key, or the Vmfile's `ssh.private_key` —
        /// shipped in the box with a Vagrantfile pointing at it (what `vagrant package` does).
        case machine
        /// Nothing shipped: the guest is to accept Vagrant's insecure key again (put back before halting).
        case insecure
    }

    /// The project the machine belongs to.
    public let project: Project
    /// The connection its domain and disk are on.
    public let connection: LibvirtConnection

    /// A packager for `project`'s machines on `host`'s connection.
    public init(project: Project, host: LibvirtMachineHost) {
        self.project = project
        self.connection = host.connection
    }

    /// The login key a box of `machine` ships for `choice`: the machine's generated key, else the Vmfile's
    /// `ssh.private_key`, else none (the guest still takes Vagrant's insecure key: `ssh.insert_key: false`).
    public func loginKey(of machine: Machine, _ choice: KeyChoice) throws -> BoxLoginKey {
        guard choice == .machine else { return .vagrantInsecure }
        let own = project.files(of: machine.name).privateKey
        if let text = try? String(contentsOf: own, encoding: .utf8) { return .privateKey(text) }
        if let path = machine.ssh.privateKey {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw LifecycleError(.invalidArgument, "machine '\(machine.name)': cannot read ssh.private_key \(path) to ship it in the box",
                                     hint: "make it readable, or pass --key=insecure")
            }
            return .privateKey(text)
        }
        return .vagrantInsecure
    }

    /// Exports `machine` to `output` with `loginKey`; refuses unless the machine exists and is shut off.
    @discardableResult
    public func package(_ machine: String, output: URL, vagrantfile: URL?, loginKey: BoxLoginKey,
                        compress: Bool = true) throws -> BoxMetadata {
        let domainName = project.domainName(of: machine)
        guard let domain = try connection.domainIfPresent(named: domainName) else {
            throw LifecycleError(.notCreated, "machine '\(machine)' is not created", hint: "create it with `vmfile up \(machine)`")
        }
        let state = try domain.state()
        guard state == .shutOff else {
            throw LifecycleError(.guest, "machine '\(machine)' is \(DomainStatus(state).rawValue); package needs it halted so its disk is consistent",
                                 hint: "halt it first: vmfile halt \(machine)")
        }
        guard connection.uriInfo.isLocal else {
            throw LifecycleError(.hypervisor, "package reads the machine's disk file, which is on another host (\(connection.uri))",
                                 hint: "run vmfile package on the libvirt host")
        }
        let disk = try connection.storagePool(named: StoragePool.defaultName).volume(named: project.volumeName(of: machine)).path()
        return try BoxExporter.export(image: URL(fileURLWithPath: disk), to: output, vagrantfile: vagrantfile, loginKey: loginKey,
                                      compress: compress)
    }
}
