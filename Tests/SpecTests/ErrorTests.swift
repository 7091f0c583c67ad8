import Testing
@testable import Spec

/// A Vmfile with one problem, the message substring it must produce, and where.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    let yaml: String
    let message: String
    let line: Int
    let column: Int
    var testDescription: String { message }

    init(_ message: String, at line: Int, _ column: Int, _ yaml: String) {
        self.yaml = yaml
        self.message = message
        self.line = line
        self.column = column
    }
}

@Suite struct ErrorTests {
    static let machineCases: [ErrorCase] = [
        // Types.
        ErrorCase("`cpus` must be an integer, not the string \"two\"", at: 5, 11, machine("cpus: two")),
        ErrorCase("`cpus` must be an integer, not the string \"2\"", at: 5, 11, machine("cpus: \"2\"")),
        ErrorCase("`cpus` must be an integer, not a list", at: 5, 11, machine("cpus: [1]")),
        ErrorCase("`autostart` must be true or false, not the number 1", at: 5, 16, machine("autostart: 1")),
        ErrorCase("`primary` must be true or false, not the string \"true\"", at: 5, 14, machine("primary: \"true\"")),
        ErrorCase("`box` must be a string, not an empty value", at: 4, 9,
                  "version: 1\nmachines:\n  m:\n    box:\n"),
        ErrorCase("`ssh` must be a mapping, not the string \"root\"", at: 5, 10, machine("ssh: root")),
        ErrorCase("`forwarded_ports` must be a list, not a mapping", at: 5, 22, machine("forwarded_ports: {guest: 1}")),
        ErrorCase("`machines` must be a mapping, not a list", at: 2, 11, "version: 1\nmachines: [a]\n"),
        // Ranges.
        ErrorCase("`cpus` is 0, outside the allowed range", at: 5, 11, machine("cpus: 0")),
        ErrorCase("`guest` is 0, outside the allowed range", at: 6, 17, machine("forwarded_ports:\n  - {guest: 0, host: 8080}")),
        ErrorCase("`host` is 65536, outside the allowed range", at: 6, 27,
                  machine("forwarded_ports:\n  - {guest: 80, host: 65536}")),
        ErrorCase("`port` is 70000, outside the allowed range", at: 6, 13, machine("ssh:\n  port: 70000")),
        ErrorCase("`boot_timeout` is 0s, outside the allowed range", at: 5, 19, machine("boot_timeout: 0")),
        ErrorCase("`graceful_halt_timeout` is -1s", at: 5, 28, machine("graceful_halt_timeout: -1")),
        ErrorCase("`memory` is 32 MiB, below the minimum", at: 5, 13, machine("memory: 32")),
        ErrorCase("`memory` 16MiB is below the minimum", at: 5, 13, machine("memory: 16MiB")),
        ErrorCase("`disk` 100K is below the minimum of 1MiB", at: 5, 11, machine("disk: 100K")),
        // Units.
        ErrorCase("`memory` cannot be `2 GiBs`: unknown size unit `GiBs`", at: 5, 13, machine("memory: 2 GiBs")),
        ErrorCase("`memory` cannot be `lots`", at: 5, 13, machine("memory: lots")),
        ErrorCase("`memory` 1.0001G is not a whole number of MiB", at: 5, 13, machine("memory: 1.0001G")),
        ErrorCase("`disk` 20 has no unit", at: 5, 11, machine("disk: 20")),
        ErrorCase("`disk` cannot be `20XB`", at: 5, 11, machine("disk: 20XB")),
        ErrorCase("`1.x` is not a box version constraint", at: 5, 18, machine("box_version: 1.x")),
        // Unknown keys.
        ErrorCase("unknown key `memroy` in machine `m`", at: 5, 5, machine("memroy: 1G")),
        ErrorCase("unknown key `usrname` in `ssh`", at: 6, 7, machine("ssh:\n  usrname: root")),
        ErrorCase("unknown key `hots` in a `forwarded_ports` entry", at: 6, 20,
                  machine("forwarded_ports:\n  - {guest: 1, hots: 2, host: 3}")),
        ErrorCase("unknown key `shel` in a provision step", at: 6, 9, machine("provision:\n  - shel: echo")),
        // Enumerations.
        ErrorCase("`protocol` cannot be `tcpp`", at: 6, 39, machine("forwarded_ports:\n  - {guest: 1, host: 2, protocol: tcpp}")),
        ErrorCase("`run` cannot be `allways`", at: 6, 25, machine("provision:\n  - {shell: x, run: allways}")),
        ErrorCase("`type` cannot be `smb`", at: 6, 36, machine("synced_folders:\n  - {host: ., guest: /v, type: smb}")),
        ErrorCase("`mode` cannot be `passthrough`", at: 6, 35, machine("networks:\n  - public: {dev: eth0, mode: passthrough}")),
        // Names and addresses.
        ErrorCase("machine name `web_1` is not a valid host name", at: 3, 3, "version: 1\nmachines:\n  web_1: {box: tiny}\n"),
        ErrorCase("machine name `-web` is not a valid host name", at: 3, 3, "version: 1\nmachines:\n  -web: {box: tiny}\n"),
        ErrorCase("machine name", at: 3, 3, "version: 1\nmachines:\n  \(String(repeating: "a", count: 64)): {box: tiny}\n"),
        ErrorCase("`bad_host` is not a valid host name", at: 5, 15, machine("hostname: bad_host")),
        ErrorCase("`host_ip` 300.1.1.1 is not an IPv4 address", at: 6, 38,
                  machine("forwarded_ports:\n  - {guest: 1, host: 2, host_ip: 300.1.1.1}")),
        ErrorCase("`ip` 10.0.0 is not an IPv4 address", at: 6, 35, machine("networks:\n  - public: {bridge: br0, ip: 10.0.0}")),
        ErrorCase("`netmask` 255.0.255.0 is not a netmask", at: 6, 54,
                  machine("networks:\n  - public: {bridge: br0, ip: 10.0.0.2, netmask: 255.0.255.0}")),
        ErrorCase("`netmask` applies only with a static `ip`", at: 6, 40,
                  machine("networks:\n  - public: {bridge: br0, netmask: 255.255.255.0}")),
        // Required keys and shapes.
        ErrorCase("machine `m` has no `box`", at: 3, 3, "version: 1\nmachines:\n  m: {cpus: 1}\n"),
        ErrorCase("forwarded port has no `host`", at: 6, 9, machine("forwarded_ports:\n  - {guest: 80}")),
        ErrorCase("synced folder guest path `vagrant` is not absolute", at: 6, 26,
                  machine("synced_folders:\n  - {host: ., guest: vagrant}")),
        ErrorCase("synced folder host path `nowhere` does not exist", at: 6, 16,
                  machine("synced_folders:\n  - {host: nowhere, guest: /v}")),
        ErrorCase("private key `id_missing` does not exist", at: 6, 20, machine("ssh:\n  private_key: id_missing")),
        ErrorCase("provision script `setup.sh` does not exist", at: 6, 15, machine("provision:\n  - path: setup.sh")),
        ErrorCase("has both `shell` and `path`", at: 6, 20, machine("provision:\n  - {shell: x, path: y}")),
        ErrorCase("provision step `shell-1` has neither `shell` nor `path`", at: 6, 9, machine("provision:\n  - {run: once}")),
        ErrorCase("duplicate provision step name `a`", at: 7, 16,
                  machine("provision:\n  - {name: a, shell: x}\n  - {name: a, shell: y}")),
        ErrorCase("a public network needs `bridge:` or `dev:`", at: 6, 17, machine("networks:\n  - public: {ip: 10.1.1.1}")),
        ErrorCase("a public network has both `bridge` and `dev`", at: 6, 29, machine("networks:\n  - public: {bridge: b, dev: d}")),
        ErrorCase("a machine network needs `private:` or `public:`", at: 6, 9, machine("networks:\n  - {ip: 10.1.1.1}")),
        ErrorCase("`env.A` must be a single value", at: 6, 29, machine("provision:\n  - {shell: x, env: {A: [1]}}")),
    ]

