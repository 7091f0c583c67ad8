import Foundation
import Testing

/// The full kill matrix (opt-in, `VMFILE_E2E_LONG=1`: about one boot per cell): `kill -9` of a command
/// at each of its phases, at several delays after the phase line, then a rerun that must converge and
/// a `destroy` after which the leak auditor finds nothing. Prints the matrix (phase × delay → outcome).
@Suite(.serialized, .enabled(if: E2E.enabled && E2E.environment["VMFILE_E2E_LONG"] == "1", "opt-in: VMFILE_E2E_LONG=1"))
struct KillMatrixEndToEndTests {
    static let vmfile = """
        version: 1
        machines:
          k:
            box: tiny
            memory: 192MiB
            forwarded_ports:
              - {guest: 22, host: 2522, auto_correct: true}
            provision:
              - name: marker
                shell: sleep 1; echo provisioned > /tmp/marker
        """

    /// Phase lines of `up` (substrings of `==> k: …`), in order; "" kills right after the start.
    static let upPhases = ["", "k: box tiny", "k: defined", "k: started", "k: address", "k: ssh ready", "k: ready", "marker", "k: forwarded port"]
    static let delays: [Double] = [0, 0.3]

    struct Cell: CustomStringConvertible {
        var command: String, phase: String, delay: Double, outcome: String
        var description: String { "\(command) @ \(phase.isEmpty ? "(start)" : phase) +\(delay)s: \(outcome)" }
    }

    /// Starts `arguments`, kills it `delay` s after a stderr line contains `phase` (or after it exits).
    /// Returns whether the kill landed while the command still ran. Its stderr goes to `stderr` when
    /// given (the caller's to read and remove), else to a file removed afterwards.
    static func kill(_ sandbox: Sandbox, _ arguments: [String], at phase: String, after delay: Double, stderr: URL? = nil) throws -> Bool {
        let log = stderr ?? sandbox.directory.deletingLastPathComponent().appendingPathComponent("kill-\(UUID().uuidString).err")
        defer { if stderr == nil { try? FileManager.default.removeItem(at: log) } }
        let process = try sandbox.start(arguments, stderr: log)
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning, Date() < deadline,
              !phase.isEmpty, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains(phase) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        Thread.sleep(forTimeInterval: delay)
        let landed = process.isRunning
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return landed
    }

    @Test func everyPhaseOfUpHaltReloadDestroyConverges() throws {
        let sandbox = try Sandbox(vmfile: Self.vmfile)
        var cells: [Cell] = []
        func converge(_ cell: inout Cell, _ rerun: String...) throws {
            let output = try sandbox.run(rerun, environment: [:])
            cell.outcome += output.status == 0 ? "converged" : "RERUN FAILED: \(output.stderr.suffix(300))"
            #expect(output.status == 0, "\(cell): \(output)")
        }
        func destroyAndAudit(_ cell: inout Cell) throws {
            #expect(try sandbox.run("destroy", "-f").status == 0)
            let leaks = try sandbox.leftovers()
            cell.outcome += leaks.isEmpty ? ", clean" : ", LEAKS \(leaks)"
            #expect(leaks.isEmpty, "\(cell)")
        }

        for phase in Self.upPhases {
            for delay in Self.delays {
                var cell = Cell(command: "up", phase: phase, delay: delay, outcome: "")
                cell.outcome = try Self.kill(sandbox, ["up"], at: phase, after: delay) ? "killed, " : "finished first, "
                try converge(&cell, "up")
                let marker = try sandbox.run("ssh", "-c", "cat /tmp/marker")
                #expect(marker.stdout == "provisioned\n", "\(cell): \(marker)")
                try destroyAndAudit(&cell)
                cells.append(cell)
            }
        }
        for (command, phase) in [("halt", ""), ("halt", "k: halted"), ("reload", ""), ("reload", "k: started"), ("destroy", "")] {
            for delay in Self.delays {
                var cell = Cell(command: command, phase: phase, delay: delay, outcome: "")
                #expect(try sandbox.run("up").status == 0)
                cell.outcome = try Self.kill(sandbox, command == "destroy" ? [command, "-f"] : [command], at: phase, after: delay) ? "killed, " : "finished first, "
                switch command {
                case "halt": try converge(&cell, "halt"); #expect(try sandbox.states() == ["k": "shutoff"], "\(cell)")
                case "reload": try converge(&cell, "up"); #expect(try sandbox.run("ssh", "-c", "true").status == 0, "\(cell)")
                default: break
                }
                try destroyAndAudit(&cell)
                cells.append(cell)
            }
        }
        print("kill matrix:\n" + cells.map { "  \($0)" }.joined(separator: "\n"))
    }
}
