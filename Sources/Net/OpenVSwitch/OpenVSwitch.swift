import Foundation

/// Open vSwitch bridges for `switch: ovs` networks, through `ovs-vsctl`. vmfile creates a bridge per
/// network and marks it with `external_ids:vmfile-network=<libvirt network>`; it deletes only bridges
/// carrying its own mark. libvirt then plugs each guest port in (with its VLAN tag).
///
/// Without the kernel datapath (`openvswitch` module) bridges use OVS's userspace datapath
/// (`datapath_type=netdev`): slower, but it needs nothing from the kernel beyond tap devices.
public struct OpenVSwitch: Sendable {
    /// The external id that marks a bridge as vmfile's.
    public static let ownerKey = "vmfile-network"

    let run: @Sendable (_ arguments: [String]) throws -> CommandResult
    /// Whether the kernel datapath is loaded (else the userspace one is used).
    let kernelDatapath: Bool

    /// Open vSwitch on this host, through its `ovs-vsctl`.
    public init() {
        self.init(kernelDatapath: FileManager.default.fileExists(atPath: "/sys/module/openvswitch")) {
            try Command.run("ovs-vsctl", $0)
        }
    }

    /// - Parameters:
    ///   - run: runs `ovs-vsctl` with these arguments (tests pass a fake).
    init(kernelDatapath: Bool, run: @escaping @Sendable (_ arguments: [String]) throws -> CommandResult) {
        self.kernelDatapath = kernelDatapath
        self.run = run
    }

    /// The datapath new bridges get.
    public var datapathType: String { kernelDatapath ? "system" : "netdev" }

    /// Checks that `ovs-vsctl` runs and reaches both daemons: ovsdb-server answers, and ovs-vswitchd
    /// has recorded the datapaths it supports (it does so once it runs) — the userspace one included.
    /// - Throws: `NetError` saying what is missing and how to start it.
    public func checkAvailable() throws {
        let start = "start them (no init system: `scripts/setup` does, or ovsdb-server --remote=punix:/var/run/openvswitch/db.sock --pidfile --detach; ovs-vswitchd --pidfile --detach)"
        let result: CommandResult
        do {
            result = try run(["--timeout=5", "get", "Open_vSwitch", ".", "datapath_types"])
        } catch {
            throw NetError("Open vSwitch is not installed: ovs-vsctl cannot be started (\(error))",
                           hint: "install it (Debian: apt-get install openvswitch-switch), then \(start)")
        }
        guard result.status == 0 else {
            throw NetError("Open vSwitch is not running: `ovs-vsctl get Open_vSwitch . datapath_types` failed: \(Self.trimmed(result.stderr))",
                           hint: start)
        }
        let datapaths = Self.trimmed(result.stdout).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard datapaths.contains(datapathType) else {
            throw NetError(datapaths.isEmpty
                           ? "Open vSwitch's database runs but ovs-vswitchd does not (it has recorded no datapaths)"
                           : "Open vSwitch offers the datapaths \(datapaths.joined(separator: ", ")) but not \(datapathType)",
                           hint: "start ovs-vswitchd (ovs-vswitchd --pidfile --detach)")
        }
    }

    /// Makes sure bridge `name` exists and is marked as network `owner`'s; creates it if missing.
    /// Returns true when this call created it (the caller removes it if what follows fails).
    /// - Throws: `NetError` when a bridge of that name exists without vmfile's mark for `owner`.
    @discardableResult
    public func ensureBridge(_ name: String, owner: String) throws -> Bool {
        if try bridgeExists(name) {
            let mark = try self.owner(of: name)
            guard mark == owner else {
                throw NetError("Open vSwitch bridge \(name) exists but " + (mark.map { "belongs to network \($0)" } ?? "was not made by vmfile"),
                               hint: "vmfile never takes over a bridge it did not make: remove it (ovs-vsctl del-br \(name)) or rename the network")
            }
            return false
        }
        try check(["--may-exist", "add-br", name, "--", "set", "bridge", name, "datapath_type=\(datapathType)",
                   "--", "br-set-external-id", name, Self.ownerKey, owner], doing: "create Open vSwitch bridge \(name)")
        return true
    }

    /// Deletes bridge `name` if it exists and carries `owner`'s mark; true when deleted.
    @discardableResult
    public func deleteBridge(_ name: String, owner: String) throws -> Bool {
        guard try bridgeExists(name), try self.owner(of: name) == owner else { return false }
        try check(["--if-exists", "del-br", name], doing: "delete Open vSwitch bridge \(name)")
        return true
    }

    /// Whether bridge `name` exists (`br-exists`: exit 0 yes, 2 no).
    public func bridgeExists(_ name: String) throws -> Bool {
        let result = try run(["--timeout=5", "br-exists", name])
        switch result.status {
        case 0: return true
        case 2: return false
        default: throw NetError("cannot ask Open vSwitch about bridge \(name): \(Self.trimmed(result.stderr))")
        }
    }

    /// The network whose mark bridge `name` carries, if any.
    func owner(of name: String) throws -> String? {
        let result = try check(["--timeout=5", "br-get-external-id", name, Self.ownerKey], doing: "read bridge \(name)'s owner")
        let value = Self.trimmed(result.stdout)
        return value.isEmpty ? nil : value
    }

    @discardableResult
    private func check(_ arguments: [String], doing what: String) throws -> CommandResult {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw NetError("could not \(what): ovs-vsctl \(arguments.joined(separator: " ")) failed: \(Self.trimmed(result.stderr))",
                           hint: "check that ovsdb-server and ovs-vswitchd run (`ovs-vsctl show`)")
        }
        return result
    }

    private static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}
