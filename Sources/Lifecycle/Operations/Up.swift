import Boxes
import Foundation
import Provisioner
import Spec

/// What `up` did to a machine.
public enum UpOutcome: Sendable, Equatable {
    case created(address: String)
    case started(address: String)
    case resumed
    case alreadyRunning
}

extension MachineController {
    /// Brings `machine` to running and reachable over SSH: creates it (box volume, CoW disk, domain)
    /// when missing, starts it when halted, resumes it when suspended, and leaves it alone when running.
    ///
    /// Then provisions it as Vagrant does (`request`): a machine that was created, started or found running
    /// runs its steps; a resumed one does not.
    public func up(_ machine: Machine, provision request: ProvisionRequest = .onBoot) throws -> UpOutcome {
        let clock = PhaseClock(machine: machine.name, reporter: reporter)
        try refuseRootOnlyNetworks(machine)
        try prepareSyncedFolders(machine)
        // Before anything is made: a host that cannot run the machine's Open vSwitch networks says so now.
        if try privateNetworkPlans(of: machine).contains(where: \.openvswitch) { try host.requireOpenVSwitch() }
        var userForwards: [GuestForward]?
        if host.managementMode == .userMode {
            // A running QEMU holds its forwards (and their sockets): only a machine about to boot plans them.
            let state = try host.domainState(project.domainName(of: machine.name))
            if state != .running && state != .paused { userForwards = try planUserModeForwards(machine, clock: clock) }
        }
        let ports = host.managementMode == .network ? try planForwardedPorts(machine, clock: clock) : nil
        let outcome = try reachRunning(machine, request: request, userForwards: userForwards, clock: clock)
        try reportPrivateAddresses(machine, clock: clock)
        try applyForwardedPorts(ports, of: machine, clock: clock)
        return outcome
    }

    /// Creates, starts or resumes the domain as its state requires and waits for the guest.
    /// `userForwards`: in user mode, the forwards of a machine about to boot.
    private func reachRunning(_ machine: Machine, request: ProvisionRequest, userForwards: [GuestForward]?,
                              clock: PhaseClock) throws -> UpOutcome {
        let domain = project.domainName(of: machine.name)
        // Settled: a killed run's start that libvirtd is still finishing shows as paused, which is
        // not a suspended machine to resume.
        switch try host.settledDomainState(domain) {
        case .running:
            // A run killed before first contact finished leaves a running guest without a pinned key,
            // or pinned but still without the machine's own key.
            guard firstContactDone(machine) else {
                clock.report("running; finishing its first boot")
                return .started(address: try bootAndProvision(machine, request: request, clock: clock))
            }
            if FileManager.default.fileExists(atPath: project.files(of: machine.name).haltRequested.path) {
                // An interrupted halt or reload asked the guest to power off: let it finish, then boot.
                clock.report("a halt left by an interrupted run is under way; waiting for it")
                _ = try halt(machine)
                return try reachRunning(machine, request: request, userForwards: userForwards, clock: clock)
            }
            if host.managementMode == .network, try address(of: machine) == nil {
                // Started by a run that was killed before the guest had its address (a reload, say).
                clock.report("running, still booting; waiting for it")
                return .started(address: try bootAndProvision(machine, request: request, clock: clock))
            }
            clock.report("already running")
            try finishBootSetup(machine, clock: clock)
            try provisionRunning(machine, request: request, clock: clock)
            return .alreadyRunning
        case .paused:
            try host.resume(domain)
            clock.report("resumed")
            return .resumed
        case nil:
            return try createAndStart(machine, request: request, userForwards: userForwards, clock: clock)
        case .shutoff, .crashed, .suspendedToDisk, .other:
            // A halt killed after the guest powered off left its marker; this boot is not on its way down.
            try? FileManager.default.removeItem(at: project.files(of: machine.name).haltRequested)
            if try !host.volumeExists(project.volumeName(of: machine.name)) {
                return try replaceDisklessDomain(machine, request: request, userForwards: userForwards, clock: clock)
            }
            // Its networks may be down (host restart) or hold an older reservation (a changed `ip:`).
            _ = try preparePrivateNetworks(machine, clock: clock)
            // The ports chosen for this boot (the recorded ones while still free) replace the last boot's.
            if let userForwards { try host.setUserModeForwards(domain, userForwards) }
            try markBootSetupPending(machine)
            try host.start(domain)
            clock.report("started")
            return .started(address: try bootAndProvision(machine, request: request, clock: clock))
        }
    }