    static let documentCases: [ErrorCase] = [
        ErrorCase("the Vmfile is empty", at: 1, 1, ""),
        ErrorCase("a Vmfile must be a mapping", at: 1, 1, "- a\n- b\n"),
        ErrorCase("the Vmfile has no `version`", at: 1, 1, "machines:\n  m: {box: tiny}\n"),
        ErrorCase("Vmfile version 2 is not supported", at: 1, 10, "version: 2\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("the Vmfile has no `machines`", at: 1, 1, "version: 1\n"),
        ErrorCase("`machines` is empty", at: 2, 1, "version: 1\nmachines: {}\n"),
        ErrorCase("unknown key `machine` in the Vmfile", at: 2, 1, "version: 1\nmachine:\n  m: {box: tiny}\n"),
        ErrorCase("YAML syntax error", at: 4, 1, "version: 1\nmachines:\n  m: {box: tiny\n"),
        ErrorCase("YAML syntax error: found character that cannot start any token", at: 3, 1,
                  "version: 1\nmachines:\n\tm: {box: tiny}\n"),
        ErrorCase("YAML syntax error: mapping values are not allowed", at: 3, 9, "version: 1\nmachines:\n  m: box: tiny\n"),
        ErrorCase("duplicate key `box`", at: 5, 5, "version: 1\nmachines:\n  m:\n    box: tiny\n    box: other\n"),
        ErrorCase("duplicate key `m`", at: 4, 3, "version: 1\nmachines:\n  m: {box: tiny}\n  m: {box: tiny}\n"),
        ErrorCase("duplicate key `cpus`", at: 3, 27, "version: 1\nmachines:\n  m: {box: tiny, cpus: 1, cpus: 2}\n"),
        ErrorCase("machine `b` is marked primary, but so is `a`", at: 4, 27,
                  "version: 1\nmachines:\n  a: {box: tiny, primary: true}\n  b: {box: tiny, primary: true}\n"),
        ErrorCase("host port 127.0.0.1:8080/tcp is already forwarded by machine `a`", at: 6, 54, """
            version: 1
            machines:
              a:
                box: tiny
                forwarded_ports: [{guest: 80, host: 8080}]
              b: {box: tiny, forwarded_ports: [{guest: 81, host: 8080}]}
            """),
        ErrorCase("host port 0.0.0.0:8080/tcp is already forwarded by this machine", at: 6, 41, """
            version: 1
            machines:
              a:
                box: tiny
                forwarded_ports: [{guest: 80, host: 8080, host_ip: 10.0.0.1},
                                  {guest: 81, host: 8080, host_ip: 0.0.0.0}]
            """),
        ErrorCase("`vlan` needs an Open vSwitch network", at: 3, 32,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/24, vlan: 5}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("network `n` uses Open vSwitch, which vmfile runs without NAT", at: 3, 45,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/24, switch: ovs, mode: nat}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("network `n` uses Open vSwitch, which vmfile runs without DHCP", at: 3, 45,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/24, switch: ovs, dhcp: true}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("network `n` uses Open vSwitch, without DHCP, so `dhcp: true` gets no address", at: 5, 39,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/24, switch: ovs}\nmachines:\n  m: {box: tiny, networks: [{private: n, dhcp: true}]}\n"),
        ErrorCase("`vlan` is 4095, outside the allowed range", at: 3, 45,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/24, switch: ovs, vlan: 4095}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("`10.0.0.1/24` is not a network address", at: 3, 13,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.1/24}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("`10.0.0.0` is not an IPv4 network in CIDR form", at: 3, 13,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("network `n` has no `cidr`", at: 3, 3,
                  "version: 1\nnetworks:\n  n: {dhcp: true}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("dhcp_range end 10.0.1.5 is outside 10.0.0.0/24", at: 3, 62,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/24, dhcp_range: {start: 10.0.0.10, end: 10.0.1.5}}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("network `b` (10.0.0.0/16) overlaps network `a` (10.0.5.0/24)", at: 4, 13,
                  "version: 1\nnetworks:\n  a: {cidr: 10.0.5.0/24}\n  b: {cidr: 10.0.0.0/16}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("uses private network `lba`, which is not declared", at: 7, 19,
                  privateNet("{private: lba, ip: 10.0.0.5}")),
        ErrorCase("ip 10.0.1.5 is outside 10.0.0.0/24 (network `lab`)", at: 7, 28, privateNet("{private: lab, ip: 10.0.1.5}")),
        ErrorCase("ip 10.0.0.0 is the network address of 10.0.0.0/24", at: 7, 28, privateNet("{private: lab, ip: 10.0.0.0}")),
        ErrorCase("ip 10.0.0.1 is the host's gateway address", at: 7, 28, privateNet("{private: lab, ip: 10.0.0.1}")),
        ErrorCase("ip 10.0.0.255 is the broadcast address", at: 7, 28, privateNet("{private: lab, ip: 10.0.0.255}")),
        ErrorCase("private network `lab` needs `ip:` or `dhcp: true`", at: 7, 19, privateNet("{private: lab}")),
        ErrorCase("has both `ip` and `dhcp: true`", at: 7, 38, privateNet("{private: lab, ip: 10.0.0.9, dhcp: true}")),
        ErrorCase("ip 10.0.0.9 on `lab` is already used by this machine", at: 8, 28,
                  privateNet("{private: lab, ip: 10.0.0.9}\n      - {private: lab, ip: 10.0.0.9}")),
        ErrorCase("ip 10.0.0.150 is inside the DHCP range 10.0.0.100–10.0.0.200 of `lab`", at: 7, 28, """
            version: 1
            networks:
              lab: {cidr: 10.0.0.0/24, dhcp_range: {start: 10.0.0.100, end: 10.0.0.200}}
            machines:
              m:
                networks:
                  - {private: lab, ip: 10.0.0.150}
                box: tiny
            """),
        ErrorCase("network `lab` has DHCP turned off, so `dhcp: true` gets no address", at: 7, 19, """
            version: 1
            networks:
              lab: {cidr: 10.0.0.0/24, dhcp: false}
            machines:
              m:
                networks:
                  - {private: lab, dhcp: true}
                box: tiny
            """),
        ErrorCase("`dhcp_range` is set but `dhcp` is false", at: 3, 51,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/24, dhcp: false, dhcp_range: {start: 10.0.0.5, end: 10.0.0.9}}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("dhcp_range start 10.0.0.9 is after its end 10.0.0.5", at: 3, 38,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/24, dhcp_range: {start: 10.0.0.9, end: 10.0.0.5}}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("`10.0.0.0/31` has a /31 prefix, outside /8–/30", at: 3, 13,
                  "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/31}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("network name `bad name` is not valid", at: 3, 3,
                  "version: 1\nnetworks:\n  bad name: {cidr: 10.0.0.0/24}\nmachines:\n  m: {box: tiny}\n"),
        ErrorCase("two forwarded ports have the id `tcp80`", at: 5, 48,
                  "version: 1\nmachines:\n  m:\n    box: tiny\n    forwarded_ports: [{guest: 80, host: 1080}, {guest: 80, host: 2080}]\n"),
        ErrorCase("provision step name `base` is already used by a top-level step", at: 7, 24,
                  "version: 1\nprovision:\n  - {name: base, shell: x}\nmachines:\n  m:\n    box: tiny\n    provision: [{name: base, shell: y}]\n"),
        ErrorCase("`MY-VAR` is not a valid environment variable name", at: 6, 26, machine("provision:\n  - {shell: x, env: {MY-VAR: 1}}")),
        ErrorCase("`mode` applies only to `dev:` (macvtap) public networks", at: 6, 35,
                  machine("networks:\n  - public: {bridge: b, mode: vepa}")),
        ErrorCase("`defaults` must be a mapping of machine keys, not a list", at: 2, 11,
                  "version: 1\ndefaults: [a]\nmachines:\n  m: {box: tiny}\n"),
    ]

    /// The source line with a caret under `column`, for failure messages.
    static func pointer(_ yaml: String, _ line: Int, _ column: Int) -> String {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return "(no such line)" }
        return String(lines[line - 1]) + "\n" + String(repeating: " ", count: max(0, column - 1)) + "^"
    }

    static func machine(_ body: String) -> String { Load.machineYAML(body) }

    static func privateNet(_ entry: String) -> String {
        "version: 1\nnetworks:\n  lab: {cidr: 10.0.0.0/24}\nmachines:\n  m:\n    networks: [\(entry)]\n    box: tiny\n"
            .replacingOccurrences(of: "networks: [\(entry)]", with: "networks:\n      - \(entry)")
    }

    @Test(arguments: machineCases + documentCases)
    func reportsAtTheValue(_ testCase: ErrorCase) throws {
        let diagnostics = try Load.diagnostics(testCase.yaml)
        let match = diagnostics.first { $0.message.contains(testCase.message) }
        #expect(match != nil, "no diagnostic contains \"\(testCase.message)\"; got: \(diagnostics.map(\.description))")
        if let match {
            #expect(match.line == testCase.line && match.column == testCase.column,
                    "at \(match.line):\(match.column), expected \(testCase.line):\(testCase.column)\n\(Self.pointer(testCase.yaml, match.line, match.column))")
            #expect(match.path == "Vmfile")
        }
        #expect(diagnostics.allSatisfy { $0.line >= 1 && $0.column >= 1 })
    }
}
