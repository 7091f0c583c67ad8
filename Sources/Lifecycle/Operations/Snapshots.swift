import Foundation
import Spec

extension MachineController {
    /// `snapshot save NAME`: takes snapshot `name` of the machines `selectors` name (all when none), each
    /// in the state it is in: running with memory, suspended as it is, halted disk only. With several
    /// machines it is one group snapshot: the running ones are paused, all are snapshotted, then they
    /// resume together, so disks and memory belong to one instant. vmfile's own state (provision markers,
    /// forwarded ports) is saved with it. A machine not created, in another state, or already holding
    /// `name` (unless `force` replaces it) fails the whole save before anything changes; so does a failed
    /// snapshot of one machine after the others were taken (they are deleted again).
    @discardableResult
    public func saveSnapshot(_ name: String, selectors: [String], force: Bool = false) throws -> [SnapshotRecord] {
        try SnapshotName.validate(name)
        recoverInterruptedSnapshot()
        let machines = try project.machines(matching: selectors)
        var states: [String: SnapshotState] = [:]
        var notCreated: [String] = [], unsupported: [String] = [], existing: [String] = []
        for machine in machines {
            let domain = project.domainName(of: machine.name)
            switch try host.domainState(domain) {
            case nil: notCreated.append(machine.name)
            case .running?: states[machine.name] = .running
            case .paused?: states[machine.name] = .paused
            case .shutoff?: states[machine.name] = .shutoff
            case let other?: unsupported.append("\(machine.name) (\(other.rawValue))")
            }
            if try hasAnySnapshotPart(name, of: machine) { existing.append(machine.name) }
        }
        var problems: [String] = []
        if !notCreated.isEmpty { problems.append("not created: \(notCreated.joined(separator: ", "))") }
        if !unsupported.isEmpty { problems.append("neither running, suspended nor halted: \(unsupported.joined(separator: ", "))") }
        if !existing.isEmpty && !force { problems.append("already holding snapshot '\(name)': \(existing.joined(separator: ", "))") }
        guard problems.isEmpty else {
            throw LifecycleError(.invalidArgument, "cannot save snapshot '\(name)': machines \(problems.joined(separator: "; "))",
                                 hint: !existing.isEmpty && !force
                                    ? "choose another name, or replace it with `vmfile snapshot save \(name) --force`"
                                    : "create them with `vmfile up`, or name only the machines to save")
        }
        for machine in machines where existing.contains(machine.name) { try removeSnapshot(name, of: machine) }

        let clocks = Dictionary(uniqueKeysWithValues: machines.map { ($0.name, PhaseClock(machine: $0.name, reporter: reporter)) })
        let group = machines.map(\.name)
        // One machine alone needs no pause of ours: libvirt stops its CPUs for the instant it saves memory.
        let pausing = machines.count > 1 ? machines.filter { states[$0.name] == .running } : []
        let journal = SnapshotJournal(operation: .save, snapshot: name, machines: group, paused: pausing.map(\.name))
        try journal.write(in: project)
        var paused: [Machine] = []
        let failures: [(String, any Error)]
        do {
            for machine in pausing {
                try host.suspend(project.domainName(of: machine.name))
                paused.append(machine)
            }
            failures = Parallel.map(machines) { machine -> (String, any Error)? in
                do {
                    try createSnapshotReplacingInFlight(name, of: machine)
                    return nil
                } catch {
                    return (machine.name, error)
                }
            }.compactMap { $0 }
        } catch {
            resumeQuietly(paused)
            recoverInterruptedSnapshot()
            throw LifecycleError(.hypervisor, "cannot pause the machines for snapshot '\(name)'", cause: error)
        }
        resumeQuietly(paused)
        if let (machine, error) = failures.first {
            // All or nothing: the snapshots the others got go again.
            recoverInterruptedSnapshot()
            throw LifecycleError(.hypervisor, "machine '\(machine)': snapshot '\(name)' failed; no machine keeps it",
                                 hint: "check free space in the vmfile pool (`virsh pool-info vmfile`), then save again", cause: error)
        }
        let created = Date().timeIntervalSince1970
        var records: [SnapshotRecord] = []
        for machine in machines {
            let state = states[machine.name] ?? .shutoff
            let address = state == .shutoff || host.managementMode == .userMode ? nil : try? address(of: machine)
            let record = SnapshotRecord(name: name, machine: machine.name, state: state, created: created, group: group,
                                        address: address)
            try SnapshotStore(files: project.files(of: machine.name)).save(record)
            records.append(record)
            clocks[machine.name]?.report("saved snapshot '\(name)' (\(state == .shutoff ? "disk only" : "disk and memory"), \(state.rawValue))")
        }
        SnapshotJournal.remove(in: project)
        return records
    }