    /// Creates the machine and boots it; a machine that never started is removed again when its start fails.
    private func createAndStart(_ machine: Machine, request: ProvisionRequest, userForwards: [GuestForward]?,
                                clock: PhaseClock) throws -> UpOutcome {
        let domain = project.domainName(of: machine.name)
        try create(machine, userForwards: userForwards, clock: clock)
        do {
            try markBootSetupPending(machine)
            try host.start(domain)
        } catch {
            // A machine that never started holds no user data: leave nothing half-made.
            try? host.undefine(domain)
            try? host.deleteVolume(project.volumeName(of: machine.name))
            throw error
        }
        clock.report("started")
        return .created(address: try bootAndProvision(machine, request: request, clock: clock))
    }

    /// A defined domain without its disk: what a create leaves when its define was still in flight in
    /// libvirtd while the run that asked for it died or removed the disk after a failure. Never booted
    /// (no pinned host key), it holds nothing: it is made again. A machine that did boot lost its disk
    /// to someone else, and only the user can say that it may go.
    private func replaceDisklessDomain(_ machine: Machine, request: ProvisionRequest, userForwards: [GuestForward]?,
                                       clock: PhaseClock) throws -> UpOutcome {
        let volume = project.volumeName(of: machine.name)
        guard !FileManager.default.fileExists(atPath: project.files(of: machine.name).hostKey.path) else {
            throw LifecycleError(.hypervisor, "machine '\(machine.name)': its disk volume \(volume) is gone from the vmfile pool",
                                 hint: "`vmfile destroy \(machine.name)` and `vmfile up \(machine.name)` make it again from its box (its data is lost)")
        }
        clock.report("defined by an unfinished run but without its disk: creating it again")
        try host.undefine(project.domainName(of: machine.name))
        return try createAndStart(machine, request: request, userForwards: userForwards, clock: clock)
    }

    /// Waits for the booting guest, does first-contact work, then provisions on the same connection.
    private func bootAndProvision(_ machine: Machine, request: ProvisionRequest, clock: PhaseClock) throws -> String {
        let (target, session) = try waitForGuest(machine, clock: clock)
        var open = session
        defer { open.close() }
        try configureStaticAddresses(machine, session: session, clock: clock)
        try applySyncedFolders(machine, session: session, clock: clock)
        try? FileManager.default.removeItem(at: project.files(of: machine.name).bootSetupPending)
        open = try runProvisioning(machine, selectSteps(machine, request: request), request: request, session: session,
                                   target: target, clock: clock)
        return host.managementMode == .network ? target.host : target.description
    }

    /// Marks the boot about to start as not yet set up (see `ProjectFiles.bootSetupPending`).
    private func markBootSetupPending(_ machine: Machine) throws {
        let files = project.files(of: machine.name)
        try FileManager.default.createDirectory(at: files.directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: files.bootSetupPending.path, contents: nil)
    }

    /// A running machine whose boot was started by a run that stopped before its static addresses and
    /// synced folders were in place gets them now.
    private func finishBootSetup(_ machine: Machine, clock: PhaseClock) throws {
        let pending = project.files(of: machine.name).bootSetupPending
        guard FileManager.default.fileExists(atPath: pending.path) else { return }
        clock.report("its boot was set up only in part by an unfinished run: finishing it")
        let target = try runningSSHTarget(of: machine)
        let session = try connectGuest(machine, target: target,
                                       deadline: Date().addingTimeInterval(TimeInterval(machine.bootTimeout)))
        defer { session.close() }
        try configureStaticAddresses(machine, session: session, clock: clock)
        try applySyncedFolders(machine, session: session, clock: clock)
        try FileManager.default.removeItem(at: pending)
    }

