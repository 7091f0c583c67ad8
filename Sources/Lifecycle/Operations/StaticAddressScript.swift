import Provisioner
import Spec

/// A static IPv4 address `auto_config` sets on the guest NIC that has `mac`.
struct StaticAddress: Sendable, Equatable {
    /// How messages name the NIC's network (`network lab`, `public bridge br0`).
    var label: String
    var mac: String
    var ip: IPv4Address
    var prefixLength: Int

    var cidr: String { "\(ip)/\(prefixLength)" }
}

/// The guest side of `auto_config`: one shell command that finds each NIC by its MAC
/// (`/sys/class/net/*/address`, so interface names do not matter), brings it up and adds the address
/// unless it already holds it. Idempotent: a rerun on a configured guest changes nothing. Runs as root
/// through `sudo -n`, with busybox or iproute2 `ip`.
enum StaticAddressScript {
    /// What the guest did for one NIC.
    enum Outcome: Sendable, Equatable {
        /// The address was added to `interface`.
        case added(interface: String)
        /// `interface` already held it (DHCP reservation or an earlier `up`).
        case present(interface: String)
        /// No interface has the MAC.
        case missing
        /// `ip addr add` failed on `interface`.
        case failed(interface: String)
    }

    /// Arguments are MAC/CIDR pairs; prints `added|present|failed MAC IF` or `missing MAC` per pair.
    static let script = """
        status=0
        while [ $# -ge 2 ]; do
          mac=$1 cidr=$2 dev=
          shift 2
          for path in /sys/class/net/*; do
            if [ "$(cat "$path/address" 2>/dev/null)" = "$mac" ]; then dev=${path##*/}; break; fi
          done
          if [ -z "$dev" ]; then echo "missing $mac"; status=3; continue; fi
          ip link set "$dev" up
          if ip -4 -o addr show dev "$dev" | grep -qF "inet $cidr "; then echo "present $mac $dev"
          elif ip addr add "$cidr" dev "$dev"; then echo "added $mac $dev"
          else echo "failed $mac $dev"; status=1; fi
        done
        exit $status
        """

    /// The command line that applies `addresses`.
    static func command(_ addresses: [StaticAddress]) -> String {
        let arguments = addresses.flatMap { [$0.mac.lowercased(), $0.cidr] }.map(ShellQuote.quote)
        return (["sudo -n sh -c", ShellQuote.quote(script), "sh"] + arguments).joined(separator: " ")
    }

    /// The outcome per MAC (lower case) from the command's standard output.
    static func outcomes(_ output: String) -> [String: Outcome] {
        var outcomes: [String: Outcome] = [:]
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            switch (words.first, words.count) {
            case ("added", 3): outcomes[words[1]] = .added(interface: words[2])
            case ("present", 3): outcomes[words[1]] = .present(interface: words[2])
            case ("failed", 3): outcomes[words[1]] = .failed(interface: words[2])
            case ("missing", 2): outcomes[words[1]] = .missing
            default: continue
            }
        }
        return outcomes
    }
}
