import Spec
import Foundation
import Testing
@testable import Hypervisor

/// Against a real libvirt (`qemu:///system` unless `VMFILE_LIBVIRT_URI`). Serialized: they share the
/// two cores with QEMU.
@Suite(.serialized, .enabled(if: LibvirtTestEnvironment.enabled, "needs libvirt (set VMFILE_E2E=1 to require it)"))
struct LibvirtIntegrationTests {
    @Test func connects() throws {
        let connection = try LibvirtConnection(uri: LibvirtTestEnvironment.uri)
        #expect(connection.isAlive)
        #expect(!(try connection.hostname()).isEmpty)
    }

    @Test func badURIErrorSaysWhatAndWhere() {
        do {
            _ = try LibvirtConnection(uri: "qemu+unix:///system?socket=/nonexistent/vmfile.sock")
            Issue.record("connect must fail")
        } catch {
            #expect(error.message.contains("Connecting to libvirt at qemu+unix:///system"))
            #expect(error.libvirtMessage != nil)
            #expect("\(error)".contains("virtlogd -d && libvirtd -d"), "the error says what to run: \(error)")
        }
    }

    @Test func missingObjectsAreNotFound() throws {
        let connection = try LibvirtConnection(uri: LibvirtTestEnvironment.uri)
        let name = "vmfile-test-absent-\(UInt32.random(in: 0...UInt32.max))"
        #expect(throws: HypervisorError.self) { try connection.domain(named: name) }
        do { _ = try connection.domain(named: name) } catch { #expect(error.code == .noDomain && error.isNotFound) }
        do { _ = try connection.network(named: name) } catch { #expect(error.code == .noNetwork && error.isNotFound) }
        #expect(try connection.domainIfPresent(named: name) == nil)
        #expect(try connection.networkIfPresent(named: name) == nil)
    }

    @Test func poolAndVolumes() async throws {
        try await withLibvirtScope { scope in
            // Idempotent and safe when several creators race for a pool that does not exist yet.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { _ = try scope.pool() } }
                try await group.waitForAll()
            }
            let pool = try scope.pool()
            #expect(try pool.targetPath() == scope.poolDirectory)

            let image = try scope.makeImage("box.qcow2", size: "1G")
            let box = try pool.importVolume(name: "box.img", fromFile: image, format: .qcow2)
            #expect(try box.format() == .qcow2)
            #expect(try box.info().capacity == 1 << 30)
            #expect(throws: HypervisorError.self) { try pool.importVolume(name: "box.img", fromFile: image, format: .qcow2) }

            let streamed = try pool.importVolume(name: "streamed.img", fromFile: image, format: .qcow2, method: .stream)
            #expect(try streamed.format() == .qcow2)
            #expect(try streamed.info().capacity == 1 << 30)

            let overlay = try pool.createOverlay(name: "disk.qcow2", backing: box, virtualSize: 2 << 30)
            #expect(try overlay.backingPath() == box.path())
            #expect(try overlay.info().capacity == 2 << 30)
            let small = try pool.createOverlay(name: "small.qcow2", backing: box, virtualSize: 1 << 20)
            #expect(try small.info().capacity == 1 << 30, "an overlay never shrinks below its backing size")

            #expect(Set(try pool.listVolumes().map(\.name)) == ["box.img", "streamed.img", "disk.qcow2", "small.qcow2"])
            try pool.deleteVolume(named: "small.qcow2")
            try pool.deleteVolume(named: "small.qcow2")
            #expect(try pool.volumeIfPresent(named: "small.qcow2") == nil)
        }
    }

    /// A build killed while copying its ISO into the pool left `.vmfile-import-<volume>-<hex>` there for
    /// good (found 2026-12-03): the rerun removes what imports of its own volumes left, and only that.
    @Test func abandonedImportCopiesOfOneVolumeAreRemoved() async throws {
        try await withLibvirtScope { scope in
            let pool = try scope.pool()
            let mine = scope.poolDirectory + "/.vmfile-import-build.iso-1a2b3c4d"
            let other = scope.poolDirectory + "/.vmfile-import-build.iso.other-5e6f7a8b"
            for path in [mine, other] { #expect(FileManager.default.createFile(atPath: path, contents: Data("partial".utf8))) }
            try pool.refresh()
            #expect(try pool.removeAbandonedImports(of: "build.iso"))
            #expect(!FileManager.default.fileExists(atPath: mine))
            #expect(FileManager.default.fileExists(atPath: other), "another volume's import may be in flight")
            #expect(try !pool.removeAbandonedImports(of: "build.iso"), "nothing left the second time")
            #expect(try pool.volumeIfPresent(named: ".vmfile-import-build.iso-1a2b3c4d") == nil, "libvirt forgot it too")
            unlink(other)
        }
    }

    /// CI failure of 2026-12-02: a second vmfile's pool refresh met another test's disk build in the
    /// same pool and failed with "has asynchronous jobs running". A refresh waits such a build out.
    ///
    /// Refreshes run back to back for the whole life of the clone, so at least one lands inside its
    /// build however fast the disk is (a first version waited for the clone to be listed, and on a
    /// faster disk the build was over by then); `refresh` counts the refusals it waited out.
    @Test func refreshWaitsOutAVolumeBuildInFlight() async throws {
        try await withLibvirtScope { scope in
            let pool = try scope.pool()
            // 256 MiB of random bytes, which libvirt copies and syncs itself.
            try scope.run("/bin/dd", ["if=/dev/urandom", "of=\(scope.poolDirectory)/source.raw", "bs=1M", "count=256", "status=none"])
            try pool.refresh()
            let clone = Process()
            clone.executableURL = URL(fileURLWithPath: "/usr/bin/virsh")
            clone.arguments = ["-c", LibvirtTestEnvironment.uri, "-q", "vol-clone", "source.raw", "copy.raw", "--pool", scope.prefix]
            clone.standardOutput = FileHandle.nullDevice
            try clone.run()
            var refusalsWaitedOut = 0
            while clone.isRunning {
                refusalsWaitedOut += try pool.refresh()
            }
            clone.waitUntilExit()
            #expect(clone.terminationStatus == 0)
            #expect(refusalsWaitedOut > 0, "no refresh met the clone's build: the test did not exercise the race")
            #expect(try pool.volume(named: "copy.raw").info().capacity == 256 << 20)
        }
    }

    @Test func networkLifecycle() async throws {
        try await withLibvirtScope { scope in
            let cidr = try scope.freeSubnet()
            let spec = try NetworkSpec(name: scope.prefix + "-net", bridge: scope.bridge, cidr: cidr, metadata: ["project": "test"])
            let network = try scope.connection.ensureNetwork(spec)
            #expect(try network.isActive())
            #expect(try network.vmfileMetadata() == ["project": "test"])
            #expect(try network.bridgeName() == scope.bridge)
            #expect(try network.ipv4Subnets() == [try IPv4Network(parsing: cidr)])
            #expect(try scope.connection.networkSubnets().contains(try IPv4Network(parsing: cidr)))
            // Idempotent.
            _ = try scope.connection.ensureNetwork(spec)

            let subnet = try IPv4Network(parsing: cidr)
            let host = DHCPHost(mac: "52:54:00:7e:57:01", ip: IPv4Address(value: subnet.networkAddress.value + 10), name: "web")
            try network.addDHCPHost(host)
            #expect(try network.xml().contains("52:54:00:7e:57:01"))
            try network.removeDHCPHost(host)
            #expect(!(try network.xml().contains("52:54:00:7e:57:01")))

            #expect(try network.leases(mac: host.mac).isEmpty)
            await #expect(throws: HypervisorError.self) {
                _ = try await network.waitForLease(mac: host.mac, timeout: .milliseconds(300))
            }
            // Restart after stop.
            try network.stop()
            #expect(!(try network.isActive()))
            _ = try scope.connection.ensureNetwork(spec)
            #expect(try network.isActive())
        }
    }

    @Test func refusesForeignNetwork() async throws {
        try await withLibvirtScope { scope in
            let cidr = try scope.freeSubnet()
            let foreign = "<network><name>\(scope.prefix)-foreign</name><bridge name='\(scope.bridge)'/><ip address='\(try IPv4Network(parsing: cidr).gatewayAddress)' prefix='24'/></network>"
            try scope.connection.defineNetwork(xml: foreign)
            let spec = try NetworkSpec(name: scope.prefix + "-foreign", bridge: scope.bridge, cidr: cidr)
            do {
                _ = try scope.connection.ensureNetwork(spec)
                Issue.record("a network vmfile did not make must not be reused")
            } catch let error as HypervisorError {
                #expect(error.code == .notOwned)
            }
        }
    }

    /// A domain with an empty disk sits in SeaBIOS: enough for define/start/suspend/resume/destroy.
    @Test func domainLifecycle() async throws {
        try await withLibvirtScope { scope in
            let pool = try scope.pool()
            let box = try pool.importVolume(name: "box.img", fromFile: try scope.makeImage("box.qcow2", size: "64M"), format: .qcow2)
            let disk = try pool.createOverlay(name: "disk.qcow2", backing: box)
            let network = try scope.connection.ensureNetwork(
                try NetworkSpec(name: scope.prefix + "-net", bridge: scope.bridge, cidr: try scope.freeSubnet(), metadata: ["project": "test"])
            )
            let serialLog = "/var/log/libvirt/qemu/\(scope.prefix)-serial.log"
            let spec = try DomainSpec(
                name: scope.prefix + "-vm", memoryMiB: 64, cpus: 1, accelerator: .tcg, diskPath: try disk.path(),
                nics: [NICSpec(network: network.name, mac: "52:54:00:7e:57:02")], serialLogPath: serialLog,
                metadata: ["project": "/tmp/p", "machine": "default", "box": "test/box", "boxVersion": "0"]
            )
            let domain = try scope.connection.defineDomain(spec)
            #expect(try domain.state() == .shutOff)
            #expect(try domain.isPersistent())
            #expect(try domain.vmfileMetadata() == spec.metadata)
            #expect(try scope.connection.listVmfileDomains().contains { $0.domain.name == spec.name && $0.metadata["machine"] == "default" })

            try domain.start()
            #expect(try domain.state() == .running)
            #expect(FileManager.default.fileExists(atPath: serialLog))
            #expect(try domain.interfaces().map(\.mac) == ["52:54:00:7e:57:02"])
            try domain.suspend()
            #expect(try domain.state() == .paused)
            try domain.resume()
            #expect(try domain.state() == .running)

            try domain.sendKeys([LinuxKey.enter])
            try domain.type("Ab 1!")
            #expect(try domain.addresses(source: .lease).isEmpty)

            let snapshot = try domain.createSnapshot(name: "before", description: "test snapshot")
            #expect(try domain.listSnapshots().map(\.name) == ["before"])
            #expect(try snapshot.details().description == "test snapshot")
            try domain.suspend()
            try domain.snapshot(named: "before").revert(running: true)
            #expect(try domain.state() == .running)
            do { _ = try domain.snapshot(named: "absent") } catch let error as HypervisorError { #expect(error.code == .noDomainSnapshot) }
            try snapshot.delete()
            #expect(try domain.listSnapshots().isEmpty)

            try domain.setVmfileMetadata(spec.metadata.merging(["boxVersion": "1"]) { $1 })
            #expect(try domain.vmfileMetadata()?["boxVersion"] == "1")
            #expect(DomainXML.parseMetadata(try domain.xml(inactive: true))?["boxVersion"] == "1")

            try domain.destroy()
            try await domain.waitUntilStopped(timeout: .seconds(10))
            #expect(try domain.state() == .shutOff)
            try domain.destroy()  // already off: not an error

            try domain.undefine()
            #expect(try scope.connection.domainIfPresent(named: spec.name) == nil)
        }
    }
}
