import Foundation
import Provisioner
import Spec

/// What a power operation found and did.
public enum PowerOutcome: String, Sendable, Equatable {
    case done
    /// Halt only: the guest ignored ACPI for `graceful_halt_timeout` and was forced off.
    case forced
    case alreadyInState = "already"
    case notCreated = "not-created"
}

extension MachineController {
    /// Shuts `machine` down: ACPI power button, wait up to `graceful_halt_timeout`, then force
    /// off. `force` pulls the plug at once. The disk is kept.
    public func halt(_ machine: Machine, force: Bool = false) throws -> PowerOutcome {
        let clock = PhaseClock(machine: machine.name, reporter: reporter)
        defer { removeForwardedPorts(machine, clock: clock) }
        let domain = project.domainName(of: machine.name)
        switch try host.settledDomainState(domain) {
        case nil:
            clock.report("not created")
            return .notCreated
        case .shutoff, .suspendedToDisk:
            clock.report("already halted")
            return .alreadyInState
        case .paused:
            // A paused guest cannot see the power button.
            try host.resume(domain)
        case .running, .crashed, .other:
            break
        }
        if force {
            try host.forceOff(domain)
            clock.report("forced off")
            return .done
        }
        let marker = project.files(of: machine.name).haltRequested
        try project.files(of: machine.name).create()
        FileManager.default.createFile(atPath: marker.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: marker) }
        try host.requestShutdown(domain)
        let deadline = Date().addingTimeInterval(TimeInterval(machine.gracefulHaltTimeout))
        while Date() < deadline {
            if try host.domainState(domain) == .shutoff {
                clock.report("halted")
                return .done
            }
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
        try host.forceOff(domain)
        clock.report("did not halt within \(machine.gracefulHaltTimeout) s: forced off")
        return .forced
    }

    /// Removes `machine` entirely: domain, disk volume and its project state. The box stays.
    /// Also removes what a killed run left (a disk without a domain).
    public func destroy(_ machine: Machine) throws -> PowerOutcome {
        let clock = PhaseClock(machine: machine.name, reporter: reporter)
        let domain = project.domainName(of: machine.name)
        let volume = project.volumeName(of: machine.name)
        let state = try host.domainState(domain)
        let hadVolume = try host.volumeExists(volume)
        let files = project.files(of: machine.name)
        let hadFiles = FileManager.default.fileExists(atPath: files.directory.path)
        if let state {
            if state == .running || state == .paused || state == .crashed || state == .other {
                try host.forceOff(domain)
            }
            try host.undefine(domain)
        }
        if hadVolume { try host.deleteVolume(volume) }
        removeForwardedPorts(machine, clock: clock)
        try releasePrivateNetworks(machine, clock: clock)
        try files.remove()
        guard state != nil || hadVolume || hadFiles else {
            clock.report("not created")
            return .notCreated
        }
        clock.report("destroyed")
        return .done
    }

    /// Pauses a running machine in memory.
    public func suspend(_ machine: Machine) throws -> PowerOutcome {
        try switchPause(machine, from: .running, to: .paused, done: "suspended") { try host.suspend($0) }
    }

    /// Resumes a suspended machine.
    public func resume(_ machine: Machine) throws -> PowerOutcome {
        try switchPause(machine, from: .paused, to: .running, done: "resumed") { try host.resume($0) }
    }

    /// Moves a machine between running and paused; already there is fine, any other state an error.
    private func switchPause(_ machine: Machine, from: DomainStatus, to: DomainStatus, done: String,
                             _ change: (String) throws -> Void) throws -> PowerOutcome {
        let clock = PhaseClock(machine: machine.name, reporter: reporter)
        let domain = project.domainName(of: machine.name)
        switch try host.settledDomainState(domain) {
        case nil:
            clock.report("not created")
            return .notCreated
        case to?:
            clock.report(to == .paused ? "already suspended" : "already running")
            return .alreadyInState
        case from?:
            try change(domain)
            clock.report(done)
            return .done
        case let other?:
            throw LifecycleError(.invalidArgument, "machine '\(machine.name)' is \(other.rawValue), not \(from.rawValue)",
                                 hint: "start it with `vmfile up \(machine.name)`")
        }
    }
}
