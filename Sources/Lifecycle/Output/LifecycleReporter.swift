import Foundation
import Provisioner

/// Receives the lifecycle's progress: one call per finished phase of a machine.
public protocol LifecycleReporter: Sendable {
    /// `machine` finished a phase; `elapsed` counts from the start of its operation.
    func phase(_ machine: String, _ message: String, elapsed: Duration)
    /// A line not tied to one machine (warnings, lock waits).
    func notice(_ message: String)
    /// A chunk of a provision step's output from `machine`'s guest, as it arrived (not split into lines).
    func output(_ machine: String, _ stream: GuestStream, _ bytes: Data)
    /// `machine`'s current step ended: an unfinished last line may be flushed.
    func outputFinished(_ machine: String)
}

/// A stopwatch for one machine's operation that reports each phase with its elapsed time.
struct PhaseClock {
    let machine: String
    let reporter: any LifecycleReporter
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    init(machine: String, reporter: any LifecycleReporter) {
        self.machine = machine
        self.reporter = reporter
        self.start = clock.now
    }

    func report(_ message: String) {
        reporter.phase(machine, message, elapsed: clock.now - start)
    }

    var elapsed: Duration { clock.now - start }
}

/// Shows one machine's shell steps through the lifecycle's reporter: phases with the machine's clock,
/// output under the machine's name.
struct MachineStepObserver: StepObserver {
    let clock: PhaseClock

    func phase(_ message: String) { clock.report(message) }
    func output(_ stream: GuestStream, _ bytes: Data) { clock.reporter.output(clock.machine, stream, bytes) }
    func outputFinished() { clock.reporter.outputFinished(clock.machine) }
}
