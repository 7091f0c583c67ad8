import Foundation
import Net
import Spec

/// Port forwards in memory: owner → (mappings, guest). `bound` plays sockets other processes hold.
final class FakeForwarder: PortForwarder, @unchecked Sendable {
    // Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var rules: [String: (mappings: [PortMapping], guest: IPv4Address)] = [:]
    private var boundEndpoints: Set<HostEndpoint> = []

    var installed: [String: [PortMapping]] {
        lock.lock()
        defer { lock.unlock() }
        return rules.mapValues(\.mappings)
    }

    func bind(_ endpoint: HostEndpoint) {
        lock.lock()
        boundEndpoints.insert(endpoint)
        lock.unlock()
    }

    func install(owner: String, _ mappings: [PortMapping]) {
        lock.lock()
        rules[owner] = (mappings, IPv4Address(value: 0xC000_0263))
        lock.unlock()
    }

    func endpoints(excludingOwner owner: String) throws -> [HostEndpoint] {
        lock.lock()
        defer { lock.unlock() }
        return rules.filter { $0.key != owner }.flatMap { $0.value.mappings.map(\.hostEndpoint) }
    }

    func availability(of endpoint: HostEndpoint) -> PortAvailability {
        lock.lock()
        defer { lock.unlock() }
        if endpoint.address == "203.0.113.9" { return .addressNotLocal }
        return boundEndpoints.contains(where: { $0.collides(with: endpoint) }) ? .inUse : .free
    }

    func apply(owner: String, mappings: [PortMapping], guest: IPv4Address, bridge: String) throws {
        lock.lock()
        rules[owner] = (mappings, guest)
        lock.unlock()
    }

    func remove(owner: String) throws {
        lock.lock()
        rules[owner] = nil
        lock.unlock()
    }
}
