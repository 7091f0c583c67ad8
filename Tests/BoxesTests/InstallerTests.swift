import Foundation
import Spec
import Testing
@testable import Boxes

/// `BoxInstaller`: sources, catalogs, checksums, downloads (resume, redirects), concurrency, updates.
@Suite struct InstallerTests {
    /// A scratch dir with a gzip `.box` and its sha256.
    struct Fixture {
        let scratch: ScratchDirectory
        let box: URL
        let boxData: Data
        let sha256: String
        let store: BoxStore

        init(megabytes: Int = 8) throws {
            scratch = try ScratchDirectory()
            let source = try scratch.makeBoxDirectory(named: "src", megabytes: megabytes)
            // Some real data so the archive is big enough to cut mid-body.
            try Images.run("qemu-io", ["-c", "write -P 0x5a 0 2M", source.appendingPathComponent("box.img").path])
            box = try scratch.tar(source, ["metadata.json", "box.img"], to: "tiny.box", gzip: true)
            boxData = try Data(contentsOf: box)
            sha256 = try StreamingHasher.digest(of: box, .sha256)
            store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        }

        func catalog(_ versions: [(String, String)], checksum: String? = nil) throws -> URL {
            let entries = versions.map { version, url in
                let sum = checksum.map { #", "checksum_type": "sha256", "checksum": "\#($0)""# } ?? ""
                return #"{"version": "\#(version)", "providers": [{"name": "libvirt", "url": "\#(url)"\#(sum)}]}"#
            }
            let file = scratch.url.appendingPathComponent("catalog.json")
            try Data(#"{"name": "org/tiny", "versions": [\#(entries.joined(separator: ","))]}"#.utf8).write(to: file)
            return file
        }
    }

    @Test func checksumMismatchAddsNothing() throws {
        let fixture = try Fixture()
        let installer = BoxInstaller(store: fixture.store)
        let wrong = try Checksum(parsing: "sha256:" + String(repeating: "0", count: 64))
        let error = try #require(throws: BoxError.self) {
            try installer.add(.init(name: "tiny", source: .local(fixture.box), checksum: wrong))
        }
        #expect(error.code == .checksumMismatch)
        #expect(try fixture.store.list().isEmpty && fixture.store.stagingIsEmpty())
        let right = try Checksum(parsing: "sha256:" + fixture.sha256)
        #expect(try installer.add(.init(name: "tiny", source: .local(fixture.box), checksum: right)).name == "tiny")
    }

