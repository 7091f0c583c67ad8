import Foundation
import Testing

/// One end-to-end project: a temp directory with a Vmfile, a private vmfile home whose store holds
/// the tiny box, and cleanup that destroys the project's machines and checks nothing leaked —
/// also when the test failed.
final class Sandbox {
    let directory: URL
    let home: URL
    let vmfilePath: URL

    init(vmfile: String, files: [String: String] = [:]) throws {
        if E2E.required {
            try #require(E2E.missing.isEmpty, "VMFILE_E2E=1 but missing: \(E2E.missing.joined(separator: "; "))")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-e2e-\(UUID().uuidString.prefix(8))")
        directory = root.appendingPathComponent("project")
        home = root.appendingPathComponent("home")
        vmfilePath = directory.appendingPathComponent("Vmfile")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try vmfile.write(to: vmfilePath, atomically: true, encoding: .utf8)
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let added = try run("box", "add", "tiny", E2E.tinyBox.path)
        try #require(added.status == 0, "box add failed: \(added)")
    }

    /// Runs `body` in a new sandbox, then always — also when `body` threw or an expectation failed —
    /// destroys the project's machines and records as test issues whatever the leak auditor still
    /// finds of the project (domains, snapshots, volumes, networks, reservations, nft rules, OVS
    /// bridges, QEMU and dnsmasq processes) on the connection the project used.
    static func with<T>(
        vmfile: String, files: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation,
        _ body: (Sandbox) throws -> T
    ) throws -> T {
        let sandbox = try Sandbox(vmfile: vmfile, files: files)
        let project = try? sandbox.projectID()
        let result: Result<T, any Error> = Result { try body(sandbox) }
        sandbox.tearDown(project: project, sourceLocation: sourceLocation)
        return try result.get()
    }

    /// `destroy --force`, then the leak audit of `project` (nil: the sandbox never knew its id).
    private func tearDown(project: String?, sourceLocation: SourceLocation) {
        do {
            let destroyed = try run("destroy", "--force")
            if destroyed.status != 0 { Issue.record("teardown: destroy --force failed: \(destroyed)", sourceLocation: sourceLocation) }
            guard let project else {
                Issue.record("teardown: no project id, so no leak audit", sourceLocation: sourceLocation)
                return
            }
            let leaks = try leftovers(project: project)
            if !leaks.isEmpty { Issue.record("teardown: left behind: \(leaks.joined(separator: "; "))", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("teardown failed: \(error)", sourceLocation: sourceLocation)
        }
    }

    deinit {
        _ = try? run("destroy", "--force")
        try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
    }

    /// Edits the project's Vmfile in place.
    func rewriteVmfile(replacing old: String, with new: String) throws {
        let text = try String(contentsOf: vmfilePath, encoding: .utf8)
        guard text.contains(old) else { throw SandboxError(message: "the Vmfile has no '\(old)'") }
        try text.replacingOccurrences(of: old, with: new).write(to: vmfilePath, atomically: true, encoding: .utf8)
    }

    /// Runs vmfile in the project directory with the sandbox's home.
    @discardableResult
    func run(_ arguments: String...) throws -> ProcessOutput {
        try run(arguments, environment: [:])
    }

    /// Runs vmfile in the project directory with the sandbox's home and `environment` on top.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String]) throws -> ProcessOutput {
        try runProcess(E2E.binary.path, arguments, in: directory,
                       environment: environment.merging(["VMFILE_HOME": home.path]) { $1 })
    }

    /// Runs vmfile under `/usr/bin/time` and returns its output and its peak resident set size in KiB.
    func runMeasured(_ arguments: String...) throws -> (output: ProcessOutput, maxRSSKiB: Int) {
        var output = try runProcess("/usr/bin/time", ["-f", "vmfile-maxrss-kib=%M", E2E.binary.path] + arguments,
                                    in: directory, environment: ["VMFILE_HOME": home.path])
        let marker = "vmfile-maxrss-kib="
        guard let line = output.stderr.split(separator: "\n").last(where: { $0.hasPrefix(marker) }),
              let kib = Int(line.dropFirst(marker.count)) else {
            throw SandboxError(message: "no RSS figure from /usr/bin/time: \(output)")
        }
        output.stderr = output.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix(marker) }.joined(separator: "\n")
        return (output, kib)
    }

    /// Starts vmfile without waiting (for kill tests); its stderr goes to `stderr` when given.
    func start(_ arguments: String..., environment: [String: String] = [:], stderr: URL? = nil) throws -> Process {
        try start(arguments, environment: environment, stderr: stderr)
    }

    /// `start` with the arguments as an array.
    func start(_ arguments: [String], environment: [String: String] = [:], stderr: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = E2E.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            .merging(["VMFILE_HOME": home.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        if let stderr {
            FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// `status --json` as name → state.
    func states() throws -> [String: String] {
        let output = try run("status", "--json")
        guard output.status == 0, let data = output.stdout.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let machines = json["machines"] as? [[String: Any]] else {
            Issue.record("status --json failed: \(output)")
            return [:]
        }
        var states: [String: String] = [:]
        for machine in machines {
            if let name = machine["name"] as? String, let state = machine["state"] as? String { states[name] = state }
        }
        return states
    }

    /// What the leak auditor (`scripts/audit --project ID`) still finds of this project: domains,
    /// snapshots, volumes, networks, reservations, nft chains, OVS bridges, QEMU and dnsmasq processes.
    func leftovers() throws -> [String] {
        try leftovers(project: try projectID())
    }

    /// `leftovers()` for a known project id, on the connection `status --json` says the project uses.
    func leftovers(project: String) throws -> [String] {
        let audit = try runProcess(E2E.repository.appendingPathComponent("scripts/audit").path,
                                   ["--project", project, "--uri", try connectionURI()])
        guard audit.status == 0 || audit.status == 1 else { throw SandboxError(message: "scripts/audit failed: \(audit)") }
        return audit.stdout.split(separator: "\n").map(String.init)
    }

    /// The libvirt URI the project's machines live on: the one its vmfile runs resolve, which for
    /// a sandbox (root, no Vmfile `libvirt.uri`) is `VMFILE_LIBVIRT_URI` or the system daemon.
    func connectionURI() throws -> String {
        ProcessInfo.processInfo.environment["VMFILE_LIBVIRT_URI"] ?? "qemu:///system"
    }

    /// The project id, read from the domain names `status --json` reports.
    func projectID() throws -> String {
        let output = try run("status", "--json")
        guard let data = output.stdout.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let machines = json["machines"] as? [[String: Any]],
              let domain = machines.first?["domain"] as? String,
              let name = machines.first?["name"] as? String else {
            throw SandboxError(message: "no domain name in status output: \(output)")
        }
        // vmfile-<project-id>-<machine>
        return String(domain.dropFirst("vmfile-".count).dropLast(name.count + 1))
    }
}

struct SandboxError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
