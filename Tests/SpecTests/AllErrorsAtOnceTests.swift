import Testing
@testable import Spec

@Suite struct AllErrorsAtOnceTests {
    static let broken = """
        version: 1
        defaults:
          memory: 1G
        networks:
          lab: {cidr: 10.10.0.0/24}
          wide: {cidr: 10.10.0.0/16}
        machines:
          web:
            box: tiny
            memry: 2G
            cpus: "2"
            networks:
              - private: lab
                ip: 10.10.0.1
              - private: nope
                dhcp: true
            forwarded_ports:
              - {guest: 80, host: 8080}
          db_1:
            memory: 12
            forwarded_ports:
              - {guest: 80, host: 8080, host_ip: 0.0.0.0}
            memory: 33
        """

    @Test func everyProblemIsReportedInFileOrder() throws {
        let diagnostics = try Load.diagnostics(Self.broken)
        let expected: [(String, Int, Int)] = [
            ("network `wide` (10.10.0.0/16) overlaps network `lab`", 6, 16),
            ("unknown key `memry` in machine `web`", 10, 5),
            ("`cpus` must be an integer", 11, 11),
            ("ip 10.10.0.1 is the host's gateway address", 14, 13),
            ("private network `nope`, which is not declared", 15, 18),
            ("machine name `db_1` is not a valid host name", 19, 3),
            ("machine `db_1` has no `box`", 19, 3),
            ("`memory` is 12 MiB, below the minimum", 20, 13),
            ("host port 0.0.0.0:8080/tcp is already forwarded by machine `web`", 22, 27),
            ("duplicate key `memory`", 23, 5),
        ]
        #expect(diagnostics.count == expected.count, "\(diagnostics.map(\.description))")
        for (diagnostic, (message, line, column)) in zip(diagnostics, expected) {
            #expect(diagnostic.message.contains(message), "\(diagnostic)")
            #expect(diagnostic.line == line && diagnostic.column == column, "\(diagnostic)")
        }
    }

    @Test func hintsSuggestTheNearestKey() throws {
        let diagnostics = try Load.diagnostics(Self.broken)
        let unknown = try #require(diagnostics.first { $0.message.contains("memry") })
        #expect(unknown.hint == "did you mean `memory`?")
        #expect(unknown.description == "Vmfile:10:5: error: unknown key `memry` in machine `web`\n  hint: did you mean `memory`?")
        let network = try #require(diagnostics.first { $0.message.contains("nope") })
        #expect(network.hint.contains("lab"))
    }

    @Test func renderingListsEveryDiagnosticAndACount() throws {
        do {
            _ = try VmfileLoader.parse(yaml: Self.broken, path: "Vmfile", baseDirectory: "/nonexistent")
            Issue.record("expected errors")
        } catch {
            let text = error.description
            #expect(text.hasSuffix("10 errors in Vmfile"))
            #expect(text.components(separatedBy: ": error: ").count == 11)
            #expect(text.components(separatedBy: "\n  hint: ").count == 11)
        }
    }

    @Test func repeatedDuplicatesAreEachReportedAndNeverLeakAsUnknownKeys() throws {
        let yaml = "version: 1\nmachines:\n  m:\n    box: a\n    box: b\n    box: c\n    cpus: 1\n    cpus: 2\n"
        let diagnostics = try Load.diagnostics(yaml)
        #expect(diagnostics.map(\.message) == ["duplicate key `box`", "duplicate key `box`", "duplicate key `cpus`"])
        #expect(diagnostics.map(\.line) == [5, 6, 8])
        #expect(diagnostics.first?.hint.contains("line 4") == true)
    }

    @Test func anErrorInsideADuplicatedMachineIsStillReported() throws {
        let yaml = "version: 1\nmachines:\n  m: {box: tiny}\n  m: {box: tiny, cpus: 0}\n  n: {box: tiny, cpus: -1}\n"
        let messages = try Load.diagnostics(yaml).map(\.message)
        #expect(messages.contains("duplicate key `m`"))
        #expect(messages.contains { $0.contains("`cpus` is -1") })
    }

    @Test func duplicateKeysAreFoundWithWindowsLineEndings() throws {
        let yaml = "version: 1\r\nmachines:\r\n  m:\r\n    box: a\r\n    box: b\r\n    cpus: 0\r\n"
        let diagnostics = try Load.diagnostics(yaml)
        #expect(diagnostics.map(\.message) == ["duplicate key `box`", "`cpus` is 0, outside the allowed range"])
        #expect(diagnostics.map(\.line) == [5, 6])
    }
}
