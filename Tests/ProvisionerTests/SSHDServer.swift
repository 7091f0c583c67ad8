import Foundation
import Testing
import Provisioner

/// A real OpenSSH or dropbear server on 127.0.0.1, started by a test with its own temp config, host key and
/// authorized keys, and killed when the test's scope ends (even on failure).
final class SSHDServer: @unchecked Sendable {
    enum Kind: String, Sendable { case openssh, dropbear }

    static let sshdPath = "/usr/sbin/sshd"
    static let dropbearPath = "/usr/sbin/dropbear"
    static let e2eRequired = ProcessInfo.processInfo.environment["VMFILE_E2E"] == "1"

    static func isInstalled(_ kind: Kind) -> Bool {
        FileManager.default.isExecutableFile(atPath: kind == .openssh ? sshdPath : dropbearPath)
    }

    /// Run these tests when the server is installed, or when CI demands them (then a missing server fails).
    static func shouldRun(_ kind: Kind) -> Bool { isInstalled(kind) || e2eRequired }

    let kind: Kind
    let directory: URL
    let user: String
    private(set) var port: Int
    private(set) var process: ChildProcess?
    private var userCreated = false
    /// OpenSSH only: whether to configure the sftp subsystem.
    private(set) var sftp = true

    private init(kind: Kind, directory: URL, user: String, port: Int) {
        self.kind = kind
        self.directory = directory
        self.user = user
        self.port = port
    }

