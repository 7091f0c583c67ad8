import Spec
import Foundation
import Testing
@testable import Hypervisor

/// When integration tests run: always with `VMFILE_E2E=1` (then a missing libvirt is a failure), else
/// only when a system libvirt socket accepts connections.
enum LibvirtTestEnvironment {
    static let environment = ProcessInfo.processInfo.environment
    static let required = environment["VMFILE_E2E"] == "1"
    static let enabled = required || ConnectionURIInputs.systemSockets.contains(where: ConnectionURIInputs.unixSocketAccepts)
    static let uri = environment["VMFILE_LIBVIRT_URI"] ?? "qemu:///system"
    static let qemuImg = "/usr/bin/qemu-img"
}

/// A scoped set of libvirt objects named `vmfile-test-<random>…`; `cleanup()` removes everything
/// with the prefix and `leaks()` lists what is still there.
final class LibvirtScope: @unchecked Sendable {
    let connection: LibvirtConnection
    let prefix: String
    let poolDirectory: String
    let scratch: URL

    init() throws {
        connection = try LibvirtConnection(uri: LibvirtTestEnvironment.uri)
        prefix = "vmfile-test-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        poolDirectory = "/var/lib/libvirt/images/\(prefix)"
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent(prefix)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    /// A short bridge name (≤ 15 bytes) unique to this scope.
    var bridge: String { "vmft" + prefix.suffix(8) }

    func pool() throws -> StoragePool {
        try connection.ensureStoragePool(named: prefix, path: poolDirectory)
    }

    /// A scratch qcow2 image of `size` virtual bytes (no data).
    func makeImage(_ name: String, size: String) throws -> String {
        let path = scratch.appendingPathComponent(name).path
        try run(LibvirtTestEnvironment.qemuImg, ["create", "-q", "-f", "qcow2", path, size])
        return path
    }

    func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HypervisorError(.processFailed, "\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
    }

    func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A random 10.x.y.0/24 that overlaps neither a host route nor a libvirt network.
    func freeSubnet() throws -> String {
        var taken = try connection.networkSubnets()
        for line in try output("/sbin/ip", ["-4", "route", "show", "table", "all"]).split(separator: "\n") {
            var words = line.split(separator: " ")
            if let first = words.first, ["local", "broadcast", "unicast"].contains(first) { words.removeFirst() }
            guard let destination = words.first, destination != "default" else { continue }
            let cidr = destination.contains("/") ? String(destination) : "\(destination)/30"
            if let subnet = try? IPv4Network(parsing: cidr.hasSuffix("/32") ? String(cidr.dropLast(3)) + "/30" : cidr) { taken.append(subnet) }
        }
        for _ in 0..<200 {
            let candidate = try IPv4Network(parsing: "10.\(Int.random(in: 100...250)).\(Int.random(in: 0...255)).0/24")
            if !taken.contains(where: { $0.overlaps(candidate) }) { return candidate.description }
        }
        throw HypervisorError(.invalidSpec, "No free 10.x.y.0/24 found for the test network")
    }

    /// Removes every domain, network, volume and the pool carrying this scope's prefix.
    func cleanup() {
        for domain in (try? connection.listAllDomains()) ?? [] where domain.name.hasPrefix(prefix) {
            try? domain.destroy()
            try? domain.undefine()
        }
        for network in (try? connection.listAllNetworks()) ?? [] where network.name.hasPrefix(prefix) {
            try? network.delete()
        }
        if let pool = try? connection.storagePool(named: prefix) {
            for volume in (try? pool.listVolumes()) ?? [] { try? volume.delete() }
            try? pool.delete()
        }
        try? FileManager.default.removeItem(atPath: poolDirectory)
        try? FileManager.default.removeItem(at: scratch)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/var/log/libvirt/qemu")) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: "/var/log/libvirt/qemu/" + name)
        }
    }

    /// Names of objects with this scope's prefix that still exist.
    func leaks() throws -> [String] {
        var names: [String] = []
        names += try connection.listAllDomains().map(\.name).filter { $0.hasPrefix(prefix) }
        names += try connection.listAllNetworks().map(\.name).filter { $0.hasPrefix(prefix) }
        if (try? connection.storagePool(named: prefix)) != nil { names.append("pool \(prefix)") }
        if FileManager.default.fileExists(atPath: poolDirectory) { names.append(poolDirectory) }
        return names
    }
}

/// Runs `body` with a fresh scope, cleans up whatever happens, then records any leak.
func withLibvirtScope(_ body: (LibvirtScope) async throws -> Void) async throws {
    let scope = try LibvirtScope()
    do {
        try await body(scope)
    } catch {
        scope.cleanup()
        throw error
    }
    scope.cleanup()
    #expect(try scope.leaks() == [])
}
