import Boxes
import Foundation
import Net
import Provisioner
import Spec
@testable import Lifecycle

/// An in-memory hypervisor: domains, volumes and leases, with switches to make calls fail.
final class FakeHost: MachineHost, @unchecked Sendable {
    // Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private(set) var domains: [String: (plan: DomainPlan, status: DomainStatus)] = [:]
    private(set) var volumes: [String: String] = [:]  // name → backing
    /// A call the lifecycle made, with the object it named.
    enum Call: Hashable, CustomStringConvertible {
        case preparePrivateNetwork(String), requireOpenVSwitch, releasePrivateNetwork(String)
        case setUserModeForwards(String), prepareBoxVolume, prepareManagementNetwork, volumeExists(String)
        case createDisk(String), define(String), start(String), shutdown(String), forceOff(String)
        case suspend(String), resume(String), undefine(String), deleteVolume(String)

        var description: String { "\(self)" }

        /// Whether this is a `define` of any domain.
        var isDefine: Bool { if case .define = self { true } else { false } }
        /// Whether this is a `setUserModeForwards` of any domain.
        var isSetUserModeForwards: Bool { if case .setUserModeForwards = self { true } else { false } }
    }
    private(set) var calls: [Call] = []
    var failStart = false
    /// Whether the guest powers off when asked over ACPI.
    var honoursACPI = true
    var acceleratorWarning: String? { nil }
    let forwarder = FakeForwarder()
    /// Private networks by name.
    private(set) var networks: [String: PrivateNetworkPlan] = [:]
    /// DHCP reservations by network: MAC → address.
    private(set) var reservations: [String: [String: String]] = [:]

    func preparePrivateNetwork(_ plan: PrivateNetworkPlan, for machine: String) throws {
        record(.preparePrivateNetwork(plan.name)) {
            networks[plan.name] = plan
            guard let wanted = plan.reservations.first(where: { $0.machine == machine }) else { return }
            reservations[plan.name, default: [:]] = reservations[plan.name, default: [:]]
                .filter { $0.key != wanted.mac && $0.value != wanted.ip.description }
                .merging([wanted.mac: wanted.ip.description]) { $1 }
        }
    }

    /// What `requireOpenVSwitch` throws (nil: Open vSwitch is available).
    var openVSwitchError: LifecycleError?

    func requireOpenVSwitch() throws {
        try record(.requireOpenVSwitch) { if let openVSwitchError { throw openVSwitchError } }
    }

    func releasePrivateNetwork(_ name: String, mac: String) throws -> NetworkRelease {
        record(.releasePrivateNetwork(name)) {
            guard networks[name] != nil else { return .absent }
            guard !domains.values.contains(where: { $0.plan.metadata.networks.contains(name) }) else {
                return .kept(removedReservation: reservations[name]?.removeValue(forKey: mac))
            }
            networks[name] = nil
            reservations[name] = nil
            return .deleted
        }
    }
    var portForwarder: (any PortForwarder)? { managementMode == .network ? forwarder : nil }
    /// `.userMode` plays a session connection.
    var managementMode: ManagementMode = .network

    func userModeForwards(_ domain: String) throws -> [GuestForward] {
        lock.lock()
        defer { lock.unlock() }
        return domains[domain]?.plan.userModeForwards ?? []
    }

    func availability(of endpoint: HostEndpoint) -> PortAvailability { forwarder.availability(of: endpoint) }

    func setUserModeForwards(_ domain: String, _ forwards: [GuestForward]) throws {
        record(.setUserModeForwards(domain)) { domains[domain]?.plan.userModeForwards = forwards }
    }

    private func record<T>(_ call: Call, _ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        calls.append(call)
        return try body()
    }

    /// Plays a volume removed behind vmfile's back (or by a failed run after libvirtd defined its domain).
    func dropVolume(_ volume: String) { lock.lock(); volumes[volume] = nil; lock.unlock() }

    /// Plays a domain changing state on its own (another caller's operation).
    func setStatus(_ status: DomainStatus, of domain: String) { lock.lock(); domains[domain]?.status = status; lock.unlock() }

    func domainState(_ domain: String) throws -> DomainStatus? {
        lock.lock()
        defer { lock.unlock() }
        return domains[domain]?.status
    }

    func prepareBoxVolume(_ box: InstalledBox) throws -> String {
        record(.prepareBoxVolume) {
            let name = "box-\(box.name)-\(box.version)"
            volumes[name] = ""
            return name
        }
    }

