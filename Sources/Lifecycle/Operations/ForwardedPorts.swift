import Boxes
import Foundation
import HostSupport
import Net
import Spec

extension MachineController {
    /// Chooses host ports for `machine`'s forwarded ports before it boots and records them in
    /// `ports.json`: a port bound by another process or forwarded to another machine is an error,
    /// or with `auto_correct` replaced by a free one (reported). Returns nil when the machine has none.
    func planForwardedPorts(_ machine: Machine, clock: PhaseClock) throws -> [PortMapping]? {
        guard !machine.forwardedPorts.isEmpty else { return nil }
        guard let forwarder = host.portForwarder else {
            clock.report("note: forwarded_ports not applied: they need a local qemu:///system connection and root (kernel nftables rules)")
            return nil
        }
        return try allocatePorts(machine.forwardedPorts, of: machine,
                                 taken: { try forwarder.endpoints(excludingOwner: project.domainName(of: machine.name)) },
                                 probe: forwarder.availability(of:), clock: clock)
    }

    /// Chooses host ports for `ports` of `machine` and records them in `ports.json`: an endpoint in
    /// `taken()` (read under the project's port lock), one a sibling machine declares or was given,
    /// or one `probe` finds bound is an error, or with `auto_correct` replaced by a free one (reported).
    func allocatePorts(_ ports: [ForwardedPort], of machine: Machine, taken: () throws -> [HostEndpoint],
                       probe: @escaping (HostEndpoint) -> PortAvailability, clock: PhaseClock) throws -> [PortMapping] {
        let files = project.files(of: machine.name)
        try files.create()
        // Machines of one project plan in parallel; the lock keeps their auto-corrected ports apart.
        let lock = try FileLock.acquire(at: project.stateDirectory.appendingPathComponent("ports.lock").path,
                                        policy: .wait(onWait: { _ in }), purpose: "forwarded port planning")
        defer { lock.release() }
        var taken = try taken()
        // Siblings' declared ports are theirs even before they boot; their auto-corrected ones once planned.
        for sibling in project.vmfile.machines where sibling.name != machine.name {
            taken += sibling.forwardedPorts.map { HostEndpoint(protocol: $0.protocol, address: $0.hostIP, port: $0.host) }
            taken += (recordedPorts(of: sibling) ?? []).map(\.hostEndpoint)
        }
        var allocator = PortAllocator(taken: taken, probe: probe)
        let mappings: [PortMapping]
        do {
            mappings = try allocator.allocate(ports, previous: recordedPorts(of: machine) ?? [])
        } catch {
            throw LifecycleError(
                .portConflict, "machine '\(machine.name)': forwarded port '\(error.port.id)': \(error)",
                hint: error.reason == .addressNotLocal
                    ? "set host_ip to an address of this host (127.0.0.1, 0.0.0.0 or one `ip -4 addr` lists)"
                    : "choose another `host:` port, set `auto_correct: true`, or free it (`ss -lntup 'sport = :\(error.port.host)'`)")
        }
        for mapping in mappings where mapping.isCorrected {
            clock.report("forwarded port \(mapping.id): host \(mapping.hostIP):\(mapping.requestedHostPort) is taken, using \(mapping.hostPort)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(mappings).write(to: files.ports, options: .atomic)
        return mappings
    }

    /// Installs the planned forwards to the guest's management address (replacing earlier ones).
    func applyForwardedPorts(_ mappings: [PortMapping]?, of machine: Machine, clock: PhaseClock) throws {
        guard let mappings, let forwarder = host.portForwarder else { return }
        guard let text = try address(of: machine), let guest = IPv4Address(text) else {
            throw LifecycleError(.guest, "machine '\(machine.name)': no management address to forward ports to",
                                 hint: "check the guest's network with `vmfile ssh \(machine.name) -c 'ip addr'`, then rerun `vmfile up`")
        }
        do {
            try forwarder.apply(owner: project.domainName(of: machine.name), mappings: mappings, guest: guest,
                                bridge: ManagementNetwork.bridge)
        } catch {
            throw LifecycleError(.hypervisor, "machine '\(machine.name)': cannot install forwarded ports", cause: error)
        }
        let list = mappings.map { "\($0.hostIP):\($0.hostPort)→\($0.guestPort)/\($0.protocol.rawValue)" }
        clock.report("forwarded ports \(list.joined(separator: ", "))")
    }

    /// Removes `machine`'s forwards once it no longer runs. Never throws: a leftover rule is
    /// reported, and the next `up`, `halt` or `destroy` removes it.
    func removeForwardedPorts(_ machine: Machine, clock: PhaseClock) {
        guard let forwarder = host.portForwarder,
              !machine.forwardedPorts.isEmpty || recordedPorts(of: machine) != nil else { return }
        let domain = project.domainName(of: machine.name)
        if let state = try? host.domainState(domain), state == .running || state == .paused { return }
        do {
            try forwarder.remove(owner: domain)
        } catch {
            clock.report("warning: forwarded ports not removed: \(error)")
        }
    }

    /// The forwards recorded for `machine` by its last `up`, or nil when there are none.
    public func recordedPorts(of machine: Machine) -> [PortMapping]? {
        guard let data = try? Data(contentsOf: project.files(of: machine.name).ports) else { return nil }
        return try? JSONDecoder().decode([PortMapping].self, from: data)
    }
}
