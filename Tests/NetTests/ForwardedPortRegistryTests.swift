import Foundation
import Spec
import Testing
@testable import Net

@Suite struct ForwardedPortRegistryTests {
    let registry = ForwardedPortRegistry(directory: FileManager.default.temporaryDirectory
        .appendingPathComponent("vmfile-registry-\(UInt32.random(in: 0...UInt32.max))"))

    @Test func recordedEndpointsAreTakenUntilRemoved() throws {
        defer { try? FileManager.default.removeItem(at: registry.directory) }
        let ssh = HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 2200)
        try registry.record(owner: "vmfile-p-a", endpoints: [ssh, HostEndpoint(protocol: .udp, address: "0.0.0.0", port: 5353)])
        #expect(registry.isForwarded(ssh))
        #expect(!registry.isForwarded(HostEndpoint(protocol: .udp, address: "127.0.0.1", port: 2200)), "another protocol")
        #expect(!registry.isForwarded(HostEndpoint(protocol: .tcp, address: "127.0.0.1", port: 2201)))
        #expect(registry.isForwarded(HostEndpoint(protocol: .udp, address: "127.0.0.2", port: 5353)), "0.0.0.0 takes every address")
        #expect(registry.isForwarded(HostEndpoint(protocol: .tcp, address: "0.0.0.0", port: 2200)))
        let attributes = try FileManager.default.attributesOfItem(atPath: registry.directory.appendingPathComponent("vmfile-p-a").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644, "unprivileged users must read it")

        try registry.record(owner: "vmfile-p-a", endpoints: [])
        #expect(!registry.isForwarded(ssh))
        #expect(registry.endpoints().isEmpty)
        try registry.remove(owner: "vmfile-p-absent")
    }
}
