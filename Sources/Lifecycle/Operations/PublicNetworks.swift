import Foundation
import Net
import Spec

extension MachineController {
    /// NICs for `machine`'s `- public:` entries: an existing host bridge (`bridge:`) or macvtap on a
    /// host device (`dev:` + `mode:`, default `bridge`). The device must exist on this host; vmfile
    /// never creates or changes it. A static `ip:` is set over SSH (`configureStaticAddresses`).
    func publicAttachments(_ machine: Machine, interfaces: HostInterfaces = HostInterfaces(),
                           clock: PhaseClock) throws -> [NetworkAttachment] {
        var attachments: [NetworkAttachment] = []
        for case .public(let attachment) in machine.networks {
            guard let nic = publicNIC(attachment, domain: project.domainName(of: machine.name)) else { continue }
            if let bridge = attachment.bridge {
                guard interfaces.isBridge(bridge) else {
                    throw LifecycleError(
                        .networkConflict, "machine '\(machine.name)': public network bridge '\(bridge)' is not a bridge on this host",
                        hint: interfaces.exists(bridge)
                            ? "'\(bridge)' is a plain interface: use `dev: \(bridge)` (macvtap) or name a bridge"
                            : "create it first (e.g. `ip link add \(bridge) type bridge`); interfaces: \(interfaces.names().joined(separator: ", "))")
                }
                attachments.append(NetworkAttachment(network: bridge, mac: nic.mac,
                                                     kind: .bridge))
                clock.report("public network on bridge \(bridge)")
            } else if let device = attachment.dev {
                guard interfaces.exists(device) else {
                    throw LifecycleError(
                        .networkConflict, "machine '\(machine.name)': public network device '\(device)' does not exist on this host",
                        hint: "interfaces: \(interfaces.names().joined(separator: ", "))")
                }
                let mode = attachment.mode?.rawValue ?? "bridge"
                attachments.append(NetworkAttachment(network: device, mac: nic.mac,
                                                     kind: .direct(mode: mode)))
                clock.report("public network on \(device) (macvtap \(mode))")
            }
            if let ip = attachment.ip, !attachment.autoConfig {
                clock.report("note: public network ip \(ip) has auto_config: false, so the guest configures it itself")
            }
        }
        return attachments
    }

    /// The MAC and message label of a public NIC; nil when the entry names neither bridge nor device.
    func publicNIC(_ attachment: PublicAttachment, domain: String) -> (mac: String, label: String)? {
        // The MAC is stable per domain and host device, and distinct from the private NICs'.
        if let bridge = attachment.bridge { return (PrivateNetworkPlan.mac(domain: domain, network: "bridge:\(bridge)"), "public bridge \(bridge)") }
        if let device = attachment.dev { return (PrivateNetworkPlan.mac(domain: domain, network: "dev:\(device)"), "public \(device)") }
        return nil
    }
}
