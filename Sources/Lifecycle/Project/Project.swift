import Foundation
import HostSupport
import Hypervisor
import Provisioner
import Spec

/// One Vmfile's project: where it lives, its deterministic id, and its state directory.
///
/// Names derived from the id are stable across runs, so a rerun after a crash finds what a killed
/// run created (DESIGN.md: names are deterministic).
public struct Project: Sendable, Equatable {
    /// The Vmfile this project was loaded from.
    public let vmfile: Vmfile
    /// Absolute directory holding the Vmfile.
    public let directory: URL
    /// `<name>-<hash>`: readable, unique per directory on this host.
    public let id: String

    public init(vmfile: Vmfile) {
        self.vmfile = vmfile
        let path = vmfile.path.isEmpty ? FileManager.default.currentDirectoryPath : vmfile.path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL
        self.directory = directory
        self.id = Project.id(forDirectory: directory.path)
    }

    /// `.vmfile/` next to the Vmfile: what libvirt cannot hold (keys, pinned host keys, logs).
    public var stateDirectory: URL { directory.appendingPathComponent(".vmfile") }

    /// The project lock, held by every command that changes machines.
    public var lockPath: String { stateDirectory.appendingPathComponent("lock").path }

    /// The libvirt domain name of `machine`.
    public func domainName(of machine: String) -> String { "vmfile-\(id)-\(machine)" }

    /// The name of `machine`'s disk volume in the vmfile pool.
    public func volumeName(of machine: String) -> String { VolumeNames.disk(ofDomain: domainName(of: machine)) }

    /// Per-machine state files.
    public func files(of machine: String) -> MachineFiles {
        MachineFiles(directory: stateDirectory.appendingPathComponent("machines").appendingPathComponent(machine))
    }

    /// The machines a command names: all (in order) when `selectors` is empty, else those matching a
    /// name or a `/regex/`. Unknown names are an error listing the machines that exist.
    public func machines(matching selectors: [String], includeNonAutostart: Bool = true) throws -> [Machine] {
        let all = vmfile.machines
        guard !selectors.isEmpty else {
            return includeNonAutostart ? all : all.filter(\.autostart)
        }
        var chosen: [Machine] = []
        for selector in selectors {
            let matches: [Machine]
            if selector.count > 2, selector.hasPrefix("/"), selector.hasSuffix("/") {
                let pattern = String(selector.dropFirst().dropLast())
                guard let regex = try? Regex(pattern) else {
                    throw LifecycleError(.invalidArgument, "'\(selector)' is not a valid regular expression")
                }
                matches = all.filter { $0.name.contains(regex) }
            } else {
                matches = all.filter { $0.name == selector }
            }
            guard !matches.isEmpty else {
                throw LifecycleError(.invalidArgument, "no machine '\(selector)' in \(vmfile.path)",
                                     hint: "machines: \(all.map(\.name).joined(separator: ", "))")
            }
            for machine in matches where !chosen.contains(where: { $0.name == machine.name }) {
                chosen.append(machine)
            }
        }
        return all.filter { machine in chosen.contains { $0.name == machine.name } }
    }

    /// `<basename, sanitized, ≤ 16 chars>-<6 hex digits of FNV-1a over the path>`.
    static func id(forDirectory path: String) -> String {
        let base = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        var slug = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }.prefix(16))
        while slug.hasSuffix("-") { slug.removeLast() }
        while slug.hasPrefix("-") { slug.removeFirst() }
        let padded = StableHash.hex(StableHash.fnv1a(path) & 0xff_ffff, digits: 6)
        return slug.isEmpty ? padded : "\(slug)-\(padded)"
    }
}

/// The files vmfile keeps for one machine under `.vmfile/machines/<name>/`.
public struct MachineFiles: Sendable, Equatable {
    public let directory: URL

    /// The machine's generated private key (OpenSSH format, mode 0600).
    public var privateKey: URL { directory.appendingPathComponent("id_ed25519") }
    /// A generated key not yet confirmed installed in the guest.
    public var stagedPrivateKey: URL { directory.appendingPathComponent("id_ed25519.new") }
    /// The public half of the staged key, so a rerun installs the same key instead of a new one.
    public var stagedPublicKey: URL { directory.appendingPathComponent("id_ed25519.new.pub") }
    /// Present while a `halt` (or the halt of a `reload`) waits for the guest to power off: a rerun that
    /// finds the machine still running knows it is on its way down.
    public var haltRequested: URL { directory.appendingPathComponent("halting") }
    /// Present from a boot's start until its static addresses and synced folders are in place: a rerun
    /// that finds the machine running with it still there (the run was killed or lost libvirt in between)
    /// does that work before anything else.
    public var bootSetupPending: URL { directory.appendingPathComponent("boot-setup-pending") }
    /// The guest host key pinned at first contact (`algorithm base64`).
    public var hostKey: URL { directory.appendingPathComponent("host_key") }
    /// A known_hosts file written from the pin, for the OpenSSH client of `vmfile ssh`.
    public var knownHosts: URL { directory.appendingPathComponent("known_hosts") }
    /// The serial console, logged by libvirt.
    public var consoleLog: URL { directory.appendingPathComponent("console.log") }
    /// Forwarded ports as the last `up` chose them (`[PortMapping]` JSON), for `vmfile port` and reruns.
    public var ports: URL { directory.appendingPathComponent("ports.json") }
    /// Markers of `run: once` provision steps that completed.
    public var provisionMarkers: URL { directory.appendingPathComponent("provisioned") }
    /// The files first-contact setup reads and writes.
    public var keyFiles: GuestKeyFiles {
        GuestKeyFiles(hostKey: hostKey, privateKey: privateKey, stagedPrivateKey: stagedPrivateKey, stagedPublicKey: stagedPublicKey)
    }

    /// Creates the directory and the `.vmfile/machines` above it, all owner-only (they hold a private
    /// key). `createDirectory`'s attributes reach only the last directory, and the project lock may
    /// have made `.vmfile/` first with the umask's mode, so each one is set.
    public func create() throws {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for path in [directory.deletingLastPathComponent().deletingLastPathComponent(), directory.deletingLastPathComponent()] {
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path.path)
        }
    }

    /// Removes everything vmfile kept for the machine.
    public func remove() throws {
        if FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.removeItem(at: directory)
        }
    }
}
