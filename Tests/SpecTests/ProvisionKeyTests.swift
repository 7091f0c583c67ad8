import Testing
@testable import Spec

@Suite struct ProvisionKeyTests {
    @Test func stepDefaults() throws {
        let machine = try #require(try Load.vmfile(Load.machineYAML("provision:\n  - shell: echo hi")).machines.first)
        #expect(machine.provision == [ProvisionStep(
            name: "shell-1", source: .inline("echo hi"), args: [], env: [:], privileged: true, run: .once,
            reboot: false)])
    }

    @Test func everyStepKey() throws {
        let yaml = Load.machineYAML("""
            provision:
              - name: setup
                path: scripts/setup.sh
                args: [1, two, true, 2.5]
                env: {MODE: fast, COUNT: 3}
                privileged: false
                run: always
                reboot: true
              - shell: echo second
                run: never
            """)
        let vmfile = try Load.vmfile(yaml, files: ["scripts/setup.sh": "#!/bin/sh\n"])
        let steps = try #require(vmfile.machines.first?.provision)
        #expect(steps.count == 2)
        #expect(steps[0].name == "setup")
        guard case .path(let path) = steps[0].source else {
            Issue.record("expected a path source")
            return
        }
        #expect(path.hasPrefix("/") && path.hasSuffix("/scripts/setup.sh"))
        #expect(steps[0].args == ["1", "two", "true", "2.5"])
        #expect(steps[0].env == ["MODE": "fast", "COUNT": "3"])
        #expect(!steps[0].privileged && steps[0].run == .always && steps[0].reboot)
        #expect(steps[1].name == "shell-2" && steps[1].run == .never)
    }

    @Test func topLevelProvisionAndLibvirt() throws {
        let yaml = """
            version: 1
            libvirt: {uri: "qemu:///session"}
            provision:
              - name: base
                shell: apt-get update
            machines:
              m: {box: tiny}
            """
        let vmfile = try Load.vmfile(yaml)
        #expect(vmfile.libvirt.uri == "qemu:///session")
        #expect(vmfile.provision.map(\.name) == ["base"])
        #expect(vmfile.machines.first?.provision == [])
    }
}
