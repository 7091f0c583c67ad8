import Foundation
import Net
import Spec

/// One machine's forwarded ports, as `vmfile port` reports them (`--json` encodes this).
public struct MachinePorts: Sendable, Encodable, Equatable {
    /// The machine's name.
    public var machine: String
    /// Its forwards in effect now; empty when it is not running or declares none.
    public var ports: [PortMapping]
}

extension MachineController {
    /// The forwards in effect on `machine`: those its last `up` recorded, while it runs. Rules exist
    /// only while the machine runs; a plan left from an earlier run is not a forward.
    public func activePorts(of machine: Machine) throws -> MachinePorts {
        let running = try status(of: machine) == .running
        return MachinePorts(machine: machine.name, ports: running ? recordedPorts(of: machine) ?? [] : [])
    }
}

extension PortMapping {
    /// `127.0.0.1:2222 → 22/tcp  ssh`, with `  (auto-corrected from 2200)` when `auto_correct` moved it.
    public var summary: String {
        let corrected = isCorrected ? "  (auto-corrected from \(requestedHostPort))" : ""
        return "\(hostIP):\(hostPort) → \(guestPort)/\(`protocol`.rawValue)  \(id)\(corrected)"
    }
}
