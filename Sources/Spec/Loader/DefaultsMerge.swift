import Yams

/// Applies `defaults:` to one machine at the YAML level, before the machine is read, so errors in an
/// inherited value point at the `defaults:` section.
///
/// Rules (Vagrant-like): a key the machine sets wins; mappings (`ssh:`) merge key by key; lists
/// (`provision:`, `forwarded_ports:`, ...) and scalars from the machine replace the default's whole value.
enum DefaultsMerge {
    static func merge(_ machine: Node, over defaults: Node) -> Node {
        if NodeReader.isNull(machine) { return defaults }
        guard case .mapping(let own) = machine, case .mapping(let inherited) = defaults else { return machine }
        var pairs = MergeKeys.expand(own).map { ($0.key, $0.value) }
        for (key, value) in MergeKeys.expand(inherited) {
            guard let name = key.scalar?.string, !YAMLComposer.isMasked(name) else { continue }
            if let index = pairs.firstIndex(where: { $0.0.scalar?.string == name }) {
                pairs[index].1 = merge(pairs[index].1, over: value)
            } else {
                pairs.append((key, value))
            }
        }
        return .mapping(Node.Mapping(pairs, own.tag, own.style, own.mark))
    }
}
