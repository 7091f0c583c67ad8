import Yams

extension NodeReader {
    /// A duration: whole seconds (`30`) or a Go duration as Packer writes it (`10s`, `5m`, `1h30m`, `250ms`).
    func duration(_ node: Node, key: String) -> Duration? {
        if case .int(let seconds) = ScalarKind(node), seconds >= 0 { return .seconds(seconds) }
        let hint = "write a duration such as `10s`, `5m` or `1h30m` (units \(GoDuration.unitList)), or whole seconds"
        guard case .scalar(let scalar) = node, !NodeReader.isNull(node) else {
            log.error("`\(key)` must be a duration, not \(NodeReader.describe(node))", at: node, hint: hint)
            return nil
        }
        guard let duration = GoDuration.parse(scalar.string) else {
            log.error("`\(key)` cannot be `\(scalar.string)`", at: node, hint: hint)
            return nil
        }
        return duration
    }
}