    func prepareManagementNetwork() throws -> String { record(.prepareManagementNetwork) { ManagementNetwork.name } }

    func volumeExists(_ volume: String) throws -> Bool { record(.volumeExists(volume)) { volumes[volume] != nil } }

    func createDisk(_ volume: String, backingVolume: String, sizeBytes: UInt64?) throws {
        record(.createDisk(volume)) { volumes[volume] = backingVolume }
    }

    func defineDomain(_ plan: DomainPlan) throws {
        record(.define(plan.name)) { domains[plan.name] = (plan, .shutoff) }
    }

    func start(_ domain: String) throws {
        try record(.start(domain)) {
            if failStart { throw LifecycleError(.hypervisor, "fake start failure") }
            domains[domain]?.status = .running
        }
    }

    func requestShutdown(_ domain: String) throws {
        record(.shutdown(domain)) { if honoursACPI { domains[domain]?.status = .shutoff } }
    }

    func forceOff(_ domain: String) throws { record(.forceOff(domain)) { domains[domain]?.status = .shutoff } }
    func suspend(_ domain: String) throws { record(.suspend(domain)) { domains[domain]?.status = .paused } }
    func resume(_ domain: String) throws { record(.resume(domain)) { domains[domain]?.status = .running } }
    func undefine(_ domain: String) throws {
        record(.undefine(domain)) {
            domains[domain] = nil
            snapshots[domain] = nil
        }
    }
    func deleteVolume(_ volume: String) throws { record(.deleteVolume(volume)) { volumes[volume] = nil } }

    /// Snapshot calls, in order.
    enum SnapshotCall: Hashable {
        case create(domain: String, name: String, status: DomainStatus)
        case revert(domain: String, name: String, target: SnapshotRevert)
        case delete(domain: String, name: String)
    }
    private(set) var snapshotCalls: [SnapshotCall] = []
    /// Snapshots by domain: name → the state the domain was in when it was taken.
    private(set) var snapshots: [String: [String: DomainStatus]] = [:]
    /// A domain whose next snapshot fails (a disk-full stand-in).
    var failSnapshotOf: String?
    /// A domain with a snapshot still in flight from a killed run: the next create finds it landed.
    var inFlightSnapshot: String?

    func snapshotNames(_ domain: String) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return snapshots[domain].map { Array($0.keys).sorted() } ?? []
    }

    func createSnapshot(_ domain: String, name: String) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let status = domains[domain]?.status else { throw LifecycleError(.hypervisor, "no domain \(domain)") }
        snapshotCalls.append(.create(domain: domain, name: name, status: status))
        if failSnapshotOf == domain { throw LifecycleError(.hypervisor, "fake: no space left on device") }
        if inFlightSnapshot == domain {
            // A killed run's snapshot lands while this call waited for the domain's job.
            inFlightSnapshot = nil
            snapshots[domain, default: [:]][name] = status
            throw LifecycleError(.hypervisor, "fake: cannot acquire state change lock")
        }
        guard snapshots[domain]?[name] == nil else { throw LifecycleError(.hypervisor, "snapshot \(name) exists") }
        snapshots[domain, default: [:]][name] = status
    }

    func revertSnapshot(_ domain: String, name: String, to target: SnapshotRevert) throws {
        lock.lock()
        defer { lock.unlock() }
        snapshotCalls.append(.revert(domain: domain, name: name, target: target))
        guard let saved = snapshots[domain]?[name] else { throw LifecycleError(.hypervisor, "no snapshot \(name)") }
        switch target {
        case .asSaved: domains[domain]?.status = saved
        case .running: domains[domain]?.status = .running
        case .paused: domains[domain]?.status = saved == .shutoff ? .shutoff : .paused
        }
    }

    func deleteSnapshot(_ domain: String, name: String) throws {
        lock.lock()
        defer { lock.unlock() }
        snapshotCalls.append(.delete(domain: domain, name: name))
        snapshots[domain]?[name] = nil
    }

    /// A libvirt snapshot without vmfile's record (what a save killed after libvirt's call leaves).
    func addBareSnapshot(_ domain: String, name: String) {
        lock.lock()
        defer { lock.unlock() }
        snapshots[domain, default: [:]][name] = domains[domain]?.status ?? .shutoff
    }

    func leasedAddress(mac: String, network: String) throws -> String? {
        lock.lock()
        defer { lock.unlock() }
        let running = domains.values.first {
            ($0.plan.managementMAC == mac || $0.plan.networks.contains { $0.mac == mac }) && $0.status == .running
        }
        return running == nil ? nil : "192.0.2.10"
    }

    func vmfileDomains() throws -> [DomainRecord] {
        lock.lock()
        defer { lock.unlock() }
        return domains.map { DomainRecord(name: $0.key, status: $0.value.status, metadata: $0.value.plan.metadata) }
    }

    /// Puts a domain in a state directly (what a previous run left).
    func force(_ domain: String, to status: DomainStatus) {
        lock.lock()
        defer { lock.unlock() }
        domains[domain]?.status = status
    }

    func addLeftoverVolume(_ name: String) {
        lock.lock()
        defer { lock.unlock() }
        volumes[name] = "stale"
    }
}

