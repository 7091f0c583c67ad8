import Boxes
import Foundation
import Spec

extension MachineController {
    /// The installed box `machine` asks for; when missing and the Vmfile gives `box_url`, it is added
    /// from there first (download progress as phase lines). Nil when missing without a URL.
    func installedBox(for machine: Machine, clock: PhaseClock) throws -> InstalledBox? {
        let reporter = reporter
        let name = machine.name
        let start = ContinuousClock.now
        let renderer = ProgressRenderer(terminal: false, interval: 5) { line in
            reporter.phase(name, line.trimmingCharacters(in: .newlines), elapsed: ContinuousClock.now - start)
        }
        let installer = BoxInstaller(store: boxes, progress: renderer.report, notice: { note in
            reporter.phase(name, note, elapsed: ContinuousClock.now - start)
        })
        return try installer.ensure(name: machine.box, constraint: machine.boxVersion, url: machine.boxURL)
    }
}
