import Foundation
import Testing
@testable import Net

/// `OpenVSwitch` against a recorded `ovs-vsctl`: what it asks, and how it reads the answers.
@Suite struct OpenVSwitchTests {
    /// Answers `ovs-vsctl` from a table keyed by the arguments after any `--timeout`, recording each call.
    final class FakeVsctl: @unchecked Sendable {
        let lock = NSLock()
        var calls: [String] = []
        var answers: [String: CommandResult] = [:]

        func run(_ arguments: [String]) throws -> CommandResult {
            let key = arguments.filter { !$0.hasPrefix("--timeout") }.joined(separator: " ")
            lock.lock()
            defer { lock.unlock() }
            calls.append(key)
            return answers[key] ?? CommandResult(status: 0, stdout: "", stderr: "")
        }

        func answer(_ key: String, status: Int32 = 0, _ stdout: String = "", stderr: String = "") {
            answers[key] = CommandResult(status: status, stdout: stdout, stderr: stderr)
        }
    }

    func ovs(_ fake: FakeVsctl, kernel: Bool = false) -> OpenVSwitch {
        OpenVSwitch(kernelDatapath: kernel) { try fake.run($0) }
    }

    @Test func aMissingBridgeIsMadeMarkedAndOnTheUserspaceDatapathWithoutTheKernelModule() throws {
        let fake = FakeVsctl()
        fake.answer("br-exists vmfnet-1", status: 2)
        #expect(try ovs(fake).ensureBridge("vmfnet-1", owner: "vmfile-p-lab"))
        #expect(fake.calls.last == "--may-exist add-br vmfnet-1 -- set bridge vmfnet-1 datapath_type=netdev -- br-set-external-id vmfnet-1 vmfile-network vmfile-p-lab")
        #expect(ovs(fake, kernel: true).datapathType == "system")
    }

    @Test func anExistingBridgeIsReusedOnlyWithVmfilesMarkForThatNetwork() throws {
        let fake = FakeVsctl()
        fake.answer("br-get-external-id vmfnet-1 vmfile-network", "vmfile-p-lab\n")
        #expect(try !ovs(fake).ensureBridge("vmfnet-1", owner: "vmfile-p-lab"))
        #expect(!fake.calls.contains { $0.contains("add-br") })
        #expect(throws: NetError.self) { try ovs(fake).ensureBridge("vmfnet-1", owner: "vmfile-q-lab") }
        fake.answer("br-get-external-id vmfnet-1 vmfile-network", "")
        let error = try #require(throws: NetError.self) { try ovs(fake).ensureBridge("vmfnet-1", owner: "vmfile-p-lab") }
        #expect(error.message.contains("was not made by vmfile"))
        // Nor is a foreign bridge ever deleted.
        #expect(try !ovs(fake).deleteBridge("vmfnet-1", owner: "vmfile-p-lab"))
        #expect(!fake.calls.contains { $0.contains("del-br") })
    }

    @Test func deletingTakesOnlyOurBridge() throws {
        let fake = FakeVsctl()
        fake.answer("br-get-external-id vmfnet-1 vmfile-network", "vmfile-p-lab")
        #expect(try ovs(fake).deleteBridge("vmfnet-1", owner: "vmfile-p-lab"))
        #expect(fake.calls.last == "--if-exists del-br vmfnet-1")
        fake.answer("br-exists vmfnet-2", status: 2)
        #expect(try !ovs(fake).deleteBridge("vmfnet-2", owner: "vmfile-p-lab"))
    }

    @Test func availabilityNeedsBothDaemonsAndTheDatapath() throws {
        let fake = FakeVsctl()
        fake.answer("get Open_vSwitch . datapath_types", "[netdev, system]\n")
        try ovs(fake).checkAvailable()

        fake.answer("get Open_vSwitch . datapath_types", "[]\n")
        let idle = try #require(throws: NetError.self) { try ovs(fake).checkAvailable() }
        #expect(idle.message.contains("ovs-vswitchd does not") && idle.hint?.contains("ovs-vswitchd") == true)

        fake.answer("get Open_vSwitch . datapath_types", status: 1,
                    stderr: "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (No such file or directory)")
        let down = try #require(throws: NetError.self) { try ovs(fake).checkAvailable() }
        #expect(down.message.contains("not running") && down.message.contains("database connection failed"))

        let absent = OpenVSwitch(kernelDatapath: false) { _ in throw NetError("cannot start ovs-vsctl: No such file or directory") }
        let missing = try #require(throws: NetError.self) { try absent.checkAvailable() }
        #expect(missing.message.contains("not installed") && missing.hint?.contains("apt-get install openvswitch-switch") == true)
    }
}