    /// Starts a server accepting `authorizedKeys` (OpenSSH public key lines) for a temp user whose home is in
    /// the server's temp directory.
    static func start(_ kind: Kind = .openssh, authorizedKeys: [String], hostKeyType: String = "ed25519",
                      sftp: Bool = true, listen: Bool = true) throws -> SSHDServer {
        guard isInstalled(kind) else {
            let package = kind == .openssh ? "openssh-server openssh-sftp-server" : "dropbear-bin"
            throw FixtureError("\(kind.rawValue) is not installed; run `apt-get install -y \(package)` (required with VMFILE_E2E=1)")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("vmfile-sshd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // A temp user with /bin/sh as login shell: root's dotfiles (pyenv, …) would add ~0.5 s to every command.
        removeStaleUsers()
        let user = "vmfiletest\(UInt32.random(in: 10000...99999))"
        let server = SSHDServer(kind: kind, directory: directory, user: user, port: try freePort())
        server.sftp = sftp
        do {
            try server.prepare(authorizedKeys: authorizedKeys)
            try server.newHostKey(type: hostKeyType)
            if listen { try server.launch() }
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    var hostKeyPath: URL { directory.appendingPathComponent("host_key") }

    /// The host key as a pin, read from the server's public key file.
    func hostKeyPin() throws -> HostKeyPin {
        if kind == .dropbear {
            let line = try runTool("/usr/bin/dropbearkey", ["-y", "-f", hostKeyPath.path])
            guard let pub = line.split(separator: "\n").first(where: { $0.hasPrefix("ssh-") }) else {
                throw FixtureError("dropbearkey printed no public key")
            }
            return try HostKeyPin(openSSHLine: String(pub))
        }
        return try HostKeyPin(openSSHLine: String(contentsOf: hostKeyPath.appendingPathExtension("pub"), encoding: .utf8))
    }

    /// Replaces the host key (as a rebuilt machine would have) and restarts if running.
    func newHostKey(type: String = "ed25519") throws {
        let running = process != nil
        if running { stopProcess() }
        try? FileManager.default.removeItem(at: hostKeyPath)
        try? FileManager.default.removeItem(at: hostKeyPath.appendingPathExtension("pub"))
        if kind == .openssh {
            _ = try runTool("/usr/bin/ssh-keygen", ["-q", "-t", type, "-N", "", "-f", hostKeyPath.path])
        } else {
            _ = try runTool("/usr/bin/dropbearkey", ["-t", type, "-f", hostKeyPath.path])
        }
        if running { try launch() }
    }

    /// What the server logged so far (dropbear logs each connection it accepts as "Child connection from").
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    /// Starts the server process and waits until it accepts TCP connections.
    func launch() throws {
        let log = directory.appendingPathComponent("server.log")
        let executable: String
        let arguments: [String]
        switch kind {
        case .openssh:
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            let config = """
                Port \(port)
                ListenAddress 127.0.0.1
                HostKey \(hostKeyPath.path)
                PidFile \(directory.path)/sshd.pid
                AuthorizedKeysFile \(directory.path)/home/.ssh/authorized_keys
                PermitRootLogin yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                LogLevel ERROR
                MaxStartups 100
                \(sftp ? "Subsystem sftp /usr/lib/openssh/sftp-server" : "")

                """
            let configPath = directory.appendingPathComponent("sshd_config")
            try config.write(to: configPath, atomically: true, encoding: .utf8)
            executable = Self.sshdPath
            arguments = ["-D", "-e", "-f", configPath.path]
        case .dropbear:
            executable = Self.dropbearPath
            arguments = ["-F", "-E", "-s", "-p", "127.0.0.1:\(port)", "-r", hostKeyPath.path,
                                 "-P", "\(directory.path)/dropbear.pid"]
        }
        let process = try ChildProcess.spawn(executable, arguments, outputFile: log.path)
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.canConnect(port: port) { return }
            guard process.isRunning() else { break }
            usleep(10_000)
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        stop()
        throw FixtureError("\(kind.rawValue) did not start listening on 127.0.0.1:\(port): \(output)")
    }

    func stopProcess() {
        guard let process else { return }
        process.terminate()
        self.process = nil
    }

    /// Stops the server and removes its files and temp user.
    func stop() {
        stopProcess()
        if userCreated {
            // -f: a session process of the user may still be exiting.
            _ = try? runTool("/usr/sbin/userdel", ["-f", user])
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func prepare(authorizedKeys: [String]) throws {
        let lines = authorizedKeys.joined(separator: "\n") + "\n"
        let home = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        try lines.write(to: home.appendingPathComponent(".ssh/authorized_keys"), atomically: true, encoding: .utf8)
        // `-p '*'`: no usable password but not locked (sshd without PAM refuses locked accounts).
        // useradd fails while another process holds /etc/passwd's lock (parallel test runs): retry briefly.
        var attempt = 0
        while true {
            do {
                _ = try runTool("/usr/sbin/useradd", ["-M", "-d", home.path, "-s", "/bin/sh", "-p", "*", user])
                break
            } catch where attempt < 20 {
                attempt += 1
                usleep(100_000)
            }
        }
        userCreated = true
        _ = try runTool("/bin/chown", ["-R", user, home.path])
        _ = try runTool("/bin/chmod", ["700", home.path, home.appendingPathComponent(".ssh").path])
    }

    /// Removes temp users whose server directory is gone (left behind by a killed test run).
    private static func removeStaleUsers() {
        guard let passwd = try? String(contentsOfFile: "/etc/passwd", encoding: .utf8) else { return }
        for line in passwd.split(separator: "\n") where line.hasPrefix("vmfiletest") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count > 5, !FileManager.default.fileExists(atPath: String(fields[5])) else { continue }
            _ = try? runTool("/usr/sbin/userdel", ["-f", String(fields[0])])
        }
    }

    var home: URL { directory.appendingPathComponent("home") }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw FixtureError("could not bind a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a started server and always stops it afterwards.
func withServer<T>(
    _ kind: SSHDServer.Kind = .openssh, authorizedKeys: [String], hostKeyType: String = "ed25519", sftp: Bool = true,
    _ body: (SSHDServer) async throws -> T
) async throws -> T {
    let server = try SSHDServer.start(kind, authorizedKeys: authorizedKeys, hostKeyType: hostKeyType, sftp: sftp)
    defer { server.stop() }
    return try await body(server)
}

/// The repository's `keys/vagrant-insecure/` folder.
let vagrantKeysDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("keys/vagrant-insecure")


/// Every suite that starts a server runs inside this one, one test at a time: servers, ssh processes and
/// timing measurements don't compete for the (small) machine, and blocking tests don't starve each other.
@Suite(.serialized) enum LoopbackServerTests {}
