import Foundation
import Testing

/// The kill matrix of `vmfile build` (opt-in, `VMFILE_E2E_LONG=1`: two builds per cell): `kill -9` of
/// `vmfile build --add --force` at each of its phases, then the same command again, which must remove
/// what the killed build left, build, and leave exactly the box and its checksum in the output
/// directory, the box once in the store with nothing staged, and nothing of either build in libvirt.
/// Prints the matrix (phase → outcome).
@Suite(.serialized, .enabled(if: E2E.enabled && E2E.environment["VMFILE_E2E_LONG"] == "1", "opt-in: VMFILE_E2E_LONG=1"))
struct BuildKillMatrixEndToEndTests {
    /// Phase lines of `build` (substrings), in order; "" kills right after the start.
    static let phases = [
        "", "verified", "network vmfile-build-", "answer files at", "volumes", "build machine",
        "boot command typed", "installer finished", "SSH up", "provisioned", "shut down", "sha256 ", "added to the box store",
    ]
    static let command = ["build", "--add", "--force"]

    @Test func everyPhaseOfBuildConvergesOnTheSameCommandAgain() throws {
        try BuildEndToEndTests.requireISO()
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny}\n",
                         files: ["Boxfile": try BuildEndToEndTests.tinyInstallerBoxfile()]) { sandbox in
            defer { _ = try? sandbox.run("box", "remove", "vmfile/tiny-installed", "--all") }
            var matrix: [String] = []
            for phase in Self.phases {
                let log = sandbox.directory.deletingLastPathComponent().appendingPathComponent("build-kill.err")
                defer { try? FileManager.default.removeItem(at: log) }
                let landed = try KillMatrixEndToEndTests.kill(sandbox, Self.command, at: phase, after: 0, stderr: log)
                let killedLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                // Killed at the very start, a build may not have printed its name yet (and made nothing).
                let killedID = killedLog.contains("build vmfile-build-")
                    ? try BuildEndToEndTests.buildID(ProcessOutput(status: 0, stdout: "", stderr: killedLog)) : nil

                let rerun = try sandbox.run(Self.command, environment: [:])
                var outcome = (landed ? "killed, " : "finished first, ") + (rerun.status == 0 ? "rerun built" : "RERUN FAILED")
                if rerun.stderr.contains("removed what an earlier, interrupted build") { outcome += " (removed the killed build's leftovers)" }
                #expect(rerun.status == 0, "\(phase): \(rerun)")
                if let killedID {
                    let leaks = try BuildEndToEndTests.buildLeftovers(killedID)
                    if !leaks.isEmpty { outcome += ", LEAKS \(leaks)" }
                    #expect(leaks.isEmpty, "\(phase): the killed build left \(leaks)")
                }
                let rerunID = try BuildEndToEndTests.buildID(rerun)
                #expect(try BuildEndToEndTests.buildLeftovers(rerunID).isEmpty, "\(phase)")
                let output = sandbox.directory.appendingPathComponent("output")
                let files = (try? FileManager.default.contentsOfDirectory(atPath: output.path).sorted()) ?? []
                #expect(files == ["vmfile-tiny-installed-1.0.0.box", "vmfile-tiny-installed-1.0.0.box.sha256"], "\(phase): \(files)")
                let listed = try sandbox.run("box", "list").stdout.split(separator: "\n").filter { $0.contains("vmfile/tiny-installed") }
                #expect(listed.count == 1, "\(phase): \(listed)")
                let staged = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.home.appendingPathComponent("boxes/.staging").path)) ?? []
                #expect(staged.isEmpty, "\(phase): staged adds left behind: \(staged)")
                matrix.append("build @ \(phase.isEmpty ? "(start)" : phase): \(outcome)")
            }
            print("build kill matrix:\n" + matrix.map { "  \($0)" }.joined(separator: "\n"))
        }
    }
}
