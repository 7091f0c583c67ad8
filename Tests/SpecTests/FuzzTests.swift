import Testing
import TestSupport
@testable import Spec

/// Thousands of seeded random edits of valid Vmfiles: the loader must never crash and must always
/// answer with a model or with located diagnostics.
@Suite struct FuzzTests {
    static let seeds: [UInt64] = [1, 2, 3, 42, 1337, 0xC0FFEE, 0xDEAD_BEEF, 20_261_122]
    static let iterationsPerSeed = 400

    static let bases: [String] = [
        """
        version: 1
        machines:
          hello:
            box: tiny
            memory: 256MiB
            cpus: 1
            forwarded_ports:
              - guest: 80
                host: 8080
            provision:
              - name: greet
                run: always
                shell: echo hello from $(hostname)
        """,
        DefaultsMergeTests.yaml,
        """
        version: 1
        libvirt: {uri: "qemu:///system"}
        networks:
          lab: {cidr: 192.168.56.0/24, dhcp_range: {start: 192.168.56.100, end: 192.168.56.200}}
          ovs: {cidr: 10.9.0.0/16, switch: ovs, vlan: 12, dhcp: false}
        provision:
          - {name: base, shell: "true", args: [a, 1], env: {X: y}}
        machines:
          web:
            box: tiny
            box_version: "~> 1.2"
            primary: true
            disk: 10GiB
            hostname: web.test
            networks:
              - private: lab
                ip: 192.168.56.10
              - {private: ovs, ip: 10.9.0.5, auto_config: false}
              - public: {dev: eth0, mode: vepa}
            synced_folders:
              - {host: ., guest: /vagrant, type: virtiofs}
            ssh: {username: root, port: 22, insert_key: false}
            boot_timeout: 60
          db: {box: tiny, autostart: false, networks: [{private: lab, dhcp: true}]}
        """,
    ]

    static let junk: [String] = [
        ":", "-", " ", "\n", "{", "}", "[", "]", "\"", "'", "#", "&a ", "*a", "!", "|", ">", "\t", "a", "0", ",",
        "? ", "---\n", "\r", "é", "%", "@", "`", "~", "<<: ", "\u{FEFF}",
    ]
    static let wrongValues: [String] = [
        "[]", "{}", "-1", "0", "true", "\"x\"", "99999999999999999999", "~", "", "[1, [2]]", "{a: b}", "1.5",
        "0.0.0.0", "10.0.0.1/8", "1e99G", "-", "*undefined", "&anchor x", "!!binary aGk=", "\"\"",
    ]
    static let keys: [String] = MachineReader.keys + DocumentReader.keys + ["bogus", "private", "public", "ip", "<<"]

    static func mutate(_ text: String, using rng: inout SplitMix64) -> String {
        var scalars = Array(text.unicodeScalars)
        let edits = Int.random(in: 1...4, using: &rng)
        for _ in 0..<edits {
            let position = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !scalars.isEmpty:
                scalars.removeSubrange(position..<min(scalars.count, position + Int.random(in: 1...8, using: &rng)))
            case 1 where !scalars.isEmpty:
                let end = min(scalars.count, position + Int.random(in: 1...40, using: &rng))
                scalars.insert(contentsOf: scalars[position..<end], at: position)
            case 2:
                let piece = junk.randomElement(using: &rng) ?? " "
                scalars.insert(contentsOf: piece.unicodeScalars, at: position)
            case 3:
                // Replace the value after a `: ` with a value of a wrong type.
                var lines = String(String.UnicodeScalarView(scalars)).split(separator: "\n", omittingEmptySubsequences: false)
                    .map(String.init)
                let index = Int.random(in: 0..<max(1, lines.count), using: &rng)
                if index < lines.count, let colon = lines[index].range(of: ": ") {
                    lines[index] = String(lines[index][..<colon.upperBound]) + (wrongValues.randomElement(using: &rng) ?? "")
                }
                scalars = Array(lines.joined(separator: "\n").unicodeScalars)
            case 4:
                // Insert a random key at a random indentation on a new line.
                var lines = String(String.UnicodeScalarView(scalars)).split(separator: "\n", omittingEmptySubsequences: false)
                    .map(String.init)
                let indent = String(repeating: " ", count: 2 * Int.random(in: 0...3, using: &rng))
                let line = indent + (keys.randomElement(using: &rng) ?? "x") + ": " + (wrongValues.randomElement(using: &rng) ?? "")
                lines.insert(line, at: Int.random(in: 0...lines.count, using: &rng))
                scalars = Array(lines.joined(separator: "\n").unicodeScalars)
            case 5:
                scalars = Array(scalars.prefix(position))
            default:
                // Duplicate a whole line (makes duplicate keys).
                var lines = String(String.UnicodeScalarView(scalars)).split(separator: "\n", omittingEmptySubsequences: false)
                    .map(String.init)
                if !lines.isEmpty {
                    let index = Int.random(in: 0..<lines.count, using: &rng)
                    lines.insert(lines[index], at: index)
                }
                scalars = Array(lines.joined(separator: "\n").unicodeScalars)
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    @Test(arguments: seeds)
    func mutatedVmfilesNeverCrashAndAlwaysAnswer(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        try TemporaryDirectory.with { directory in
            var outcomes = (valid: 0, invalid: 0)
            for iteration in 0..<Self.iterationsPerSeed {
                let base = Self.bases[iteration % Self.bases.count]
                let text = Self.mutate(base, using: &rng)
                do {
                    let vmfile = try VmfileLoader.parse(yaml: text, path: "Vmfile", baseDirectory: directory.path)
                    #expect(!vmfile.machines.isEmpty, "seed \(seed) iteration \(iteration)")
                    outcomes.valid += 1
                } catch let error as VmfileErrors {
                    outcomes.invalid += 1
                    let lineCount = YAMLComposer.splitLines(text).lines.count
                    #expect(!error.diagnostics.isEmpty, "seed \(seed) iteration \(iteration)")
                    for diagnostic in error.diagnostics {
                        #expect(diagnostic.line >= 1 && diagnostic.column >= 1 && !diagnostic.message.isEmpty,
                                "seed \(seed) iteration \(iteration): \(diagnostic)")
                        #expect(diagnostic.line <= lineCount + 1,
                                "seed \(seed) iteration \(iteration): line beyond the text: \(diagnostic)\n\(text)")
                    }
                }
            }
            // Both outcomes must occur, or the mutations are too weak (or too strong) to mean anything.
            #expect(outcomes.valid > 0 && outcomes.invalid > 0, "\(outcomes)")
        }
    }

    @Test func generatorIsDeterministic() {
        var first = SplitMix64(seed: 7)
        var second = SplitMix64(seed: 7)
        #expect((0..<5).map { _ in first.next() } == (0..<5).map { _ in second.next() })
    }
}
