import Foundation
import Net
import Spec

extension MachineController {
    /// Creates (or finds) the project networks `machine` joins with `- private: NAME` and returns its
    /// NICs on them, in Vmfile order.
    func preparePrivateNetworks(_ machine: Machine, clock: PhaseClock) throws -> [NetworkAttachment] {
        var attachments: [NetworkAttachment] = []
        for plan in try privateNetworkPlans(of: machine) {
            try host.preparePrivateNetwork(plan, for: machine.name)
            attachments.append(NetworkAttachment(network: plan.name, mac: PrivateNetworkPlan.mac(domain: project.domainName(of: machine.name), network: plan.name)))
            let address = plan.addresses.first { $0.machine == machine.name }.map { " as \($0.ip)" } ?? " (DHCP)"
            clock.report("network \(plan.definition) \(plan.subnet)\(address)")
        }
        return attachments
    }

    /// Reports the address each private NIC of `machine` leased, waiting up to `privateAddressWait`
    /// for all of them, so `up` returns with the machines able to reach each other. A NIC without a
    /// lease by then is a note, not an error: the guest may not DHCP it. NICs `auto_config` sets are
    /// reported by it instead.
    func reportPrivateAddresses(_ machine: Machine, clock: PhaseClock) throws {
        let configured = Set(try staticAddresses(of: machine).map(\.mac))
        let domain = project.domainName(of: machine.name)
        let plans = try privateNetworkPlans(of: machine).filter {
            $0.dhcpRange != nil && !configured.contains(PrivateNetworkPlan.mac(domain: domain, network: $0.name))
        }
        let deadline = Date().addingTimeInterval(Self.privateAddressWait)
        for plan in plans {
            let mac = PrivateNetworkPlan.mac(domain: domain, network: plan.name)
            var address = try host.leasedAddress(mac: mac, network: plan.name)
            while address == nil, Date() < deadline {
                Thread.sleep(forTimeInterval: Self.pollInterval)
                address = try host.leasedAddress(mac: mac, network: plan.name)
            }
            clock.report(address.map { "network \(plan.definition) address \($0)" }
                         ?? "note: no DHCP lease on network \(plan.definition) yet (does the guest DHCP that NIC?)")
        }
    }

    /// How long `up` waits for private NICs' leases after SSH answers.
    static let privateAddressWait: TimeInterval = 30

    /// Deletes the project networks `machine` was on that no domain uses any more (the last machine's
    /// destroy takes the network with it); from those that stay, removes the machine's DHCP reservation.
    func releasePrivateNetworks(_ machine: Machine, clock: PhaseClock) throws {
        let domain = project.domainName(of: machine.name)
        for plan in try privateNetworkPlans(of: machine) {
            switch try host.releasePrivateNetwork(plan.name, mac: PrivateNetworkPlan.mac(domain: domain, network: plan.name)) {
            case .deleted:
                clock.report("network \(plan.definition) removed (no machine left on it)")
            case .kept(let removed?):
                clock.report("network \(plan.definition): reservation of \(removed) removed (other machines stay on it)")
            case .kept(nil), .absent:
                break
            }
        }
    }

    func privateNetworkPlans(of machine: Machine) throws -> [PrivateNetworkPlan] {
        var names: [String] = []
        for case .private(let attachment) in machine.networks where !names.contains(attachment.network) {
            names.append(attachment.network)
        }
        return try names.map { name in
            guard let definition = project.vmfile.networks.first(where: { $0.name == name }) else {
                throw LifecycleError(.invalidArgument, "machine '\(machine.name)': network '\(name)' is not declared",
                                     hint: "declare it under top-level `networks:` in \(project.vmfile.path)")
            }
            do {
                return try PrivateNetworkPlan(definition, projectID: project.id, machines: project.vmfile.machines,
                                              domainName: project.domainName(of:))
            } catch {
                throw LifecycleError(.invalidArgument, "network '\(name)': cidr '\(definition.cidr)' is invalid", cause: error)
            }
        }
    }
}
