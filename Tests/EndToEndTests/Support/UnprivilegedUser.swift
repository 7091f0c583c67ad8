import Foundation
import Testing

/// A throwaway non-root user (not in the libvirt group) with a home under a fresh temp directory,
/// holding its own copies of the vmfile binary and the tiny box, so nothing permanent is made
/// readable to it. `remove()` ends every process of the user (its session libvirtd and virtlogd
/// included), deletes the user and its files, and says what it had to clean up.
final class UnprivilegedUser {
    let name: String
    let uid: Int
    let root: URL
    let home: URL
    let binary: URL
    let box: URL
    private var removed = false

    init() throws {
        if E2E.required {
            try #require(E2E.missing.isEmpty, "VMFILE_E2E=1 but missing: \(E2E.missing.joined(separator: "; "))")
        }
        try #require(geteuid() == 0, "creating a test user needs root")
        name = "vmfe2e\(UUID().uuidString.prefix(6).lowercased())"
        root = URL(fileURLWithPath: "/tmp/vmfile-e2e-user-\(name)")
        home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        let added = try runProcess("/usr/sbin/useradd", ["--create-home", "--home-dir", home.path, "--shell", "/bin/sh",
                                                         "--user-group", name])
        try #require(added.status == 0, "useradd failed: \(added)")
        let id = try runProcess("/usr/bin/id", ["-u", name])
        uid = try #require(Int(id.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "no uid for \(name): \(id)")
        binary = home.appendingPathComponent("bin/vmfile")
        box = home.appendingPathComponent("tiny-box")
        do {
            try FileManager.default.createDirectory(at: binary.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: E2E.binary, to: binary)
            try FileManager.default.createDirectory(at: box, withIntermediateDirectories: true)
            for file in ["metadata.json", "box.img"] {
                try FileManager.default.copyItem(at: E2E.tinyBox.appendingPathComponent(file), to: box.appendingPathComponent(file))
            }
            let owned = try runProcess("/bin/chown", ["-R", "\(name):\(name)", home.path])
            try #require(owned.status == 0, "chown failed: \(owned)")
        } catch {
            _ = try? remove()
            throw error
        }
    }

    deinit { _ = try? remove() }

    /// Runs `executable` as the user in `directory` with a clean environment (HOME, PATH, `extra`).
    @discardableResult
    func run(_ executable: String, _ arguments: [String], in directory: URL? = nil,
             environment extra: [String: String] = [:]) throws -> ProcessOutput {
        var environment = ["HOME=\(home.path)", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "USER=\(name)", "LOGNAME=\(name)"]
        environment += extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try runProcess("/usr/sbin/runuser", ["-u", name, "--", "/usr/bin/env", "-i"] + environment + [executable] + arguments,
                              in: directory)
    }

    /// Runs the user's copy of vmfile.
    @discardableResult
    func vmfile(_ arguments: String..., in directory: URL) throws -> ProcessOutput {
        try run(binary.path, arguments, in: directory)
    }

    /// Writes `text` to `path` (relative to the home), owned by the user.
    func write(_ text: String, to path: String) throws -> URL {
        let url = home.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        let owned = try runProcess("/bin/chown", ["-R", "\(name):\(name)", home.path])
        try #require(owned.status == 0, "chown failed: \(owned)")
        return url
    }

    /// `virsh -c qemu:///session` as the user.
    func virsh(_ arguments: String...) throws -> ProcessOutput {
        try run("/usr/bin/virsh", ["-q", "-c", "qemu:///session"] + arguments)
    }

    /// Process ids and command lines of the user's processes.
    func processes() -> [(pid: Int32, command: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> (Int32, String)? in
            guard let pid = Int32(entry),
                  let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
                  line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().contains(where: { Int($0) == uid })
            else { return nil }
            let command = (try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8))?
                .replacingOccurrences(of: "\0", with: " ") ?? "?"
            return (pid, command)
        }
    }

    /// Ends the user's processes (TERM, then KILL after 5 s), deletes the user, its home and the
    /// temp directory. Returns the processes that were still running.
    @discardableResult
    func remove() throws -> [String] {
        guard !removed else { return [] }
        removed = true
        let found = processes()
        for process in found { kill(process.pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(5)
        while !processes().isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        for process in processes() { kill(process.pid, SIGKILL) }
        while !processes().isEmpty, Date() < deadline.addingTimeInterval(5) { Thread.sleep(forTimeInterval: 0.1) }
        let deleted = try runProcess("/usr/sbin/userdel", ["--remove", name])
        try? FileManager.default.removeItem(at: root)
        if deleted.status != 0 { throw SandboxError(message: "userdel \(name) failed: \(deleted)") }
        return found.map { "\($0.pid) \($0.command)" }
    }
}
