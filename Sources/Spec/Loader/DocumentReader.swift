import Yams

/// Reads the top level of a Vmfile and runs the cross-checks.
struct DocumentReader {
    static let keys = ["version", "defaults", "machines", "networks", "libvirt", "provision"]

    let context: LoadContext
    var reader: NodeReader { NodeReader(log: context.log) }

    func read(_ root: Node, path: String) -> Vmfile? {
        guard case .mapping = root, let map = reader.mapping(root, key: "Vmfile", allowed: Self.keys, label: "the Vmfile") else {
            context.log.error("a Vmfile must be a mapping with `version:` and `machines:`, not \(NodeReader.describe(root))",
                              at: root, hint: "run `vmfile init` to see a starter Vmfile")
            return nil
        }
        if let value = map.require("version", in: "the Vmfile", at: .start, hint: "add `version: 1` as the first line"),
           let version = reader.int(value, key: "version"), version != 1 {
            context.log.error("Vmfile version \(version) is not supported", at: value,
                              hint: "this vmfile reads `version: 1`")
        }
        let networksNode = map["networks"]
        let networks = networksNode.map { NetworkReader(context: context).read($0) } ?? []
        var declaredNames = Set<String>()
        if let networksNode, case .mapping(let raw) = networksNode {
            declaredNames = Set(raw.keys.compactMap { $0.scalar?.string })
        }
        var libvirt = LibvirtSettings()
        if let value = map["libvirt"], let settings = reader.mapping(value, key: "libvirt", allowed: ["uri"]) {
            libvirt.uri = settings["uri"].flatMap { reader.nonEmptyString($0, key: "uri") }
        }
        let provision = map["provision"].map { ProvisionReader(context: context).read($0, origin: "provision") } ?? []
        let machines = readMachines(map)

        PortRules.check(machines, context: context)
        NetworkRules.check(networks: networks, machines: machines, declaredNames: declaredNames, context: context)
        MachineRules.checkPrimary(machines, context: context)
        checkStepNames(global: provision, machines: machines)

        guard context.log.isEmpty else { return nil }
        return Vmfile(version: 1, path: path, machines: machines, networks: networks, libvirt: libvirt,
                      provision: provision)
    }

    private func readMachines(_ map: KeyedMapping) -> [Machine] {
        guard let node = map.require("machines", in: "the Vmfile", at: .start,
                                     hint: "add `machines:` with at least one machine, e.g. `machines: {hello: {box: tiny}}`")
        else { return [] }
        guard let machinesMap = reader.mapping(node, key: "machines", allowed: []) else { return [] }
        if machinesMap.entries.isEmpty {
            context.log.error("`machines` is empty", at: map.keyNode("machines") ?? node,
                              hint: "declare at least one machine, e.g. `hello: {box: tiny}`")
            return []
        }
        var defaults: Node?
        if let value = map["defaults"] {
            if case .mapping(let raw) = value {
                // Report unknown keys once, as `defaults` keys, and merge only the known ones.
                let known = reader.mapping(value, key: "defaults", allowed: MachineReader.keys)?.entries ?? []
                defaults = .mapping(Node.Mapping(known.map { ($0.key, $0.value) }, raw.tag, raw.style, raw.mark))
            } else if !NodeReader.isNull(value) {
                context.log.error("`defaults` must be a mapping of machine keys, not \(NodeReader.describe(value))",
                                  at: value, hint: "indent machine keys such as `box:` and `memory:` under `defaults:`")
            }
        }
        let machineReader = MachineReader(context: context)
        return machinesMap.entries.compactMap { entry in
            let merged = defaults.map { DefaultsMerge.merge(entry.value, over: $0) } ?? entry.value
            return machineReader.read(name: entry.name, keyNode: entry.key, merged)
        }
    }

    /// A machine step may not reuse the explicit name of a global step (both run on the machine).
    private func checkStepNames(global: [ProvisionStep], machines: [Machine]) {
        let globalNames = Set(global.map(\.name))
        for machine in machines {
            for (index, step) in machine.provision.enumerated() where globalNames.contains(step.name)
                && step.name != "shell-\(index + 1)" {
                let origin = "machines.\(machine.name).provision.\(index)"
                context.log.error("provision step name `\(step.name)` is already used by a top-level step",
                                  at: context.position("\(origin).name", or: origin),
                                  hint: "top-level steps also run on `\(machine.name)`; rename one of them")
            }
        }
    }
}
