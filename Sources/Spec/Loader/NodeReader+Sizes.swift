import Yams

/// Sizes as the Vmfile and the Boxfile write them (`memory:`, `disk:`).
extension NodeReader {
    /// `memory:` as whole MiB: an integer (MiB) or a size with a unit; at least 64 MiB.
    func memoryMiB(_ node: Node) -> Int? {
        if case .int(let value) = ScalarKind(node) {
            guard value >= Machine.minimumMemoryMiB else {
                log.error("`memory` is \(value) MiB, below the minimum", at: node,
                      hint: "use at least \(Machine.minimumMemoryMiB) (MiB) or a size like `512MiB`")
                return nil
            }
            return value
        }
        guard let text = string(node, key: "memory") else { return nil }
        let size: ByteSize
        do {
            size = try ByteSize(parsing: text, defaultUnit: 1 << 20)
        } catch {
            log.error("`memory` cannot be `\(text)`: \(error)", at: node,
                              hint: "write a size like `512MiB`, `2GiB`, `1G` or a whole number of MiB")
            return nil
        }
        guard size.bytes % (1 << 20) == 0 else {
            log.error("`memory` \(text) is not a whole number of MiB", at: node,
                              hint: "round it to MiB, e.g. `\(size.mebibytes)MiB`")
            return nil
        }
        guard size.mebibytes >= UInt64(Machine.minimumMemoryMiB), size.mebibytes <= UInt64(Int32.max) else {
            log.error("`memory` \(text) is \(size.mebibytes < 64 ? "below the minimum" : "too large")", at: node,
                              hint: "use at least \(Machine.minimumMemoryMiB)MiB, e.g. `512MiB`")
            return nil
        }
        return Int(size.mebibytes)
    }

    /// `disk:` as bytes: a size with a unit; at least 1 MiB.
    func diskBytes(_ node: Node) -> UInt64? {
        guard let text = string(node, key: "disk") else { return nil }
        do {
            let size = try ByteSize(parsing: text)
            guard size.bytes >= 1 << 20 else {
                log.error("`disk` \(text) is below the minimum of 1MiB", at: node,
                      hint: "write a size like `20GiB`")
                return nil
            }
            return size.bytes
        } catch .missingUnit {
            log.error("`disk` \(text) has no unit", at: node, hint: "add a unit, e.g. `\(text)GiB`")
        } catch {
            log.error("`disk` cannot be `\(text)`: \(error)", at: node,
                              hint: "write a size like `20GiB`, `512MiB` or `1T`")
        }
        return nil
    }
}