    /// `up` on a running machine runs its selected steps (Vagrant: `always` ones) over a new connection.
    private func provisionRunning(_ machine: Machine, request: ProvisionRequest, clock: PhaseClock) throws {
        let steps = selectSteps(machine, request: request)
        guard !steps.isEmpty else { return }
        let target = try runningSSHTarget(of: machine)
        let session = try connectGuest(machine, target: target,
                                       deadline: Date().addingTimeInterval(TimeInterval(machine.bootTimeout)))
        try runProvisioning(machine, steps, request: request, session: session, target: target, clock: clock).close()
    }

    /// Box → box volume → management network → disk → domain definition.
    private func create(_ machine: Machine, userForwards: [GuestForward]?, clock: PhaseClock) throws {
        guard let box = try installedBox(for: machine, clock: clock) else {
            let wanted = machine.boxVersion.map { " matching '\($0)'" } ?? ""
            throw LifecycleError(
                .boxMissing, "machine '\(machine.name)': box '\(machine.box)'\(wanted) is not installed",
                hint: "add it with `vmfile box add \(machine.box) PATH_OR_URL`, or give `box_url` in the Vmfile; `vmfile box list` shows what is installed")
        }
        let backing = try host.prepareBoxVolume(box)
        clock.report("box \(box.name) \(box.version) ready")
        // User mode needs no libvirt network: QEMU's own stack serves the guest.
        let network = userForwards == nil ? try host.prepareManagementNetwork() : ""
        // Before the disk: a missing device or clashing subnet fails with nothing made for the machine.
        let publicNICs = try publicAttachments(machine, clock: clock)
        let privateNICs = try preparePrivateNetworks(machine, clock: clock)

        let volume = project.volumeName(of: machine.name)
        if try host.volumeExists(volume) {
            // A disk without a domain is what a killed `up` leaves; it never booted a guest we know of.
            try host.deleteVolume(volume)
        }
        try host.createDisk(volume, backingVolume: backing, sizeBytes: machine.diskBytes)

        let files = project.files(of: machine.name)
        let mac = managementMAC(of: machine.name)
        var plan = DomainPlan(
            name: project.domainName(of: machine.name), cpus: machine.cpus, memoryMiB: machine.memoryMiB,
            diskVolume: volume, managementNetwork: network, managementMAC: mac, consoleLog: files.consoleLog,
            metadata: MachineMetadata(
                projectPath: project.vmfile.path, projectID: project.id, machine: machine.name, box: box.name,
                boxVersion: box.version.description, managementMAC: mac))
        plan.networks = privateNICs + publicNICs
        plan.hostname = machine.hostname
        plan.userModeForwards = userForwards
        plan.sharedDirectories = FolderPlan.sharedDirectories(of: machine, projectDirectory: project.directory)
        plan.metadata.networks = privateNICs.map(\.network)
        do {
            try files.create()
            // A fresh disk was never provisioned, whatever an older machine of this name left.
            try ProvisionMarkers(url: files.provisionMarkers).clear()
            try host.defineDomain(plan)
        } catch {
            try? host.deleteVolume(volume)
            throw error
        }
        clock.report("defined (\(machine.cpus) cpu, \(machine.memoryMiB) MiB)")
    }

