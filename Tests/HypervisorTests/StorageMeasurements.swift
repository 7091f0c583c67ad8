import Foundation
import Testing
@testable import Hypervisor

/// Prints import and clone timings (never asserts on time; see DESIGN.md "Performance").
/// Run with `VMFILE_MEASURE=1 swift test --filter StorageMeasurements`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["VMFILE_MEASURE"] == "1" && LibvirtTestEnvironment.enabled))
struct StorageMeasurements {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test func importAndOverlayTimings() async throws {
        try await withLibvirtScope { scope in
            let pool = try scope.pool()
            // A 1 GiB box with 1 GiB of non-zero data, like a real image after install.
            let box = try scope.makeImage("box1g.qcow2", size: "1G")
            try scope.run("/usr/bin/qemu-io", ["-f", "qcow2", "-c", "write -P 0x5a 0 1G", box])
            let box8 = try scope.makeImage("box8g.qcow2", size: "8G")
            try scope.run("/usr/bin/qemu-io", ["-f", "qcow2", "-c", "write -P 0x5a 0 64M", box8])

            // Warm the page cache once so cp and import see the same conditions.
            try scope.run("/bin/cp", [box, scope.scratch.appendingPathComponent("warm").path])
            var cp: [Double] = [], local: [Double] = [], stream: [Double] = []
            for round in 0..<3 {
                let target = scope.poolDirectory + "/plain-cp-\(round)"
                // `sync` between runs: each timing starts with no dirty pages left by the previous one.
                try scope.run("/bin/sync", [])
                cp.append(try Self.seconds { try scope.run("/bin/cp", [box, target]) })
                unlink(target)
                try scope.run("/bin/sync", [])
                local.append(try Self.seconds { _ = try pool.importVolume(name: "local-\(round)", fromFile: box, format: .qcow2, method: .localCopy) })
                try pool.deleteVolume(named: "local-\(round)")
                try scope.run("/bin/sync", [])
                stream.append(try Self.seconds { _ = try pool.importVolume(name: "stream-\(round)", fromFile: box, format: .qcow2, method: .stream) })
                try pool.deleteVolume(named: "stream-\(round)")
            }
            let backing1 = try pool.importVolume(name: "box1g.img", fromFile: box, format: .qcow2)
            let backing8 = try pool.importVolume(name: "box8g.img", fromFile: box8, format: .qcow2)
            var overlay1: [Double] = [], overlay8: [Double] = []
            for round in 0..<5 {
                overlay1.append(try Self.seconds { _ = try pool.createOverlay(name: "o1-\(round).qcow2", backing: backing1) })
                overlay8.append(try Self.seconds { _ = try pool.createOverlay(name: "o8-\(round).qcow2", backing: backing8, virtualSize: 16 << 30) })
            }
            func median(_ values: [Double]) -> String { String(format: "%.1f ms", (values.sorted()[values.count / 2]) * 1000) }
            print("MEASURE import 1 GiB: cp \(median(cp)), localCopy \(median(local)), stream \(median(stream)); ratio localCopy/cp \(String(format: "%.2f", local.sorted()[1] / cp.sorted()[1]))")
            print("MEASURE overlay create: 1 GiB backing \(median(overlay1)), 8 GiB backing \(median(overlay8))")
        }
    }
}
