import Foundation
import Spec

/// What a machine of the Vmfile is: its domain's state, or not created. The raw values are what `status`
/// prints and `status --json` carries.
public enum MachineState: String, Sendable, Equatable, Codable, CustomStringConvertible {
    case running, paused, shutoff, crashed, saved, other
    case notCreated = "not-created"

    /// The state of a machine whose domain is in `domain` (nil: no domain).
    public init(_ domain: DomainStatus?) {
        switch domain {
        case nil: self = .notCreated
        case .running?: self = .running
        case .paused?: self = .paused
        case .shutoff?: self = .shutoff
        case .crashed?: self = .crashed
        case .suspendedToDisk?: self = .saved
        case .other?: self = .other
        }
    }

    public var description: String { rawValue }
}

/// One machine's live status, read from libvirt (never from a cache).
public struct MachineStatus: Sendable, Equatable, Codable {
    public var name: String
    public var state: MachineState
    public var domain: String
    /// Management address while running (on a libvirt network; nil in user mode, where the host
    /// cannot reach the guest's own address).
    public var address: String?
    /// Where SSH reaches the machine while running (`ADDRESS:22`, or `127.0.0.1:PORT` in user mode).
    public var ssh: String?
    /// How many complete snapshots the machine holds (`vmfile snapshot list` names them).
    public var snapshots: Int = 0
}

/// A vmfile machine found anywhere on the connection (`global-status`).
public struct GlobalMachineStatus: Sendable, Equatable, Codable {
    public var domain: String
    public var state: MachineState
    public var project: String
    public var machine: String
    public var box: String
    public var boxVersion: String
}

extension MachineController {
    /// Live status of `machines`.
    public func statuses(_ machines: [Machine]) throws -> [MachineStatus] {
        try machines.map { machine in
            let state = try status(of: machine)
            let running = state == .running
            let address = running && host.managementMode == .network ? try address(of: machine) : nil
            let ssh = running ? try sshTarget(of: machine) : nil
            return MachineStatus(name: machine.name, state: MachineState(state),
                                 domain: project.domainName(of: machine.name), address: address, ssh: ssh?.description,
                                 snapshots: state == nil ? 0 : try completeSnapshots(of: machine).count)
        }
    }

}

/// `global-status`: what libvirt knows of vmfile machines, from their domain metadata alone.
public enum GlobalStatus {
    /// Every vmfile domain on `host`'s connection, by project then machine.
    public static func read(from host: any MachineHost) throws -> [GlobalMachineStatus] {
        try host.vmfileDomains()
            .map { record in
                GlobalMachineStatus(domain: record.name, state: MachineState(record.status), project: record.metadata.projectPath,
                                    machine: record.metadata.machine, box: record.metadata.box,
                                    boxVersion: record.metadata.boxVersion)
            }
            .sorted { ($0.project, $0.machine) < ($1.project, $1.machine) }
    }
}