    /// Takes libvirt snapshot `name` of `machine`. A save killed moments ago may have left its snapshot
    /// still in flight in libvirtd, unseen by the checks before and landing while this one waited for the
    /// domain: then that one is replaced, once.
    private func createSnapshotReplacingInFlight(_ name: String, of machine: Machine) throws {
        let domain = project.domainName(of: machine.name)
        do {
            try host.createSnapshot(domain, name: name)
        } catch {
            guard try host.snapshotNames(domain).contains(name) else { throw error }
            try host.deleteSnapshot(domain, name: name)
            try host.createSnapshot(domain, name: name)
        }
    }

    /// Finishes what a killed snapshot command left, from its journal: deletes snapshots of an unfinished
    /// save that have no complete record, and resumes the machines it paused. Called under the project
    /// lock by every snapshot command; reports what it did, never throws (the next command tries again).
    public func recoverInterruptedSnapshot() {
        guard let journal = SnapshotJournal.load(in: project) else { return }
        let machines = project.vmfile.machines.filter { journal.machines.contains($0.name) }
        var finished = true
        // A group is all or nothing: one machine without its record undoes the whole save.
        let unrecorded = machines.contains { SnapshotStore(files: project.files(of: $0.name)).record(journal.snapshot) == nil }
        if journal.operation == .save && unrecorded {
            for machine in machines {
                do {
                    try removeSnapshot(journal.snapshot, of: machine)
                } catch {
                    finished = false
                    reporter.notice("warning: machine '\(machine.name)': cannot remove the unfinished snapshot '\(journal.snapshot)': \(error)")
                }
            }
        }
        let paused = machines.filter { journal.paused.contains($0.name) }
        resumeQuietly(paused.filter { (try? status(of: $0)) == .paused })
        guard finished else { return }
        SnapshotJournal.remove(in: project)
        reporter.notice("finished an interrupted snapshot \(journal.operation.rawValue) of '\(journal.snapshot)'")
    }

    /// Resumes `machines`, reporting (not throwing) a failure: the journal's recovery retries it.
    func resumeQuietly(_ machines: [Machine]) {
        for machine in machines {
            do {
                try host.resume(project.domainName(of: machine.name))
            } catch {
                reporter.notice("warning: machine '\(machine.name)' is still paused: \(error); `vmfile resume \(machine.name)` continues it")
            }
        }
    }

    /// The complete record of snapshot `name` of `machine`: vmfile's record and libvirt's snapshot both there.
    func completeSnapshot(_ name: String, of machine: Machine) throws -> SnapshotRecord? {
        guard let record = SnapshotStore(files: project.files(of: machine.name)).record(name) else { return nil }
        return try host.snapshotNames(project.domainName(of: machine.name)).contains(name) ? record : nil
    }

    /// Every complete snapshot of `machine`, oldest first.
    func completeSnapshots(of machine: Machine) throws -> [SnapshotRecord] {
        let names = Set(try host.snapshotNames(project.domainName(of: machine.name)))
        return SnapshotStore(files: project.files(of: machine.name)).records().filter { names.contains($0.name) }
    }

    /// Whether either half of snapshot `name` (libvirt's or vmfile's) exists for `machine`.
    func hasAnySnapshotPart(_ name: String, of machine: Machine) throws -> Bool {
        try SnapshotStore(files: project.files(of: machine.name)).record(name) != nil
            || host.snapshotNames(project.domainName(of: machine.name)).contains(name)
    }

    /// Removes both halves of snapshot `name` of `machine`: vmfile's record first, so a kill between the
    /// two never leaves a record whose libvirt snapshot is gone.
    func removeSnapshot(_ name: String, of machine: Machine) throws {
        try SnapshotStore(files: project.files(of: machine.name)).remove(name)
        try host.deleteSnapshot(project.domainName(of: machine.name), name: name)
    }
}
