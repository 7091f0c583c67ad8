import Foundation
import Testing

/// Two projects of three machines each brought up at the same moment (opt-in, `VMFILE_E2E_LONG=1`:
/// six guests on two cores). Both `up`s succeed, every machine answers over SSH with its own name and
/// its own address, the two projects' names, disks and networks stay apart, and after both `destroy`s
/// the leak auditor finds nothing of either project.
@Suite(.serialized, .enabled(if: E2E.enabled && E2E.environment["VMFILE_E2E_LONG"] == "1", "opt-in: VMFILE_E2E_LONG=1"))
struct ConcurrencyEndToEndTests {
    static func vmfile(subnet: Int) -> String {
        """
        version: 1
        networks:
          back: {cidr: 192.168.\(subnet).0/24}
        defaults:
          box: tiny
          memory: 160MiB
          boot_timeout: 600
        machines:
          a: {networks: [{private: back, ip: 192.168.\(subnet).11}]}
          b: {networks: [{private: back, ip: 192.168.\(subnet).12}]}
          c: {networks: [{private: back, ip: 192.168.\(subnet).13}]}
        """
    }

    @Test func twoProjectsOfThreeMachinesComeUpAtOnce() throws {
        try Sandbox.with(vmfile: Self.vmfile(subnet: 231)) { first in
            try Sandbox.with(vmfile: Self.vmfile(subnet: 232)) { second in
                let logs = [first, second].map { $0.directory.deletingLastPathComponent().appendingPathComponent("up.err") }
                let started = Date()
                let ups = try zip([first, second], logs).map { try $0.start("up", stderr: $1) }
                for up in ups { up.waitUntilExit() }
                let wall = Date().timeIntervalSince(started)
                for (index, up) in ups.enumerated() {
                    let log = (try? String(contentsOf: logs[index], encoding: .utf8)) ?? ""
                    #expect(up.terminationStatus == 0, "project \(index + 1)'s up failed:\n\(log)")
                }
                print("two projects x 3 machines up at once: \(String(format: "%.1f", wall)) s")

                var domains: Set<String> = []
                for (sandbox, subnet) in [(first, 231), (second, 232)] {
                    #expect(try sandbox.states() == ["a": "running", "b": "running", "c": "running"])
                    for (machine, last) in [("a", 11), ("b", 12), ("c", 13)] {
                        let answer = try sandbox.run("ssh", machine, "-c", "hostname; ip -4 -o addr show")
                        #expect(answer.status == 0 && answer.stdout.hasPrefix("\(machine)\n"), "\(machine): \(answer)")
                        #expect(answer.stdout.contains("192.168.\(subnet).\(last)/24"), "\(machine) lacks its private address: \(answer)")
                    }
                    let status = try sandbox.run("status", "--json")
                    for line in status.stdout.split(separator: "\n") where line.contains("\"domain\"") {
                        domains.insert(String(line))
                    }
                }
                #expect(domains.count == 6, "six distinct domains: \(domains)")
            }
        }
    }
}
