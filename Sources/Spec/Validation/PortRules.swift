/// Host ports forwarded by different entries must not collide.
enum PortRules {
    /// Two forwards collide when protocol and host port match and the host addresses are equal or
    /// either is 0.0.0.0. A later entry with `auto_correct: true` is allowed: it moves at `up`.
    static func check(_ machines: [Machine], context: LoadContext) {
        var taken: [(machine: String, port: ForwardedPort)] = []
        for machine in machines {
            for (index, port) in machine.forwardedPorts.enumerated() {
                let clash = taken.first { other in
                    other.port.protocol == port.protocol && other.port.host == port.host
                        && (other.port.hostIP == port.hostIP || other.port.hostIP == "0.0.0.0" || port.hostIP == "0.0.0.0")
                }
                if let clash, !port.autoCorrect {
                    let owner = clash.machine == machine.name ? "this machine" : "machine `\(clash.machine)`"
                    context.log.error(
                        "host port \(port.hostIP):\(port.host)/\(port.protocol.rawValue) is already forwarded by \(owner)",
                        at: context.position("machines.\(machine.name).forwarded_ports.\(index).host",
                                             or: "machines.\(machine.name)"),
                        hint: "pick another `host:` port, or add `auto_correct: true` to let vmfile choose a free one")
                }
                taken.append((machine.name, port))
            }
        }
    }
}
