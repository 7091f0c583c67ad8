import Foundation
import Provisioner
import Spec

extension MachineController {
    /// `snapshot restore NAME`: returns each machine `selectors` name (those holding `name` when none) to the
    /// state it was saved in, vmfile's own state (provision markers, forwarded ports) included. A memory
    /// snapshot comes back running with its processes (the guest clock set to now over SSH), then
    /// provisions as `up` on a running machine does (`request`); a disk-only one comes back halted.
    /// `start: false` leaves a memory snapshot paused. Several machines revert paused and resume together.
    /// A machine not created or without the snapshot fails the restore before anything changes.
    public func restoreSnapshot(_ name: String, selectors: [String], provision request: ProvisionRequest = .onBoot,
                                start: Bool = true) throws -> [MachineResult<SnapshotState>] {
        try SnapshotName.validate(name)
        recoverInterruptedSnapshot()
        let targets = try snapshotHolders(name, selectors: selectors)
        let clocks = Dictionary(uniqueKeysWithValues: targets.map { ($0.machine.name, PhaseClock(machine: $0.machine.name, reporter: reporter)) })
        let memory = targets.filter { $0.record.state != .shutoff }
        for (machine, _) in memory {
            let state = try status(of: machine)
            guard state != .running && state != .paused else { continue }
            // A QEMU about to start needs its NICs' networks up (after a host restart, say).
            if host.managementMode == .network { _ = try host.prepareManagementNetwork() }
            _ = try preparePrivateNetworks(machine, clock: PhaseClock(machine: machine.name, reporter: reporter))
        }
        // Several memory snapshots revert paused and resume together: their guests go on from one instant.
        let together = start && memory.count > 1
        let running = memory.filter { $0.record.state == .running }.map(\.machine)
        let resuming = together ? running : []
        // Every running machine restored to run is paused on the way (together, or for a load in its own
        // QEMU): a kill before it runs again must not leave it paused, so the journal lists them all.
        try SnapshotJournal(operation: .restore, snapshot: name, machines: targets.map(\.machine.name),
                            paused: (start ? running : []).map(\.name)).write(in: project)
        let reverted = Parallel.map(targets) { machine, record -> (Machine, SnapshotRecord, Result<Void, LifecycleError>) in
            let revert: SnapshotRevert = switch record.state {
            case .shutoff: .asSaved
            case .paused: .paused
            case .running: start && !together ? .running : .paused
            }
            do {
                try host.revertSnapshot(project.domainName(of: machine.name), name: name, to: revert)
                try SnapshotStore(files: project.files(of: machine.name)).restoreFiles(of: name)
                return (machine, record, .success(()))
            } catch {
                return (machine, record, .failure(LifecycleError(
                    .hypervisor, "machine '\(machine.name)': cannot restore snapshot '\(name)'",
                    hint: "`vmfile snapshot list \(machine.name)` shows its snapshots; restore again to retry", cause: error)))
            }
        }
        resumeQuietly(resuming.filter { machine in reverted.contains { $0.0.name == machine.name && (try? $0.2.get()) != nil } })
        SnapshotJournal.remove(in: project)
        let controller = self
        return Parallel.map(reverted) { machine, record, result in
            MachineResult(machine: machine.name, result: result.flatMap {
                do {
                    let clock = clocks[machine.name] ?? PhaseClock(machine: machine.name, reporter: controller.reporter)
                    return .success(try controller.settleRestored(machine, record, request: request, start: start, clock: clock))
                } catch let error as LifecycleError {
                    return .failure(error)
                } catch {
                    return .failure(LifecycleError(.guest, "machine '\(machine.name)': \(error)", cause: error))
                }
            })
        }
    }

