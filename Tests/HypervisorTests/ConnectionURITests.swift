import Testing
@testable import Hypervisor

@Suite struct ConnectionURITests {
    struct Case: Sendable, CustomTestStringConvertible {
        var inputs: ConnectionURIInputs
        var uri: String
        var source: ConnectionURISource
        var testDescription: String { "\(source) → \(uri)" }
    }

    static let cases: [Case] = [
        Case(inputs: .init(explicit: "qemu+ssh://h/system", environment: "qemu:///session", vmfile: "test:///default", isRoot: true, systemSocketReachable: true),
             uri: "qemu+ssh://h/system", source: .explicit),
        Case(inputs: .init(explicit: nil, environment: "qemu:///session", vmfile: "test:///default", isRoot: true, systemSocketReachable: true),
             uri: "qemu:///session", source: .environment),
        Case(inputs: .init(explicit: "  ", environment: "", vmfile: "test:///default", isRoot: false, systemSocketReachable: false),
             uri: "test:///default", source: .vmfile),
        Case(inputs: .init(isRoot: true, systemSocketReachable: false), uri: "qemu:///system", source: .defaultSystem),
        Case(inputs: .init(isRoot: false, systemSocketReachable: true), uri: "qemu:///system", source: .defaultSystem),
        Case(inputs: .init(isRoot: false, systemSocketReachable: false), uri: "qemu:///session", source: .defaultSession),
    ]

    @Test(arguments: cases)
    func resolves(_ testCase: Case) {
        let resolved = ResolvedConnectionURI.resolve(testCase.inputs)
        #expect(resolved.uri == testCase.uri)
        #expect(resolved.source == testCase.source)
    }

    @Test func onlyANonRootSystemDefaultFallsBackToTheSession() {
        // Debian's system socket accepts anyone; polkit or the libvirt group decides afterwards.
        #expect(ResolvedConnectionURI.resolve(.init(isRoot: false, systemSocketReachable: true)).fallback == "qemu:///session")
        #expect(ResolvedConnectionURI.resolve(.init(isRoot: true, systemSocketReachable: true)).fallback == nil)
        #expect(ResolvedConnectionURI.resolve(.init(isRoot: false, systemSocketReachable: false)).fallback == nil)
        #expect(ResolvedConnectionURI.resolve(.init(explicit: "qemu:///system", isRoot: false, systemSocketReachable: true)).fallback == nil)
    }

    @Test(arguments: [
        ("qemu:///system", true, false),
        ("qemu:///session", true, true),
        ("qemu+ssh://user@host/system", false, false),
        ("qemu+ssh://localhost/system", false, false),
        ("qemu://localhost/system", true, false),
        ("qemu+unix:///system?socket=/tmp/s", true, false),
        ("qemu+tcp://10.0.0.1:16509/session", false, true),
    ])
    func uriInfo(uri: String, local: Bool, session: Bool) {
        let info = ConnectionURIInfo(uri)
        #expect(info.isLocal == local)
        #expect(info.isSession == session)
    }

    @Test func missingSocketIsUnreachable() {
        #expect(!ConnectionURIInputs.unixSocketAccepts("/nonexistent/vmfile-test.sock"))
    }
}
