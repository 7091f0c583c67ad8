import Foundation
import Net
import Provisioner
import Spec

extension MachineController {
    /// The static addresses `auto_config` sets on `machine`: every private NIC with an `ip:` (also
    /// when DHCP reserves it: a guest that does not DHCP that NIC still gets it) and every public NIC
    /// with an `ip:` (whose network's DHCP is not ours), unless the entry says `auto_config: false`.
    func staticAddresses(of machine: Machine) throws -> [StaticAddress] {
        let domain = project.domainName(of: machine.name)
        let plans = try privateNetworkPlans(of: machine)
        var addresses: [StaticAddress] = []
        for network in machine.networks {
            switch network {
            case .private(let attachment):
                guard attachment.autoConfig, let text = attachment.ip, let ip = IPv4Address(text),
                      let plan = plans.first(where: { $0.definition == attachment.network }) else { continue }
                addresses.append(StaticAddress(label: "network \(plan.definition)", mac: PrivateNetworkPlan.mac(domain: domain, network: plan.name),
                                               ip: ip, prefixLength: plan.subnet.prefixLength))
            case .public(let attachment):
                guard attachment.autoConfig, let text = attachment.ip, let ip = IPv4Address(text),
                      let prefix = attachment.prefixLength, let nic = publicNIC(attachment, domain: domain) else { continue }
                addresses.append(StaticAddress(label: nic.label, mac: nic.mac, ip: ip, prefixLength: prefix))
            }
        }
        return addresses
    }

    /// Sets `machine`'s static addresses over `session` (after SSH is ready, before provisioning, on
    /// every boot `up` waits for: the addresses are runtime state, as Vagrant re-applies its own).
    func configureStaticAddresses(_ machine: Machine, session: any GuestSession, clock: PhaseClock) throws {
        let addresses = try staticAddresses(of: machine)
        guard !addresses.isEmpty else { return }
        let result = try session.run(StaticAddressScript.command(addresses))
        let outcomes = StaticAddressScript.outcomes(result.stdout)
        for address in addresses {
            switch outcomes[address.mac.lowercased()] {
            case .added(let interface)?:
                clock.report("\(address.label) address \(address.ip) set on \(interface) (auto_config)")
            case .present(let interface)?:
                clock.report("\(address.label) address \(address.ip) on \(interface)")
            case .missing?:
                throw LifecycleError(
                    .guest, "machine '\(machine.name)': no guest interface has MAC \(address.mac) (\(address.label), ip \(address.ip))",
                    hint: "`vmfile ssh \(machine.name) -c 'ip link'` lists the guest's NICs; or set `auto_config: false` on that entry and configure the guest yourself")
            case .failed(let interface)?:
                throw LifecycleError(
                    .guest, "machine '\(machine.name)': could not add \(address.cidr) to \(interface) (\(address.label))",
                    hint: Self.guestHint(result.stderr, otherwise: "see `vmfile ssh \(machine.name) -c 'ip addr'`"))
            case nil:
                throw LifecycleError(
                    .guest, "machine '\(machine.name)': could not configure static addresses (exit \(result.status))",
                    hint: Self.guestHint(result.stderr, otherwise: "auto_config needs a Linux guest with `ip` and passwordless sudo; set `auto_config: false` on the entry otherwise"))
            }
        }
    }

    private static func guestHint(_ stderr: String, otherwise: String) -> String {
        let text = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? otherwise : "the guest said: \(text)"
    }
}
