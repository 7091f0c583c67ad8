import Foundation
import Hypervisor
import Testing
@testable import Lifecycle

/// The factory's URI choice with a fake environment and a fake process (root? system socket?): no
/// libvirt is opened.
@Suite struct LibvirtHostFactoryTests {
    /// Counts how often the system socket is asked about.
    final class SocketProbe: @unchecked Sendable {
        // Sendable: `asked` is only touched under `lock`.
        private let lock = NSLock()
        private var asked = 0
        let reachable: Bool

        init(reachable: Bool) { self.reachable = reachable }

        var count: Int { lock.withLock { asked } }

        func probe(root: Bool) -> LibvirtHostFactory.Probe {
            LibvirtHostFactory.Probe(isRoot: { root }, systemSocketReachable: {
                self.lock.withLock { self.asked += 1 }
                return self.reachable
            })
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var connect: String?
        var environment: String?
        var vmfile: String?
        var root: Bool
        var socket: Bool
        var uri: String
        var source: ConnectionURISource
        var fallback: String? = nil
        var testDescription: String { "\(source) → \(uri)" }
    }

    static let cases: [Case] = [
        Case(connect: "qemu+ssh://h/system", environment: "qemu:///session", vmfile: "test:///default", root: true, socket: true,
             uri: "qemu+ssh://h/system", source: .explicit),
        Case(connect: nil, environment: "qemu:///session", vmfile: "test:///default", root: false, socket: true,
             uri: "qemu:///session", source: .environment),
        Case(connect: " ", environment: "", vmfile: "test:///default", root: false, socket: false,
             uri: "test:///default", source: .vmfile),
        Case(root: true, socket: false, uri: "qemu:///system", source: .defaultSystem),
        Case(root: false, socket: true, uri: "qemu:///system", source: .defaultSystem, fallback: "qemu:///session"),
        Case(root: false, socket: false, uri: "qemu:///session", source: .defaultSession),
    ]

    @Test(arguments: cases)
    func resolvesAsTheCommandLineEnvironmentAndVmfileSay(_ testCase: Case) {
        let socket = SocketProbe(reachable: testCase.socket)
        let environment = testCase.environment.map { ["VMFILE_LIBVIRT_URI": $0] } ?? [:]
        let factory = LibvirtHostFactory(explicitURI: testCase.connect, environment: environment, probe: socket.probe(root: testCase.root))
            .with(vmfileURI: testCase.vmfile)
        let resolved = factory.resolveURI()
        #expect(resolved.uri == testCase.uri)
        #expect(resolved.source == testCase.source)
        #expect(resolved.fallback == testCase.fallback)
    }

    @Test func theSystemSocketIsProbedOnlyWhenItDecides() {
        let socket = SocketProbe(reachable: true)
        let made = LibvirtHostFactory(explicitURI: nil, environment: [:], probe: socket.probe(root: false))
        _ = made.with(vmfileURI: nil)
        #expect(socket.count == 0, "making a factory probes nothing")
        for factory in [
            LibvirtHostFactory(explicitURI: "qemu:///session", environment: [:], probe: socket.probe(root: false)),
            LibvirtHostFactory(explicitURI: nil, environment: ["VMFILE_LIBVIRT_URI": "qemu:///session"], probe: socket.probe(root: false)),
            LibvirtHostFactory(explicitURI: nil, vmfileURI: "qemu:///session", environment: [:], probe: socket.probe(root: false)),
            LibvirtHostFactory(explicitURI: nil, environment: [:], probe: socket.probe(root: true)),
        ] {
            _ = factory.resolveURI()
        }
        #expect(socket.count == 0, "a given URI or root decides without the socket")
        _ = made.resolveURI()
        #expect(socket.count == 1)
    }

    @Test func withVmfileURIKeepsTheCommandLineAndEnvironment() {
        let factory = LibvirtHostFactory(explicitURI: "test:///default", environment: ["VMFILE_LIBVIRT_URI": "qemu:///session"],
                                         probe: SocketProbe(reachable: false).probe(root: true))
            .with(vmfileURI: "qemu:///system")
        #expect(factory.explicitURI == "test:///default")
        #expect(factory.environment["VMFILE_LIBVIRT_URI"] == "qemu:///session")
        #expect(factory.vmfileURI == "qemu:///system")
        #expect(factory.resolveURI().uri == "test:///default")
    }

    @Test func boxUsageWarnsOnOneLineOnlyForAnExplicitURI() throws {
        let error = HypervisorError(.noConnect, "Connecting to libvirt at x: no socket. Is libvirtd running?",
                                    libvirtMessage: "Failed to connect socket to '/nope':\nNo such file or directory")
        let line = try #require(LibvirtHostFactory.usageWarning(uri: "qemu+unix:///system?socket=/nope", source: .explicit, error: error))
        #expect(line.hasPrefix("warning: "))
        #expect(line.contains("qemu+unix:///system?socket=/nope") && line.contains("No such file or directory"))
        #expect(!line.contains("\n") && !line.contains("Is libvirtd running"))
        for source in [ConnectionURISource.environment, .vmfile, .defaultSystem, .defaultSession] {
            #expect(LibvirtHostFactory.usageWarning(uri: "qemu:///system", source: source, error: error) == nil)
        }
    }

    @Test func anExplicitUnreachableURIGivesNoUsageAndOneWarning() {
        var warnings: [String] = []
        let factory = LibvirtHostFactory(explicitURI: "qemu+unix:///system?socket=/nonexistent/vmfile-test.sock", environment: [:])
        #expect(factory.boxUsageIfReachable { warnings.append($0) } == nil)
        #expect(warnings.count == 1, "\(warnings)")
        #expect(factory.connectionIfReachable() == nil)
    }
}