/// A guest that accepts any key and records the commands it runs. Provision steps (commands that get
/// input) answer from `stepResults` by script text (default: exit 0, output `ran: SCRIPT`); a reboot
/// request starts a new boot (a new boot id).
final class FakeGuests: GuestConnector, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var commands: [String] = []
    private(set) var pinsSeen: [String?] = []
    /// The script texts of the steps run, in order, with the machine host they ran on.
    private(set) var scripts: [String] = []
    private(set) var connections = 0
    private(set) var bootID = 1
    var hostKey = "ssh-ed25519 AAAAfakehostkey"
    /// Script text → (exit code, stdout, stderr).
    var stepResults: [String: (Int32, String, String)] = [:]
    /// The answer to the first plain command containing `text`, instead of success.
    var commandResult: (text: String, result: GuestCommandResult)?
    /// Answers SSH but rejects every key, as libssh reports it (naming the keys by label).
    var rejectsEveryKey = false

    func waitUntilReady(_ endpoint: GuestEndpoint, keys: [GuestLoginKey], pinnedHostKey: String?, deadline: Date) throws -> any GuestSession {
        lock.lock()
        defer { lock.unlock() }
        pinsSeen.append(pinnedHostKey)
        connections += 1
        if let pinnedHostKey, pinnedHostKey != hostKey {
            throw LifecycleError(.guest, "host key mismatch")
        }
        if rejectsEveryKey {
            throw SSHError(.authenticationFailed, "\(endpoint.host) rejected every key offered: "
                           + keys.map(\.label).joined(separator: ", "), host: endpoint.host, port: endpoint.port)
        }
        return FakeSession(owner: self, hostKey: hostKey)
    }

    func generateKeyPair(comment: String) throws -> (privateKey: String, publicKey: String) {
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----\n", "ssh-ed25519 AAAAfakepub \(comment)")
    }

    /// The host rsync runs asked for, as argument lists.
    private(set) var rsyncRuns: [[String]] = []

    func rsync(_ arguments: [String]) throws -> GuestCommandResult {
        lock.lock()
        defer { lock.unlock() }
        rsyncRuns.append(arguments)
        return GuestCommandResult(status: 0, stdout: "", stderr: "")
    }

    fileprivate func record(_ command: String) -> GuestCommandResult {
        lock.lock()
        defer { lock.unlock() }
        commands.append(command)
        if command.contains("boot_id") { return GuestCommandResult(status: 0, stdout: "boot-\(bootID)\n", stderr: "") }
        if command.contains("/sys/class/net") { return configureAddresses(command) }
        if command.contains("reboot") { bootID += 1 }
        if let answer = commandResult, command.contains(answer.text) { return answer.result }
        return GuestCommandResult(status: 0, stdout: "", stderr: "")
    }

    /// MACs no guest interface has (auto_config answers `missing`).
    var absentMACs: Set<String> = []
    /// The MAC/CIDR pairs auto_config asked for, in order, over all its runs.
    private(set) var staticAddressRequests: [String] = []

    /// Answers auto_config's command like the guest script: the N-th MAC's NIC is eth(N).
    private func configureAddresses(_ command: String) -> GuestCommandResult {
        // The MAC/CIDR arguments follow the script as quoted words: '52:54:01:aa:bb:cc' '10.0.0.5/24'.
        let words = command.split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
        var output = ""
        var status: Int32 = 0
        var nic = 0
        for (index, mac) in words.enumerated() where index + 1 < words.count && mac.split(separator: ":").count == 6 {
            nic += 1
            staticAddressRequests.append("\(mac) \(words[index + 1])")
            if absentMACs.contains(mac) {
                output += "missing \(mac)\n"
                status = 3
            } else {
                output += "added \(mac) eth\(nic)\n"
            }
        }
        return GuestCommandResult(status: status, stdout: output, stderr: "")
    }

    fileprivate func step(_ command: String, script: String) -> (Int32, String, String) {
        lock.lock()
        defer { lock.unlock() }
        commands.append(command)
        scripts.append(script)
        return stepResults[script] ?? (0, "ran: \(script)\n", "")
    }

    func clearScripts() {
        lock.lock()
        scripts = []
        lock.unlock()
    }
}

