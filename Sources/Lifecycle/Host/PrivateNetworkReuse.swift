import Net
import Spec

/// Whether an existing libvirt network may serve a private network of the Vmfile, decided from what
/// libvirt reports of it (its vmfile metadata and IPv4 subnets), so the libvirt adapter only reads and acts.
enum PrivateNetworkReuse {
    /// What an Open vSwitch network records in its metadata to be compared on reuse (it has no `<ip>`);
    /// empty for a Linux bridge network.
    static func switchMetadata(_ plan: PrivateNetworkPlan) -> [String: String] {
        guard plan.openvswitch else { return [:] }
        return ["switch": "ovs", "cidr": plan.subnet.description, "vlan": plan.vlan.map(String.init) ?? "none"]
    }

    /// The error that forbids reusing the network `plan.name`, or nil when it may be reused: it must be
    /// vmfile's (`metadata` non-nil), with the switch, VLAN and (OVS) cidr the Vmfile declares now, and
    /// (a Linux bridge, `subnets` given) the declared subnet.
    static func problem(_ plan: PrivateNetworkPlan, metadata: [String: String]?, subnets: [IPv4Network]?) -> LifecycleError? {
        guard let metadata else {
            return LifecycleError(.networkConflict, "libvirt network \(plan.name) (network '\(plan.definition)') exists but was not made by vmfile",
                                  hint: "vmfile never reuses someone else's network: rename or remove it (virsh net-destroy/net-undefine \(plan.name))")
        }
        let recorded = metadata.filter { ["switch", "cidr", "vlan"].contains($0.key) }
        guard recorded == switchMetadata(plan) else {
            let describe = { (values: [String: String]) in
                values["switch"] == "ovs" ? "Open vSwitch (\(values["cidr"] ?? "?"), vlan \(values["vlan"] ?? "none"))" : "a Linux bridge"
            }
            return LifecycleError(.networkConflict, "network '\(plan.definition)' is \(describe(switchMetadata(plan))) in the Vmfile but libvirt network \(plan.name) is \(describe(recorded))",
                                  hint: "destroy the machines on it (`vmfile destroy`) so it is made again as declared")
        }
        if let subnets, !subnets.contains(where: { $0.networkAddress == plan.subnet.networkAddress && $0.prefixLength == plan.subnet.prefixLength }) {
            return LifecycleError(.networkConflict, "network '\(plan.definition)' is \(plan.subnet) in the Vmfile but libvirt network \(plan.name) has \(subnets.map(\.description).joined(separator: ", "))",
                                  hint: "destroy the machines on it (`vmfile destroy`) so it is made again with the new cidr")
        }
        return nil
    }
}