    /// After the revert: forwarded ports follow the machine's state; a running one gets its clock set
    /// and is provisioned as `request` says, on one SSH connection. Returns the state it is left in.
    private func settleRestored(_ machine: Machine, _ record: SnapshotRecord, request: ProvisionRequest,
                                start: Bool, clock: PhaseClock) throws -> SnapshotState {
        let state: SnapshotState = record.state == .running && !start ? .paused : record.state
        guard state != .shutoff else {
            removeForwardedPorts(machine, clock: clock)
            clock.report("restored snapshot '\(record.name)' (halted)")
            return state
        }
        let leased = try sshTarget(of: machine)
        guard state == .running else {
            if leased != nil { try applyRecordedPorts(machine, clock: clock) }
            clock.report("restored snapshot '\(record.name)' (suspended)")
            return state
        }
        clock.report("restored snapshot '\(record.name)' (running)")
        // A guest halted since the snapshot gave its lease back; from memory it still holds the address.
        let target = try leased ?? record.address.map { SSHTarget(host: $0, port: machine.ssh.port) } ?? runningSSHTarget(of: machine)
        let session = try connectGuest(machine, target: target, deadline: Date().addingTimeInterval(TimeInterval(machine.bootTimeout)))
        var open = session
        defer { open.close() }
        setGuestClock(machine, session: session, renewLease: leased == nil, clock: clock)
        if leased == nil { try waitForRenewedLease(machine, clock: clock) }
        try applyRecordedPorts(machine, clock: clock)
        open = try runProvisioning(machine, selectSteps(machine, request: request), request: request, session: session,
                                   target: target, clock: clock)
        return state
    }

    /// The guest's clock stood still while it was saved: sets it to the host's time (`date -s @EPOCH`
    /// through `sudo -n`), and with `renewLease` asks its DHCP clients to renew (busybox udhcpc,
    /// dhcpcd, systemd-networkd), so the network's DHCP server holds the address again. One command.
    /// A guest that refuses gets a note, not an error.
    func setGuestClock(_ machine: Machine, session: any GuestSession, renewLease: Bool, clock: PhaseClock) {
        let renew = renewLease
            ? "; for p in $(pidof udhcpc); do kill -USR1 $p; done; command -v dhcpcd >/dev/null && dhcpcd -n >/dev/null 2>&1"
                + "; command -v networkctl >/dev/null && networkctl renew $(networkctl list --no-legend | awk '$2 != \"lo\" {print $2}') >/dev/null 2>&1; true"
            : ""
        let now = Int64(Date().timeIntervalSince1970.rounded())
        let script = "date -u -s @\(now) >/dev/null || exit 1\(renew)"
        let result = try? session.run(ShellQuote.asRoot(script))
        if result?.status == 0 {
            clock.report(renewLease ? "guest clock set, DHCP lease renewed" : "guest clock set")
        } else {
            clock.report("note: guest clock not set (`sudo -n date -s` failed: \(result?.stderr.trimmingCharacters(in: .whitespacesAndNewlines) ?? "no answer"))")
        }
    }

    /// Waits a few seconds for the renewed management lease; without it `vmfile ssh` and ports cannot
    /// find the guest, which a note says.
    private func waitForRenewedLease(_ machine: Machine, clock: PhaseClock) throws {
        guard host.managementMode == .network else { return }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try address(of: machine) != nil { return }
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
        clock.report("note: the guest did not renew its DHCP lease; `vmfile up \(machine.name)` after `vmfile halt` gets it a new one")
    }

    /// Installs the forwarded ports recorded with the snapshot (re-checked as `up` does).
    private func applyRecordedPorts(_ machine: Machine, clock: PhaseClock) throws {
        guard host.managementMode == .network, try address(of: machine) != nil else { return }
        try applyForwardedPorts(try planForwardedPorts(machine, clock: clock), of: machine, clock: clock)
    }

    /// The machines that hold complete snapshot `name`: those `selectors` name, each of which must, or
    /// when none are named every machine holding it. Machines not created or without it fail in one error.
    func snapshotHolders(_ name: String, selectors: [String]) throws -> [(machine: Machine, record: SnapshotRecord)] {
        let named = !selectors.isEmpty
        var holders: [(machine: Machine, record: SnapshotRecord)] = []
        var notCreated: [String] = [], lacking: [String] = []
        for machine in try project.machines(matching: selectors) {
            guard try status(of: machine) != nil else {
                if named { notCreated.append(machine.name) }
                continue
            }
            if let record = try completeSnapshot(name, of: machine) {
                holders.append((machine, record))
            } else if named {
                lacking.append(machine.name)
            }
        }
        var problems: [String] = []
        if !notCreated.isEmpty { problems.append("not created: \(notCreated.joined(separator: ", "))") }
        if !lacking.isEmpty { problems.append("without it: \(lacking.joined(separator: ", "))") }
        if !problems.isEmpty || holders.isEmpty {
            let what = problems.isEmpty ? "no machine of \(project.vmfile.path) holds it" : "machines \(problems.joined(separator: "; "))"
            throw LifecycleError(.invalidArgument, "snapshot '\(name)': \(what)", hint: "`vmfile snapshot list` shows the snapshots there are")
        }
        return holders
    }
}
