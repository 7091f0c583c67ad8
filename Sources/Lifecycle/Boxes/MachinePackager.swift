import Boxes
import Foundation
import Hypervisor

/// `vmfile package`: a halted machine's disk, flattened and compressed, as a standalone `.box`.
public struct MachinePackager: Sendable {
    /// The project the machine belongs to.
    public let project: Project
    /// The connection its domain and disk are on.
    public let connection: LibvirtConnection

    /// A packager for `project`'s machines on `host`'s connection.
    public init(project: Project, host: LibvirtMachineHost) {
        self.project = project
        self.connection = host.connection
    }

    /// Exports `machine` to `output`; refuses unless the machine exists and is shut off.
    @discardableResult
    public func package(_ machine: String, output: URL, vagrantfile: URL?, compress: Bool = true) throws -> BoxMetadata {
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
        return try BoxExporter.export(image: URL(fileURLWithPath: disk), to: output, vagrantfile: vagrantfile, compress: compress)
    }
}
