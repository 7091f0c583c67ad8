import Testing
@testable import Spec

@Suite struct DefaultsMergeTests {
    static let yaml = """
        version: 1
        defaults:
          box: tiny
          memory: 1GiB
          ssh: {username: admin, port: 2222}
          forwarded_ports:
            - {guest: 22, host: 2200, auto_correct: true}
          provision:
            - shell: echo default
        machines:
          plain:
          custom:
            box: other
            memory: 256MiB
            ssh: {port: 22}
            forwarded_ports: []
            provision:
              - shell: echo own
        """

    @Test func machineWithoutKeysInheritsEverything() throws {
        let plain = try #require(try Load.vmfile(Self.yaml).machine(named: "plain"))
        #expect(plain.box == "tiny")
        #expect(plain.memoryMiB == 1024)
        #expect(plain.ssh.username == "admin" && plain.ssh.port == 2222)
        #expect(plain.forwardedPorts.map(\.host) == [2200])
        #expect(plain.provision.map(\.source) == [.inline("echo default")])
        #expect(plain.hostname == "plain")
    }

    @Test func scalarsAndListsFromTheMachineWinAndMappingsMerge() throws {
        let custom = try #require(try Load.vmfile(Self.yaml).machine(named: "custom"))
        #expect(custom.box == "other")
        #expect(custom.memoryMiB == 256)
        #expect(custom.ssh.username == "admin" && custom.ssh.port == 22)
        #expect(custom.forwardedPorts.isEmpty)
        #expect(custom.provision.map(\.source) == [.inline("echo own")])
    }

    @Test func anErrorInDefaultsIsReportedOnceAtTheDefaultsValue() throws {
        let yaml = "version: 1\ndefaults:\n  box: tiny\n  cpus: 0\nmachines:\n  a:\n  b:\n  c:\n"
        let diagnostics = try Load.diagnostics(yaml)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.line == 4 && diagnostics.first?.column == 9)
    }

    @Test func anUnknownKeyInDefaultsIsReportedOnceAsADefaultsKey() throws {
        let yaml = "version: 1\ndefaults:\n  box: tiny\n  memroy: 1G\nmachines:\n  a:\n  b:\n"
        let diagnostics = try Load.diagnostics(yaml)
        #expect(diagnostics.map(\.message) == ["unknown key `memroy` in `defaults`"])
        #expect(diagnostics.first?.line == 4 && diagnostics.first?.column == 3)
        #expect(diagnostics.first?.hint == "did you mean `memory`?")
    }
}

@Suite struct MergeKeyTests {
    @Test func anchorsAndMergeKeysShareSettings() throws {
        let yaml = """
            version: 1
            machines:
              a: &common
                box: tiny
                memory: 1GiB
              b:
                <<: *common
                memory: 2GiB
              c:
                <<: [*common]
            """
        let vmfile = try Load.vmfile(yaml)
        #expect(vmfile.machines.map(\.memoryMiB) == [1024, 2048, 1024])
        #expect(vmfile.machines.map(\.box) == ["tiny", "tiny", "tiny"])
    }

    @Test func mergedValuesBeatDefaults() throws {
        let yaml = """
            version: 1
            defaults: {box: tiny, cpus: 1}
            machines:
              a: {box: tiny, cpus: &four 4}
              b: {<<: {cpus: *four}}
            """
        let vmfile = try Load.vmfile(yaml)
        #expect(vmfile.machine(named: "b")?.cpus == 4)
    }

    @Test func aMergeOfAScalarIsReported() throws {
        let diagnostics = try Load.diagnostics("version: 1\nmachines:\n  a: {box: tiny, <<: 3}\n")
        #expect(diagnostics.map(\.message) == ["`<<` in machine `a` must merge a mapping, not the number 3"])
        #expect(diagnostics.first.map { ($0.line, $0.column) } ?? (0, 0) == (3, 22))
    }
}
