import Foundation
import Net
import Spec

extension MachineController {
    /// NICs for `machine`'s `- public:` entries: an existing host bridge (`bridge:`) or macvtap on a
    /// host device (`dev:` + `mode:`, default `bridge`). The device must exist on this host; vmfile
    /// never creates or changes it. A static `ip:` is left to the network's own DHCP.
    func publicAttachments(_ machine: Machine, interfaces: HostInterfaces = HostInterfaces(),
                           clock: PhaseClock) throws -> [NetworkAttachment] {
        var attachments: [NetworkAttachment] = []
        for case .public(let attachment) in machine.networks {
            let domain = project.domainName(of: machine.name)
            if let bridge = attachment.bridge {
                guard interfaces.isBridge(bridge) else {
                    throw LifecycleError(
                        .networkConflict, "machine '\(machine.name)': public network bridge '\(bridge)' is not a bridge on this host",
                        hint: interfaces.exists(bridge)
                            ? "'\(bridge)' is a plain interface: use `dev: \(bridge)` (macvtap) or name a bridge"
                            : "create it first (e.g. `ip link add \(bridge) type bridge`); interfaces: \(interfaces.names().joined(separator: ", "))")
                }
                attachments.append(NetworkAttachment(network: bridge, mac: PrivateNetworkPlan.mac(domain: domain, network: "bridge:\(bridge)"),
                                                     kind: .bridge))
                clock.report("public network on bridge \(bridge)")
            } else if let device = attachment.dev {
                guard interfaces.exists(device) else {
                    throw LifecycleError(
                        .networkConflict, "machine '\(machine.name)': public network device '\(device)' does not exist on this host",
                        hint: "interfaces: \(interfaces.names().joined(separator: ", "))")
                }
                let mode = attachment.mode?.rawValue ?? "bridge"
                attachments.append(NetworkAttachment(network: device, mac: PrivateNetworkPlan.mac(domain: domain, network: "dev:\(device)"),
                                                     kind: .direct(mode: mode)))
                clock.report("public network on \(device) (macvtap \(mode))")
            }
            if let ip = attachment.ip {
                clock.report("note: public network ip \(ip) is not configured by vmfile; the guest takes what that network's DHCP gives")
            }
        }
        return attachments
    }
}
