import Foundation
import Testing
import TestSupport

/// Hostile input through the real binary, not only the parser: seeded random Vmfiles, many carrying
/// shell, XML and path injection strings, go through `validate`, `status --json`, `ssh-config` and (when
/// invalid) `up`. No run may crash, hang, run an injected command or leave anything behind. Then each
/// name sink the CLI takes directly (snapshot, box and project names) is tried with the same strings.
/// No guest boots here: a valid mutated Vmfile is never brought up.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs the vmfile binary and libvirt (set VMFILE_E2E=1 to require them)"))
struct HostileInputEndToEndTests {
    static let seeds: [UInt64] = [7, 2026, 0xBAD_F00D]
    static let long = E2E.environment["VMFILE_E2E_LONG"] == "1"
    static let iterationsPerSeed = long ? 400 : 40

    /// Where an injected command would leave its trace.
    static func marker(in directory: URL) -> String { directory.appendingPathComponent("INJECTED").path }

    /// Strings that would run a command, break out of XML or escape a directory if passed on unescaped.
    static func hostile(marker: String) -> [String] {
        [
            "$(touch \(marker))", "`touch \(marker)`", "'; touch \(marker); '", "\"; touch \(marker); \"",
            "a && touch \(marker)", "x\ntouch \(marker)", "<x/>", "]]><evil/>", "&amp;", "a'b\"c<d>e&f",
            "../../../etc/passwd", "/etc/shadow", "..", "-rf", "--connect=test:///default", "%s%n", "\\\\",
            "é\u{202E}txt", String(repeating: "a", count: 300),
        ]
    }

    static let base = """
        version: 1
        networks:
          lab: {cidr: 192.168.77.0/24}
        provision:
          - {name: base, shell: "echo hi", args: [a], env: {X: y}}
        machines:
          web:
            box: tiny
            hostname: web.test
            memory: 256MiB
            forwarded_ports:
              - {guest: 80, host: 18080}
            networks:
              - {private: lab, ip: 192.168.77.10}
            synced_folders:
              - {host: ., guest: /srv/app, exclude: [".git/"]}
            provision:
              - name: step
                shell: echo step
                env: {GREETING: hello}
        """

    /// Keys whose values reach a name, a path, a shell or XML somewhere in vmfile.
    static let sinkKeys = ["box", "hostname", "host", "guest", "private", "name", "shell", "GREETING", "X", "cidr", "memory"]

