import Foundation
import Provisioner
import Spec

/// One snapshot name across a project's machines, for `snapshot list`.
public struct SnapshotListing: Sendable, Equatable, Codable {
    /// One machine's copy of the snapshot.
    public struct Member: Sendable, Equatable, Codable {
        public var machine: String
        /// `running`, `paused` or `shutoff`: the state it was saved in and is restored to.
        public var state: String
    }

    public var name: String
    /// When it was taken, ISO 8601 (UTC).
    public var created: String
    /// The machines listed that hold it.
    public var machines: [Member]
    /// The machines saved together with it (one instant).
    public var group: [String]
    /// Whether every machine of the group still holds it.
    public var complete: Bool
}

extension MachineController {
    /// `snapshot list`: the complete snapshots of `selectors`' machines (all when none), oldest first,
    /// each with the machines holding it and whether its whole group still does.
    public func listSnapshots(selectors: [String]) throws -> [SnapshotListing] {
        let machines = try project.machines(matching: selectors)
        var byName: [String: [SnapshotRecord]] = [:]
        var order: [String] = []
        for machine in machines where try status(of: machine) != nil {
            for record in try completeSnapshots(of: machine) {
                if byName[record.name] == nil { order.append(record.name) }
                byName[record.name, default: []].append(record)
            }
        }
        var listings: [SnapshotListing] = []
        for name in order {
            guard let records = byName[name], let first = records.first else { continue }
            // Group members outside the listed machines count too.
            var complete = true
            for member in first.group where !records.contains(where: { $0.machine == member }) {
                let machine = project.vmfile.machines.first { $0.name == member }
                let holds = try machine.map { try status(of: $0) != nil && completeSnapshot(name, of: $0) != nil } ?? false
                complete = complete && holds
            }
            let created = Date(timeIntervalSince1970: records.map(\.created).min() ?? first.created)
            listings.append(SnapshotListing(
                name: name, created: created.formatted(.iso8601), machines: records.map { .init(machine: $0.machine, state: $0.state.rawValue) },
                group: first.group, complete: complete))
        }
        return listings.sorted { $0.created < $1.created }
    }

    /// `snapshot delete NAME`: removes it from `selectors`' machines (every machine holding any part of it
    /// when none are named); a named machine without it is an error, before anything is deleted.
    @discardableResult
    public func deleteSnapshot(_ name: String, selectors: [String]) throws -> [String] {
        try SnapshotName.validate(name)
        recoverInterruptedSnapshot()
        let named = !selectors.isEmpty
        var holders: [Machine] = [], lacking: [String] = []
        for machine in try project.machines(matching: selectors) {
            if try hasAnySnapshotPart(name, of: machine) {
                holders.append(machine)
            } else if named {
                lacking.append(machine.name)
            }
        }
        guard lacking.isEmpty, !holders.isEmpty else {
            let what = lacking.isEmpty ? "no machine of \(project.vmfile.path) holds it" : "machines without it: \(lacking.joined(separator: ", "))"
            throw LifecycleError(.invalidArgument, "snapshot '\(name)': \(what)", hint: "`vmfile snapshot list` shows the snapshots there are")
        }
        let failures = Parallel.map(holders) { machine -> LifecycleError? in
            let clock = PhaseClock(machine: machine.name, reporter: reporter)
            do {
                try removeSnapshot(name, of: machine)
                clock.report("deleted snapshot '\(name)'")
                return nil
            } catch {
                return LifecycleError(.hypervisor, "machine '\(machine.name)': cannot delete snapshot '\(name)'",
                                      hint: "delete it again; `virsh snapshot-list \(project.domainName(of: machine.name))` shows libvirt's side", cause: error)
            }
        }.compactMap { $0 }
        if let failure = failures.first { throw failure }
        return holders.map(\.name)
    }

    /// `snapshot push`: saves a new snapshot of `selectors`' machines named `push-<ms>` on the project's stack.
    @discardableResult
    public func pushSnapshot(selectors: [String]) throws -> String {
        recoverInterruptedSnapshot()
        var name = SnapshotName.pushName()
        // Two pushes within one millisecond (a script) still get two names.
        let machines = try project.machines(matching: selectors)
        while try machines.contains(where: { try hasAnySnapshotPart(name, of: $0) }) {
            name = SnapshotName.pushName(at: Date().addingTimeInterval(0.001))
        }
        try saveSnapshot(name, selectors: selectors)
        return name
    }

    /// `snapshot pop`: restores the newest pushed snapshot of `selectors`' machines (those holding it when
    /// none are named) and, unless `delete` is false, deletes it. Returns its name and the restore's results.
    public func popSnapshot(selectors: [String], delete: Bool = true, provision request: ProvisionRequest = .onBoot,
                            start: Bool = true) throws -> (name: String, results: [MachineResult<SnapshotState>]) {
        recoverInterruptedSnapshot()
        var newest: SnapshotRecord?
        for machine in try project.machines(matching: selectors) where try status(of: machine) != nil {
            for record in try completeSnapshots(of: machine) where record.name.hasPrefix(SnapshotName.pushPrefix) {
                if newest.map({ ($0.created, $0.name) < (record.created, record.name) }) ?? true { newest = record }
            }
        }
        guard let name = newest?.name else {
            throw LifecycleError(.invalidArgument, "no pushed snapshot to pop in \(project.vmfile.path)",
                                 hint: "`vmfile snapshot push` saves one; `vmfile snapshot list` shows the snapshots there are")
        }
        let results = try restoreSnapshot(name, selectors: selectors, provision: request, start: start)
        if delete {
            let restored = results.filter { (try? $0.result.get()) != nil }.map(\.machine)
            if !restored.isEmpty { try deleteSnapshot(name, selectors: restored) }
        }
        return (name, results)
    }
}
