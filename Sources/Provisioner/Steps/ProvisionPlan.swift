import Spec

/// Which provision steps a run asks for, with Vagrant's semantics.
public enum ProvisionRequest: Sendable, Equatable {
    /// `up` / `reload` without flags: `always` steps, plus the `once` steps not yet done until the machine's
    /// first provisioning completed (Vagrant's sentinel). `never` steps are skipped.
    case onBoot
    /// `up --provision`, `reload --provision`, `vmfile provision`: every `once` and `always` step, done or not.
    case all
    /// `vmfile provision --step NAME...`: exactly the named steps, `never` steps included, in Vmfile order.
    case named([String])
    /// `--no-provision`: nothing, not even `always` steps.
    case none
}

/// A provision step of one machine, with the list it came from.
public struct PlannedStep: Sendable, Equatable {
    /// The Vmfile list a step came from: the top-level `provision:` or the machine's own.
    public enum Scope: String, Sendable {
        case global
        case machine
    }

    public let step: ProvisionStep
    public let scope: Scope

    public init(step: ProvisionStep, scope: Scope) {
        self.step = step
        self.scope = scope
    }

    /// The key its `once` marker is kept under (names are unique per list).
    public var markerKey: String { "\(scope.rawValue)/\(step.name)" }
}

/// Chooses the steps a provisioning run executes. Pure: the tests drive it directly.
public enum ProvisionPlan {
    /// Every step of `machine` in run order: the Vmfile's top-level steps, then the machine's own.
    public static func steps(for machine: Machine, in vmfile: Vmfile) -> [PlannedStep] {
        vmfile.provision.map { PlannedStep(step: $0, scope: .global) }
            + machine.provision.map { PlannedStep(step: $0, scope: .machine) }
    }

    /// The steps `request` runs, in order, given what the machine's markers say was done.
    public static func select(_ request: ProvisionRequest, from steps: [PlannedStep], markers: ProvisionMarkers.State) -> [PlannedStep] {
        switch request {
        case .none:
            return []
        case .all:
            return steps.filter { $0.step.run != .never }
        case .named(let names):
            return steps.filter { names.contains($0.step.name) }
        case .onBoot:
            return steps.filter { planned in
                switch planned.step.run {
                case .always: return true
                case .never: return false
                case .once: return !markers.firstProvisioningComplete && !markers.completedOnce.contains(planned.markerKey)
                }
            }
        }
    }

    /// The names in `names` that no machine of `machines` has as a step.
    public static func unknownNames(_ names: [String], machines: [Machine], in vmfile: Vmfile) -> [String] {
        let known = Set(machines.flatMap { steps(for: $0, in: vmfile).map(\.step.name) })
        return names.filter { !known.contains($0) }
    }
}