final class FakeSession: GuestSession {
    let owner: FakeGuests
    let hostKey: String
    private(set) var closed = false
    init(owner: FakeGuests, hostKey: String) {
        self.owner = owner
        self.hostKey = hostKey
    }
    func run(_ command: String) throws -> GuestCommandResult {
        owner.record(command)
    }
    func execute(_ command: String, stdin: Data?, output: (GuestStream, Data) -> Void) throws -> GuestExit {
        let input = String(decoding: stdin ?? Data(), as: UTF8.self)
        if command == "sh -s" {
            // A query sent as input (boot id, reboot request): answered like `run`.
            let result = owner.record(input)
            if !result.stdout.isEmpty { output(.stdout, Data(result.stdout.utf8)) }
            return GuestExit(code: result.status)
        }
        // A plain script travels in the command line as `sh -c 'SCRIPT' sh` (test scripts hold no quotes).
        var script = input
        if let start = command.range(of: "sh -c '"), let end = command.range(of: "' sh", range: start.upperBound..<command.endIndex) {
            script = String(command[start.upperBound..<end.lowerBound])
        }
        let (code, out, err) = owner.step(command, script: script)
        if !out.isEmpty { output(.stdout, Data(out.utf8)) }
        if !err.isEmpty { output(.stderr, Data(err.utf8)) }
        return GuestExit(code: code)
    }
    func close() { closed = true }
}

/// Collects reported phases.
final class RecordingReporter: LifecycleReporter, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var lines: [String] = []
    func phase(_ machine: String, _ message: String, elapsed: Duration) {
        lock.lock()
        lines.append("\(machine): \(message)")
        lock.unlock()
    }
    func notice(_ message: String) {
        lock.lock()
        lines.append(message)
        lock.unlock()
    }
    private(set) var output: [String: String] = [:]
    func output(_ machine: String, _ stream: GuestStream, _ bytes: Data) {
        lock.lock()
        output[machine, default: ""] += (stream == .stderr ? "E:" : "") + String(decoding: bytes, as: UTF8.self)
        lock.unlock()
    }
    func outputFinished(_ machine: String) {}
}

/// A project in a scratch directory with a box store holding `tiny`, removed when done.
final class LifecycleFixture {
    let directory: URL
    let host = FakeHost()
    let guests = FakeGuests()
    let reporter = RecordingReporter()
    let controller: MachineController

    init(machines: [Machine], networks: [NetworkDefinition] = [], installBox: Bool = true, provision: [ProvisionStep] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-lifecycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = BoxStore(root: directory.appendingPathComponent("boxes"))
        if installBox {
            let source = directory.appendingPathComponent("box-src")
            try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
            try Data(#"{"provider":"libvirt","format":"qcow2","virtual_size":2}"#.utf8)
                .write(to: source.appendingPathComponent("metadata.json"))
            // A real (tiny) qcow2: the store checks an image's real format with qemu-img.
            let create = Process()
            create.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            create.arguments = ["qemu-img", "create", "-q", "-f", "qcow2", source.appendingPathComponent("box.img").path, "1M"]
            try create.run()
            create.waitUntilExit()
            try store.add(from: source, name: "tiny", version: BoxVersion(components: [1]))
        }
        // The project directory holds the Vmfile (and is what `/vagrant` syncs by default).
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("project"), withIntermediateDirectories: true)
        let vmfile = Vmfile(path: directory.appendingPathComponent("project/Vmfile").path, machines: machines, networks: networks,
                            provision: provision)
        controller = MachineController(project: Project(vmfile: vmfile), host: host, guests: guests, boxes: store, reporter: reporter)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var project: Project { controller.project }
}