    @Test func interruptedDownloadResumesWithRange() throws {
        let fixture = try Fixture()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let half = fixture.boxData.count / 2
        server.route("/boxes/tiny.box", .cutOnce(fixture.boxData, after: half))
        server.route("/latest", .redirect("/boxes/tiny.box"))
        let reports = ReportLog()
        let installer = BoxInstaller(store: fixture.store, progress: { reports.add($0) })
        let box = try installer.add(.init(name: nil, source: .remote(server.url("/latest")), version: "3",
                                          checksum: try Checksum(parsing: "sha256:" + fixture.sha256)))
        #expect(box.name == "latest" && box.version.description == "3")
        let requests = server.requests.filter { $0.path == "/boxes/tiny.box" }
        #expect(requests.count == 2, "\(server.requests)")
        #expect(requests.last?.range == "bytes=\(half)-", "\(requests)")
        #expect(reports.last?.finished == true && reports.last?.received == UInt64(fixture.boxData.count))
        #expect(fixture.store.stagingIsEmpty())
        let downloads = fixture.store.root.appendingPathComponent(".downloads")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: downloads.path)) ?? []).isEmpty)
    }

    @Test func aPartialFileFromAKilledRunIsResumed() throws {
        let fixture = try Fixture()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/tiny.box", .body(fixture.boxData))
        let installer = BoxInstaller(store: fixture.store)
        let partial = installer.downloader.partialFile(for: server.url("/tiny.box"))
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fixture.boxData.prefix(1000).write(to: partial)
        _ = try installer.add(.init(name: "tiny", source: .remote(server.url("/tiny.box")),
                                    checksum: try Checksum(parsing: "sha256:" + fixture.sha256)))
        #expect(server.requests.map(\.range) == ["bytes=1000-"])
    }

    @Test func downloadChecksumMismatchAddsNothingAndDropsThePartialFile() throws {
        let fixture = try Fixture()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/tiny.box", .body(fixture.boxData))
        let installer = BoxInstaller(store: fixture.store)
        let wrong = try Checksum(parsing: "md5:" + String(repeating: "0", count: 32))
        let error = try #require(throws: BoxError.self) {
            try installer.add(.init(name: "tiny", source: .remote(server.url("/tiny.box")), checksum: wrong))
        }
        #expect(error.code == .checksumMismatch)
        #expect(try fixture.store.list().isEmpty && fixture.store.stagingIsEmpty())
        #expect(!FileManager.default.fileExists(atPath: installer.downloader.partialFile(for: server.url("/tiny.box")).path))
    }

    @Test func addsFromAnHTTPCatalogAndRecordsItForUpdates() throws {
        let fixture = try Fixture()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/tiny-1.0.box", .body(fixture.boxData))
        server.route("/tiny-1.1.box", .body(fixture.boxData))
        let catalogFile = try fixture.catalog([("1.0", "tiny-1.0.box")], checksum: fixture.sha256)
        server.route("/catalog.json", .body(try Data(contentsOf: catalogFile)))
        let installer = BoxInstaller(store: fixture.store)

        let first = try installer.add(.init(name: nil, source: .remote(server.url("/catalog.json"))))
        #expect(first.name == "org/tiny" && first.version.description == "1.0")
        #expect(fixture.store.catalogURL(of: "org/tiny") == server.url("/catalog.json").absoluteString)
        #expect(try installer.outdated([("org/tiny", nil)]).first?.status == "current")

        let newer = try fixture.catalog([("1.0", "tiny-1.0.box"), ("1.1", "tiny-1.1.box"), ("2.0", "missing.box")])
        server.route("/catalog.json", .body(try Data(contentsOf: newer)))
        let constraint = try #require(VersionConstraint("< 2"))
        let row = try #require(try installer.outdated([("org/tiny", constraint)]).first)
        #expect(row.status == "outdated" && row.latest == "1.1" && row.installed == "1.0")
        let updated = try #require(try installer.update(name: "org/tiny", constraint: constraint))
        #expect(updated.version.description == "1.1")
        #expect(try installer.update(name: "org/tiny", constraint: constraint) == nil)
        #expect(try fixture.store.list().map(\.version.description) == ["1.0", "1.1"])
    }

    @Test func addsFromALocalCatalogWithAConstraint() throws {
        let fixture = try Fixture()
        let catalog = try fixture.catalog([("1.0", "tiny.box"), ("1.5", "tiny.box"), ("2.0", "tiny.box")])
        let installer = BoxInstaller(store: fixture.store)
        let box = try installer.add(.init(name: "mine", source: .local(catalog), version: "~> 1.0"))
        #expect(box.name == "mine" && box.version.description == "1.5")
        let error = try #require(throws: BoxError.self) { try installer.add(.init(name: nil, source: .local(catalog), version: "> 3")) }
        #expect(error.hint?.contains("2.0") == true)
    }

    @Test func ensureResolvesBoxVersionAgainstABoxURLCatalog() throws {
        let fixture = try Fixture()
        let catalog = try fixture.catalog([("1.0", "tiny.box"), ("1.9", "tiny.box"), ("2.0", "tiny.box")])
        let installer = BoxInstaller(store: fixture.store)
        let constraint = try #require(VersionConstraint("~> 1.0"))
        #expect(try installer.ensure(name: "org/tiny", constraint: constraint, url: nil) == nil)
        let box = try #require(try installer.ensure(name: "org/tiny", constraint: constraint, url: catalog.path))
        #expect(box.version.description == "1.9")
        #expect(try installer.ensure(name: "org/tiny", constraint: constraint, url: catalog.path)?.version == box.version)
        #expect(try fixture.store.list().count == 1)
    }

    @Test func concurrentEnsuresDownloadAndAddOnce() throws {
        let fixture = try Fixture()
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        server.route("/tiny.box", .body(fixture.boxData))
        let installer = BoxInstaller(store: fixture.store)
        let results = ResultLog()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let box = try installer.ensure(name: "tiny", constraint: nil, url: server.url("/tiny.box").absoluteString)
                results.add(box?.name ?? "nil")
            } catch {
                results.add("\(error)")
            }
        }
        #expect(results.all == ["tiny", "tiny", "tiny", "tiny"])
        #expect(server.requests.count == 1)
        #expect(try fixture.store.list().count == 1 && fixture.store.stagingIsEmpty())
    }

    @Test func concurrentAddsOfOneArchiveInstallItOnce() throws {
        let fixture = try Fixture()
        let results = ResultLog()
        let store = fixture.store
        let archive = fixture.box
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let box = try store.add(from: archive, name: "tiny", version: BoxVersion(components: [1]))
                results.add((try? box.imageDigest()) ?? "none")
            } catch {
                results.add("\(error)")
            }
        }
        #expect(Set(results.all).count == 1 && results.all.count == 4, "\(results.all)")
        #expect(try fixture.store.list().count == 1 && fixture.store.stagingIsEmpty())
    }

    @Test func addsAV2BoxAndKeepsItsVagrantfile() throws {
        let scratch = try ScratchDirectory()
        let source = try scratch.makeBoxDirectory(
            named: "v2", metadata: #"{"provider":"libvirt","format":"qcow2","virtual_size":1,"disks":[{"path":"box_1.img"},{"path":"box_2.img"}]}"#,
            megabytes: nil)
        try Images.qcow2(at: source.appendingPathComponent("box_1.img"))
        try Images.qcow2(at: source.appendingPathComponent("box_2.img"), megabytes: 2)
        try Data("Vagrant.configure('2') {}".utf8).write(to: source.appendingPathComponent("Vagrantfile"))
        let archive = try scratch.tar(source, ["metadata.json", "box_1.img", "box_2.img", "Vagrantfile"], to: "v2.box", gzip: true)
        let notices = ResultLog()
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let box = try BoxInstaller(store: store, notice: { notices.add($0) }).add(.init(name: "v2", source: .local(archive)))
        #expect(box.imageURL.lastPathComponent == "box_1.img")
        #expect(box.metadata.imageFiles == ["box_1.img", "box_2.img"])
        #expect(try box.imageDigest() == (try ImageDigest.sha256(of: source.appendingPathComponent("box_1.img"))))
        #expect(notices.all.filter { $0.contains("Vagrantfile") }.count == 1)
        #expect(FileManager.default.fileExists(atPath: box.directory.appendingPathComponent("Vagrantfile").path))
    }

    @Test func exportedBoxesAreStandaloneAndImportAgain() throws {
        let scratch = try ScratchDirectory()
        let base = scratch.url.appendingPathComponent("base.qcow2")
        try Images.qcow2(at: base, megabytes: 1536)
        try Images.run("qemu-io", ["-c", "write -P 0x11 0 1M", base.path])
        let overlay = scratch.url.appendingPathComponent("disk.qcow2")
        try Images.qcow2(at: overlay, megabytes: 1536, backing: base)
        let output = scratch.url.appendingPathComponent("out/package.box")
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let metadata = try BoxExporter.export(image: overlay, to: output, vagrantfile: nil, loginKey: .vagrantInsecure)
        #expect(metadata == BoxMetadata(provider: "libvirt", format: "qcow2", virtualSize: 2))
        let listing = try Images.run("tar", ["-tzf", output.path]).split(separator: "\n")
        #expect(listing == ["metadata.json", "box.img"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.deletingLastPathComponent().path) == ["package.box"])
        let store = BoxStore(root: scratch.url.appendingPathComponent("store"))
        let box = try store.add(from: output, name: "exported", version: BoxVersion(components: [1]))
        let read = try Images.run("qemu-io", ["-c", "read -P 0x11 0 1M", box.imageURL.path])
        #expect(!read.contains("Pattern verification failed"), "\(read)")
    }

    /// `compress: false` (Boxfile) / `--no-compress` (package): neither the qcow2 clusters nor the tar are
    /// compressed. A megabyte of one byte value shows which: compressed it takes a few KiB of box.img.
    @Test(arguments: [true, false]) func compressDecidesForClustersAndTarTogether(compress: Bool) throws {
        let scratch = try ScratchDirectory()
        let disk = scratch.url.appendingPathComponent("disk.qcow2")
        try Images.qcow2(at: disk, megabytes: 64)
        try Images.run("qemu-io", ["-c", "write -P 0x11 0 1M", disk.path])
        let output = scratch.url.appendingPathComponent("package.box")
        try BoxExporter.export(image: disk, to: output, vagrantfile: nil, loginKey: .vagrantInsecure, compress: compress)
        let unpacked = scratch.url.appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
        try Images.run("tar", [compress ? "-xzf" : "-xf", output.path, "-C", unpacked.path])
        let image = unpacked.appendingPathComponent("box.img")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: image.path)[.size] as? NSNumber).intValue
        if compress {
            #expect(size < 512 << 10, "compressed clusters: \(size) bytes")
        } else {
            #expect(size >= 1 << 20, "plain clusters: \(size) bytes")
            let header = try Data(contentsOf: output).prefix(262)
            #expect(header.count == 262 && header.suffix(5) == Data("ustar".utf8), "a plain tar, not gzip")
        }
        let read = try Images.run("qemu-io", ["-c", "read -P 0x11 0 1M", image.path])
        #expect(!read.contains("Pattern verification failed"), "\(read)")
    }

    @Test func exportedBoxesShipTheirLoginKeyAsVagrantPackageDoes() throws {
        let scratch = try ScratchDirectory()
        let disk = scratch.url.appendingPathComponent("disk.qcow2")
        try Images.qcow2(at: disk, megabytes: 64)
        let own = scratch.url.appendingPathComponent("own.rb")
        try Data("# the user's own\n".utf8).write(to: own)
        let output = scratch.url.appendingPathComponent("keyed.box")
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----"
        try BoxExporter.export(image: disk, to: output, vagrantfile: own, loginKey: .privateKey(key))
        let listing = try Images.run("tar", ["-tvzf", output.path]).split(separator: "\n")
        #expect(listing.map { $0.split(separator: " ").last.map(String.init) ?? "" }
                == ["metadata.json", "box.img", "Vagrantfile", "vagrant_private_key", "include/_Vagrantfile"])
        #expect(listing.first { $0.hasSuffix(" vagrant_private_key") }?.hasPrefix("-rw-------") == true, "\(listing)")

        let box = try BoxStore(root: scratch.url.appendingPathComponent("store")).add(from: output, name: "keyed", version: BoxVersion(components: [1]))
        let shipped = try #require(box.shippedPrivateKey)
        #expect(try String(contentsOf: shipped, encoding: .utf8) == key + "\n")
        let vagrantfile = try String(contentsOf: box.directory.appendingPathComponent("Vagrantfile"), encoding: .utf8)
        #expect(vagrantfile.contains(#"config.ssh.private_key_path = File.expand_path("../vagrant_private_key", __FILE__)"#))
        #expect(vagrantfile.contains(#"load include_vagrantfile if File.exist?(include_vagrantfile)"#))
        #expect(try String(contentsOf: box.directory.appendingPathComponent("include/_Vagrantfile"), encoding: .utf8) == "# the user's own\n")

        // Without a key to ship, the user's Vagrantfile is the box's and nothing else is added.
        let plain = scratch.url.appendingPathComponent("plain.box")
        try BoxExporter.export(image: disk, to: plain, vagrantfile: own, loginKey: .vagrantInsecure)
        #expect(try Images.run("tar", ["-tzf", plain.path]).split(separator: "\n") == ["metadata.json", "box.img", "Vagrantfile"])
        let insecure = try BoxStore(root: scratch.url.appendingPathComponent("store")).add(from: plain, name: "plain", version: BoxVersion(components: [1]))
        #expect(insecure.shippedPrivateKey == nil)
    }

    @Test(arguments: [("1.2.0", "1.2.0"), ("= 2", "2"), (nil, "0")] as [(String?, String)])
    func recordsVersionsForBoxFiles(text: String?, expected: String) throws {
        #expect(try BoxInstaller.recordedVersion(text).description == expected)
    }

    @Test func rendersProgressLines() {
        let line = ProgressRenderer.line(DownloadProgress(url: "u", received: 512 << 20, total: 1 << 30, bytesPerSecond: Double(64 << 20),
                                                          finished: false), barWidth: 10)
        #expect(line == "download [#####-----]   50%  512.0 MiB / 1.0 GiB  64.0 MiB/s  ETA 0:08")
    }
}

/// Thread-safe collectors for callbacks from other threads.
final class ReportLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [DownloadProgress] = []
    func add(_ report: DownloadProgress) { lock.lock(); reports.append(report); lock.unlock() }
    var last: DownloadProgress? { lock.lock(); defer { lock.unlock() }; return reports.last }
}

final class ResultLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