    /// Waits for the guest's lease and SSH, then does first-contact work: pins the host key,
    /// replaces the insecure key with the machine's own, sets the hostname. Returns the address and the
    /// open connection (the caller closes it).
    private func waitForGuest(_ machine: Machine, clock: PhaseClock) throws -> (SSHTarget, any GuestSession) {
        let deadline = Date().addingTimeInterval(TimeInterval(machine.bootTimeout))
        let target: SSHTarget
        switch host.managementMode {
        case .network:
            let address = try waitForLease(machine, deadline: deadline)
            clock.report("address \(address)")
            target = SSHTarget(host: address, port: machine.ssh.port)
        case .userMode:
            // QEMU listens on the forward from its start; readiness waits for the guest's sshd behind it.
            target = try runningSSHTarget(of: machine)
        }

        let files = project.files(of: machine.name)
        let pinned = try? String(contentsOf: files.hostKey, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let endpoint = GuestEndpoint(host: target.host, port: target.port, user: machine.ssh.username)
        let session: any GuestSession
        do {
            session = try guests.waitUntilReady(endpoint, keys: try loginKeys(for: machine), pinnedHostKey: pinned, deadline: deadline)
        } catch let error as SSHError where error.code == .authenticationFailed || error.code == .invalidKey {
            // The guest's sshd answered: this is not a timeout, and the keys are what to fix.
            throw LifecycleError(
                .guest, "machine '\(machine.name)': the SSH server at \(target) answered but did not accept a key: \(error.message)",
                hint: machine.ssh.privateKey == nil
                    ? "the box must accept Vagrant's insecure key for user '\(machine.ssh.username)', or set `ssh.private_key` in the Vmfile"
                    : "check `ssh.private_key` (\(machine.ssh.privateKey ?? "")) and `ssh.username` in the Vmfile",
                cause: error)
        } catch {
            throw LifecycleError(
                .bootTimeout, "machine '\(machine.name)': no SSH at \(target) within \(machine.bootTimeout) s",
                hint: consoleHint(files), cause: error)
        }
        clock.report("ssh ready")
        do {
            try asLifecycleError { try FirstContactSetup(machine: machine, files: files.keyFiles, session: session, guests: guests).run() }
        } catch {
            session.close()
            throw error
        }
        clock.report("ready")
        return (target, session)
    }

    private func waitForLease(_ machine: Machine, deadline: Date) throws -> String {
        let domain = project.domainName(of: machine.name)
        let mac = managementMAC(of: machine.name)
        var polls = 0
        while Date() < deadline {
            if let address = try host.leasedAddress(mac: mac, network: ManagementNetwork.name) {
                return address
            }
            polls += 1
            if polls % 10 == 0, let state = try host.domainState(domain), state != .running {
                throw LifecycleError(.guest, "machine '\(machine.name)' stopped while booting (state: \(state.rawValue))",
                                     hint: consoleHint(project.files(of: machine.name)))
            }
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
        throw LifecycleError(
            .bootTimeout, "machine '\(machine.name)' got no IP address within \(machine.bootTimeout) s",
            hint: consoleHint(project.files(of: machine.name)))
    }

    /// Whether first contact finished: the host key is pinned and, when the machine gets its own key,
    /// that key is in place (the pin is written first, the key last).
    func firstContactDone(_ machine: Machine) -> Bool {
        let files = project.files(of: machine.name)
        guard FileManager.default.fileExists(atPath: files.hostKey.path) else { return false }
        let needsOwnKey = machine.ssh.insertKey && machine.ssh.privateKey == nil
        return !needsOwnKey || FileManager.default.fileExists(atPath: files.privateKey.path)
    }

    /// Keys to try, best first: the machine's own, the Vmfile's `ssh.private_key` — else the box's shipped key
    /// and Vagrant's insecure pair.
    /// Each is labelled with its file (or as Vagrant's key), so a guest that rejects them all is named precisely.
    func loginKeys(for machine: Machine) throws -> [GuestLoginKey] {
        var keys: [GuestLoginKey] = []
        let files = project.files(of: machine.name)
        for file in [files.privateKey, files.stagedPrivateKey] {
            // A run killed between installing the new key in the guest and keeping it left it staged.
            if let text = try? String(contentsOf: file, encoding: .utf8) { keys.append(GuestLoginKey(text, label: file.path)) }
        }
        if let path = machine.ssh.privateKey {
            keys.append(GuestLoginKey(try String(contentsOfFile: path, encoding: .utf8), label: path))
        } else {
            // A box made by `vmfile package` or `vagrant package` ships the key its guest accepts.
            if let shipped = try? boxes.find(name: machine.box, constraint: machine.boxVersion)?.shippedPrivateKey,
               let text = try? String(contentsOf: shipped, encoding: .utf8) {
                keys.append(GuestLoginKey(text, label: shipped.path))
            }
            keys.append(contentsOf: InsecureKeys.loginKeys)
        }
        return keys
    }

    /// The last console lines, to say why a guest did not come up.
    func consoleHint(_ files: MachineFiles) -> String {
        guard let text = try? String(contentsOf: files.consoleLog, encoding: .utf8) else {
            return "no console output yet (\(files.consoleLog.path))"
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(10)
        return "last console lines (\(files.consoleLog.path)):\n    " + lines.joined(separator: "\n    ")
    }
}