    /// One to three edits: a sink key's value replaced by a hostile string (YAML-quoted or bare), a
    /// machine or network renamed to one, or a line cut, duplicated or dropped.
    static func mutate(_ text: String, hostile: [String], using rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let value = hostile.randomElement(using: &rng) ?? ""
            let quoted = Bool.random(using: &rng) ? yamlQuoted(value) : value
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1, 2:
                let key = sinkKeys.randomElement(using: &rng) ?? "box"
                lines = lines.map { line in
                    guard let range = line.range(of: "\(key): ") else { return line }
                    let rest = line[range.upperBound...]
                    let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
                    return String(line[..<range.upperBound]) + quoted + String(rest[end...])
                }
            case 3:
                let renamed = ["  web:", "  lab:"].randomElement(using: &rng) ?? "  web:"
                lines = lines.map { $0 == renamed ? "  \(yamlQuoted(value)):" : $0 }
            case 4 where !lines.isEmpty:
                let index = Int.random(in: 0..<lines.count, using: &rng)
                lines.insert(lines[index], at: index)
            default:
                if !lines.isEmpty { lines.remove(at: Int.random(in: 0..<lines.count, using: &rng)) }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A YAML double-quoted scalar (JSON strings are valid YAML).
    static func yamlQuoted(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    @Test(arguments: seeds)
    func mutatedVmfilesThroughTheBinaryNeverCrashHangOrInject(seed: UInt64) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-hostile-\(seed)-\(UUID().uuidString.prefix(6))")
        // The project directory's own name is hostile too: it reaches domain names and state paths.
        let project = root.appendingPathComponent("fz\(seed) it's $(x) <y>")
        let home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let marker = Self.marker(in: root)
        let hostile = Self.hostile(marker: marker)
        let environment = ["VMFILE_HOME": home.path]
        let added = try runBounded(E2E.binary.path, ["box", "add", "tiny", E2E.tinyBox.path], in: project, environment: environment)
        try #require(added.status == 0, "box add failed: \(added)")

        var rng = SplitMix64(seed: seed)
        var outcomes = (valid: 0, invalid: 0)
        for iteration in 0..<Self.iterationsPerSeed {
            let text = Self.mutate(Self.base, hostile: hostile, using: &rng)
            try text.write(to: project.appendingPathComponent("Vmfile"), atomically: true, encoding: .utf8)
            let context = "seed \(seed) iteration \(iteration):\n\(text)"
            let validate = try runBounded(E2E.binary.path, ["validate"], in: project, environment: environment)
            #expect(validate.status == 0 || validate.status == 1, "validate: \(validate)\n\(context)")
            if validate.status == 0 {
                outcomes.valid += 1
                for command in [["status", "--json"], ["ssh-config"]] {
                    let output = try runBounded(E2E.binary.path, command, in: project, environment: environment)
                    #expect(output.status == 0 || output.status == 1, "\(command): \(output)\n\(context)")
                }
            } else {
                outcomes.invalid += 1
                #expect(validate.stderr.contains("error:"), "validate said nothing useful: \(validate)\n\(context)")
                let up = try runBounded(E2E.binary.path, ["up"], in: project, environment: environment)
                #expect(up.status == 1, "up of an invalid Vmfile: \(up)\n\(context)")
                #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent(".vmfile/machines").path),
                        "up of an invalid Vmfile made machine state\n\(context)")
            }
            #expect(!FileManager.default.fileExists(atPath: marker), "an injected command ran\n\(context)")
            if FileManager.default.fileExists(atPath: marker) { break }
        }
        // Both outcomes must occur, or the mutations are too weak (or too strong) to test the sinks.
        #expect(outcomes.valid > 0 && outcomes.invalid > 0, "\(outcomes)")
        // The project's id always starts with its directory's slug ("fz<seed>-it-s…"): nothing of it is in libvirt.
        let audit = try runBounded(E2E.repository.appendingPathComponent("scripts/audit").path, ["--project", "fz\(seed)-"],
                                   in: project, environment: [:])
        #expect(audit.status == 0, "left behind: \(audit)")
    }

    @Test func hostileNamesGivenToTheCLIAreRefusedBeforeAnythingIsMade() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-hostile-names-\(UUID().uuidString.prefix(6))")
        let project = root.appendingPathComponent("project")
        let home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "version: 1\nmachines:\n  solo: {box: tiny}\n".write(to: project.appendingPathComponent("Vmfile"), atomically: true, encoding: .utf8)
        let marker = Self.marker(in: root)
        let environment = ["VMFILE_HOME": home.path]
        for name in Self.hostile(marker: marker) + ["", "-x", ".hidden", "a b", "a/b/c"] {
            for arguments in [["snapshot", "save", name], ["snapshot", "restore", name], ["snapshot", "delete", name],
                              ["box", "add", name, E2E.tinyBox.path], ["box", "remove", name], ["up", name]] {
                let output = try runBounded(E2E.binary.path, arguments, in: project, environment: environment)
                #expect(output.status != 0, "\(arguments) was accepted: \(output)")
                #expect(output.status < 128, "\(arguments) crashed: \(output)")
                #expect(output.stderr.contains("error") || output.stderr.contains("Error"), "\(arguments) gave no error: \(output)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: marker), "an injected command ran")
        let store = home.appendingPathComponent("boxes")
        let stored = ((try? FileManager.default.contentsOfDirectory(atPath: store.path)) ?? []).filter { !$0.hasPrefix(".") }
        #expect(stored.isEmpty, "a hostile box name reached the store: \(stored)")
        // Nothing escaped the sandbox through a path-like name.
        let outside = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        #expect(Set(outside).isSubset(of: ["project", "home"]), "files appeared outside: \(outside)")
        #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent(".vmfile/snapshots").path))
    }
}

/// `runProcess` with a deadline: a run still going after `seconds` is killed and recorded as a hang.
func runBounded(_ executable: String, _ arguments: [String], in directory: URL, environment: [String: String],
                seconds: TimeInterval = 60) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-e2e-out-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
        Issue.record("hang: \(executable) \(arguments) ran longer than \(Int(seconds)) s")
    }
    process.waitUntilExit()
    // A signal death shows as 128 + signal, as a shell reports it.
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return ProcessOutput(status: status,
                         stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}
