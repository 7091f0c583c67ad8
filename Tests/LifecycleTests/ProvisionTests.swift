import Foundation
import Provisioner
import Spec
import Testing
@testable import Lifecycle

@Suite struct ProvisionTests {
    static let global = [ProvisionStep(name: "base", source: .inline("echo base"), run: .once)]
    static func machine(_ name: String = "web", _ steps: [ProvisionStep]? = nil) -> Machine {
        Machine(name: name, box: "tiny", provision: steps ?? [
            ProvisionStep(name: "setup", source: .inline("echo setup"), run: .once),
            ProvisionStep(name: "tick", source: .inline("echo tick"), run: .always),
            ProvisionStep(name: "manual", source: .inline("echo manual"), run: .never),
        ])
    }

    @Test func firstUpRunsGlobalThenMachineStepsOnOneConnectionAndSkipsNever() throws {
        let web = Self.machine()
        let fixture = try LifecycleFixture(machines: [web], provision: Self.global)
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.scripts == ["echo base", "echo setup", "echo tick"])
        #expect(fixture.guests.connections == 1)
        #expect(fixture.reporter.output["web"] == "ran: echo base\nran: echo setup\nran: echo tick\n")
        #expect(fixture.reporter.lines.contains { $0.contains("provision step 'setup' (once)") })
        #expect(!fixture.reporter.lines.contains { $0.contains("not applied yet") })
    }

    @Test func laterUpsRunOnlyAlwaysStepsWhetherBootingOrRunning() throws {
        let web = Self.machine()
        let fixture = try LifecycleFixture(machines: [web], provision: Self.global)
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.halt(web)
        fixture.guests.clearScripts()
        #expect(try fixture.controller.up(web) == .started(address: "192.0.2.10"))
        #expect(fixture.guests.scripts == ["echo tick"])
        fixture.guests.clearScripts()
        #expect(try fixture.controller.up(web) == .alreadyRunning)
        #expect(fixture.guests.scripts == ["echo tick"])
    }

    @Test func resumingASuspendedMachineDoesNotProvision() throws {
        let web = Self.machine()
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        _ = try fixture.controller.suspend(web)
        fixture.guests.clearScripts()
        #expect(try fixture.controller.up(web) == .resumed)
        #expect(fixture.guests.scripts.isEmpty)
    }

    @Test func upOnARunningMachineWithOnlyOnceStepsDoneOpensNoConnection() throws {
        let web = Self.machine("web", [ProvisionStep(name: "setup", source: .inline("echo setup"))])
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        let before = fixture.guests.connections
        #expect(try fixture.controller.up(web) == .alreadyRunning)
        #expect(fixture.guests.connections == before)
    }

    @Test func noProvisionSkipsEverythingAndTheNextUpProvisionsFully() throws {
        let web = Self.machine()
        let fixture = try LifecycleFixture(machines: [web], provision: Self.global)
        _ = try fixture.controller.up(web, provision: .none)
        #expect(fixture.guests.scripts.isEmpty)
        _ = try fixture.controller.halt(web)
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.scripts == ["echo base", "echo setup", "echo tick"])
    }

    @Test func provisionFlagRerunsOnceStepsButNotNeverSteps() throws {
        let web = Self.machine()
        let fixture = try LifecycleFixture(machines: [web], provision: Self.global)
        _ = try fixture.controller.up(web)
        fixture.guests.clearScripts()
        _ = try fixture.controller.up(web, provision: .all)
        #expect(fixture.guests.scripts == ["echo base", "echo setup", "echo tick"])
        fixture.guests.clearScripts()
        #expect(try fixture.controller.provision(web) == 3)
        #expect(fixture.guests.scripts == ["echo base", "echo setup", "echo tick"])
    }

    @Test func namedStepsRunAloneNeverStepsIncludedAndUnknownNamesFail() throws {
        let web = Self.machine()
        let fixture = try LifecycleFixture(machines: [web], provision: Self.global)
        _ = try fixture.controller.up(web)
        fixture.guests.clearScripts()
        #expect(try fixture.controller.provision(web, request: .named(["manual", "base"])) == 2)
        #expect(fixture.guests.scripts == ["echo base", "echo manual"])
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.checkStepNames(["nope"], machines: [web]) }
        #expect(error.message.contains("'nope'") && (error.hint ?? "").contains("base, setup, tick, manual"))
        try fixture.controller.checkStepNames(["manual"], machines: [web])
    }

    @Test func provisionNeedsARunningMachine() throws {
        let web = Self.machine()
        let fixture = try LifecycleFixture(machines: [web])
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.provision(web) }
        #expect(error.message.contains("'web'") && error.message.contains("not running"))
        #expect((error.hint ?? "").contains("vmfile up web"))
    }

    @Test func aFailingStepStopsTheMachineWithStepExitStatusAndLastLines() throws {
        let web = Self.machine()
        let fixture = try LifecycleFixture(machines: [web], provision: Self.global)
        let noisy = (1...30).map { "line \($0)" }.joined(separator: "\n")
        fixture.guests.stepResults["echo setup"] = (3, noisy + "\n", "boom\n")
        let error = try #require(throws: LifecycleError.self) { try fixture.controller.up(web) }
        #expect(error.code == .provisionFailed)
        #expect(error.message.contains("'web'") && error.message.contains("'setup'") && error.message.contains("exit status 3"))
        let hint = error.hint ?? ""
        #expect(hint.contains("line 30") && hint.contains("boom") && !hint.contains("line 5\n"))
        #expect(hint.contains("vmfile provision web --step setup"))
        #expect(fixture.guests.scripts == ["echo base", "echo setup"])

        // The next up resumes with the once steps not done (the first provisioning never completed).
        fixture.guests.stepResults["echo setup"] = nil
        fixture.guests.clearScripts()
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.scripts == ["echo setup", "echo tick"])
        fixture.guests.clearScripts()
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.scripts == ["echo tick"])
    }

    @Test func aFailureStopsOnlyItsOwnMachine() throws {
        let web = Self.machine("web", [ProvisionStep(name: "w", source: .inline("exit 7"))])
        let db = Self.machine("db", [ProvisionStep(name: "d1", source: .inline("echo d1")),
                                     ProvisionStep(name: "d2", source: .inline("echo d2"))])
        let fixture = try LifecycleFixture(machines: [web, db])
        fixture.guests.stepResults["exit 7"] = (7, "", "")
        let results = fixture.controller.forEach([web, db]) { try $0.up($1) }
        #expect(results.map(\.machine) == ["web", "db"])
        if case .failure(let error) = results[0].result {
            #expect(error.message.contains("'w'") && error.message.contains("exit status 7"))
        } else {
            Issue.record("web should have failed")
        }
        #expect((try? results[1].result.get()) == .created(address: "192.0.2.10"))
        #expect(fixture.guests.scripts.contains("echo d2"))
    }

    @Test func rebootStepReconnectsToTheNewBootAndContinues() throws {
        let web = Self.machine("web", [
            ProvisionStep(name: "kernel", source: .inline("echo kernel"), reboot: true),
            ProvisionStep(name: "after", source: .inline("echo after")),
        ])
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.scripts == ["echo kernel", "echo after"])
        #expect(fixture.guests.bootID == 2)
        #expect(fixture.guests.connections == 2)
        #expect(fixture.guests.pinsSeen.last == "ssh-ed25519 AAAAfakehostkey")
        #expect(fixture.reporter.lines.contains { $0.contains("back after reboot") })
    }

    @Test func destroyForgetsOnceStepsAndARecreatedDiskIsProvisionedAgain() throws {
        let web = Self.machine()
        let fixture = try LifecycleFixture(machines: [web])
        _ = try fixture.controller.up(web)
        let markers = fixture.project.files(of: "web").provisionMarkers
        #expect(FileManager.default.fileExists(atPath: markers.path))
        _ = try fixture.controller.destroy(web)
        #expect(!FileManager.default.fileExists(atPath: markers.path))
        fixture.guests.clearScripts()
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.scripts == ["echo setup", "echo tick"])

        // A domain removed behind vmfile's back: the state dir stays, but the new disk gets once steps again.
        try fixture.host.undefine(fixture.project.domainName(of: "web"))
        fixture.guests.clearScripts()
        _ = try fixture.controller.up(web)
        #expect(fixture.guests.scripts == ["echo setup", "echo tick"])
    }

    @Test func planSelectsByRequestAndMarkers() {
        let steps = ProvisionPlan.steps(for: Self.machine(), in: Vmfile(provision: Self.global))
        #expect(steps.map(\.step.name) == ["base", "setup", "tick", "manual"])
        #expect(steps.map(\.scope) == [.global, .machine, .machine, .machine])
        var state = ProvisionMarkers.State()
        #expect(ProvisionPlan.select(.onBoot, from: steps, markers: state).map(\.step.name) == ["base", "setup", "tick"])
        state.completedOnce = ["global/base"]
        #expect(ProvisionPlan.select(.onBoot, from: steps, markers: state).map(\.step.name) == ["setup", "tick"])
        state.firstProvisioningComplete = true
        #expect(ProvisionPlan.select(.onBoot, from: steps, markers: state).map(\.step.name) == ["tick"])
        #expect(ProvisionPlan.select(.all, from: steps, markers: state).map(\.step.name) == ["base", "setup", "tick"])
        #expect(ProvisionPlan.select(.none, from: steps, markers: state).isEmpty)
        #expect(ProvisionPlan.select(.named(["manual"]), from: steps, markers: state).map(\.step.name) == ["manual"])
    }
}
