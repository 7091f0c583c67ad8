import Foundation
import Testing

/// Provisioning on real guests. Few boots: one machine goes up (with a reboot step), halt, up; two machines
/// come up together once for the failure case.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct ProvisionEndToEndTests {
    static let tricky = ["plain", "two words", "$HOME and ${USER}", "it's", "\"double\"", "a;b && c", "line1\nline2",
                         "grüße ✓ 日本", "", "*", "back\\slash", " lead", "trail ", "`id`"]

    /// A YAML double-quoted scalar (JSON strings are valid YAML).
    static func yaml(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    static var soloVmfile: String {
        let args = tricky.map(yaml).joined(separator: ", ")
        let env = tricky.enumerated().map { "E\($0.offset): \(yaml($0.element))" }.joined(separator: ", ")
        let printEnv = tricky.indices.map { "\"$E\($0)\"" }.joined(separator: " ")
        return """
            version: 1
            provision:
              - name: global-first
                privileged: false
                shell: echo "global:$(cat /home/vagrant/order 2>/dev/null | wc -l)"; echo global >> /home/vagrant/order
            machines:
              solo:
                box: tiny
                memory: 256MiB
                provision:
                  - name: quoting
                    privileged: false
                    args: [\(args)]
                    env: {\(env)}
                    shell: |
                      printf 'ARGS:'; for a in "$@"; do printf '[%s]' "$a"; done; echo
                      printf 'ENV:'; printf '<%s>' \(printEnv); echo
                  - name: order
                    privileged: false
                    shell: echo machine >> /home/vagrant/order
                  - name: root
                    shell: echo "uid:$(id -u)"
                  - name: user
                    privileged: false
                    shell: echo "uid:$(id -u)"
                  - name: once-count
                    shell: echo x >> /home/vagrant/once.log
                  - name: always-count
                    run: always
                    shell: echo x >> /home/vagrant/always.log
                  - name: from-path
                    path: setup.sh
                    args: ["an arg"]
                  - name: restart
                    reboot: true
                    shell: cat /proc/sys/kernel/random/boot_id > /home/vagrant/boot-before
                  - name: after-reboot
                    shell: cat /proc/sys/kernel/random/boot_id > /home/vagrant/boot-after; cut -d. -f1 /proc/uptime > /home/vagrant/uptime-after
                  - name: big1
                    run: never
                    privileged: false
                    shell: yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk | head -c 1048576
                  - name: big10
                    run: never
                    privileged: false
                    shell: yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk | head -c 10485760
                  - name: fails
                    run: never
                    shell: echo before-failure; echo oops >&2; exit 7
            """
    }

    static let setupScript = """
        #!/bin/sh
        echo "path-script:$1:$(id -u)"
        """

    @Test func stepsQuotingPrivilegeRebootStreamingAndOnceAlways() throws {
        let sandbox = try Sandbox(vmfile: Self.soloVmfile, files: ["setup.sh": Self.setupScript])

        let up = try sandbox.run("up")
        try #require(up.status == 0, "up failed: \(up)")
        let expectedArgs = "ARGS:" + Self.tricky.map { "[\($0)]" }.joined() + "\n"
        let expectedEnv = "ENV:" + Self.tricky.map { "<\($0)>" }.joined() + "\n"
        #expect(up.stdout.contains(expectedArgs), "\(up)")
        #expect(up.stdout.contains(expectedEnv), "\(up)")
        #expect(up.stdout.contains("global:0\n"))
        #expect(up.stdout.contains("uid:0\n"), "\(up)")
        #expect(!up.stdout.contains("solo | "), "one machine: raw output")
        #expect(up.stdout.contains("path-script:an arg:0\n"))
        #expect(up.stderr.contains("back after reboot") && !up.stderr.contains("not applied yet"), "\(up)")

        func guest(_ command: String) throws -> String {
            let result = try sandbox.run("ssh", "-c", "cd /home/vagrant && " + command)
            #expect(result.status == 0, "\(result)")
            return result.stdout
        }
        #expect(try guest("cat order") == "global\nmachine\n")
        let unprivileged = try guest("id -u").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(unprivileged != "0" && up.stdout.contains("uid:\(unprivileged)\n"))
        // The reboot happened: a new boot id, and the step after it ran early in the new boot.
        let boots = try guest("cat boot-before boot-after").split(separator: "\n")
        #expect(boots.count == 2 && boots[0] != boots[1], "\(boots)")
        let uptimeAfter = Int(try guest("cat uptime-after").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect((0..<120).contains(uptimeAfter), "uptime right after the reboot: \(uptimeAfter) s")

        // Output streams with flat memory: 10 MiB costs no more than 1 MiB (plus noise).
        let small = try sandbox.runMeasured("provision", "--step", "big1")
        let large = try sandbox.runMeasured("provision", "--step", "big10")
        #expect(small.output.status == 0 && large.output.status == 0, "\(small.output)\n\(large.output)")
        #expect(small.output.stdout.utf8.count == 1_048_576 && large.output.stdout.utf8.count == 10_485_760)
        #expect(large.maxRSSKiB < small.maxRSSKiB + 4096, "max RSS 1 MiB: \(small.maxRSSKiB) KiB, 10 MiB: \(large.maxRSSKiB) KiB")
        print("provision output max RSS: 1 MiB → \(small.maxRSSKiB) KiB, 10 MiB → \(large.maxRSSKiB) KiB")

        // A failing step: exit status, step name and its last lines; vmfile exits non-zero naming the machine.
        let failed = try sandbox.run("provision", "--step", "fails")
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("'fails'") && failed.stderr.contains("exit status 7"), "\(failed)")
        #expect(failed.stderr.contains("before-failure") && failed.stderr.contains("oops"), "\(failed)")
        #expect(failed.stderr.contains("failed: solo"), "\(failed)")

        // once/always across halt → up, up on a running machine, --no-provision.
        #expect(try sandbox.run("halt").status == 0)
        let again = try sandbox.run("up")
        try #require(again.status == 0, "\(again)")
        #expect(!again.stdout.contains("ARGS:") && !again.stderr.contains("rebooting"), "\(again)")
        func lines(_ file: String) throws -> String {
            try guest("wc -l < \(file)").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try lines("once.log") == "1")
        #expect(try lines("always.log") == "2")
        #expect(try sandbox.run("up").status == 0)
        #expect(try lines("always.log") == "3")
        #expect(try sandbox.run("up", "--no-provision").status == 0)
        #expect(try lines("always.log") == "3")
        #expect(try guest("cat order") == "global\nmachine\n")
    }

    @Test func aFailingStepStopsOnlyItsMachine() throws {
        let sandbox = try Sandbox(vmfile: """
            version: 1
            defaults:
              box: tiny
              memory: 256MiB
            machines:
              good:
                provision:
                  - {name: one, shell: echo first line}
                  - {name: two, shell: "echo done > /home/vagrant/done; echo second line"}
              bad:
                provision:
                  - {name: breaks, shell: "echo about to fail; exit 3"}
                  - {name: unreached, shell: touch /home/vagrant/unreached}
            """)
        let up = try sandbox.run("up")
        #expect(up.status != 0)
        #expect(up.stderr.contains("error: failed: bad") && !up.stderr.contains("failed: good"), "\(up)")
        #expect(up.stderr.contains("'breaks'") && up.stderr.contains("exit status 3") && up.stderr.contains("about to fail"), "\(up)")
        #expect(up.stdout.contains("good | first line\n") && up.stdout.contains("good | second line\n"), "\(up)")
        #expect(up.stdout.contains("bad | about to fail\n"), "\(up)")
        let done = try sandbox.run("ssh", "good", "-c", "cat /home/vagrant/done")
        #expect(done.stdout == "done\n", "\(done)")
        let unreached = try sandbox.run("ssh", "bad", "-c", "test -e /home/vagrant/unreached || echo absent")
        #expect(unreached.stdout == "absent\n", "\(unreached)")
    }
}
