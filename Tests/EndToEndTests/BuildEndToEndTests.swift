import Foundation
import Testing

/// `vmfile build` on real libvirt: the tiny installer ISO installed through its boot prompt and an HTTP
/// answer file, provisioned, packaged, added and booted as a box; and the two ways a build must fail
/// before or while booting without leaving anything behind.
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct BuildEndToEndTests {
    static let installerDirectory = E2E.repository.appendingPathComponent("Boxfiles/tiny-installer")
    static let iso = installerDirectory.appendingPathComponent("output/tiny-installer.iso")

    /// The ISO, which `scripts/setup` builds; missing under VMFILE_E2E=1 is a failure.
    static func requireISO() throws {
        try #require(FileManager.default.fileExists(atPath: iso.path),
                     "no tiny installer ISO at \(iso.path): run Boxfiles/tiny-installer/build (scripts/setup does)")
    }

    /// The build's id from its first phase line (`… build vmfile-build-<id> …`).
    static func buildID(_ output: ProcessOutput) throws -> String {
        let marker = "build vmfile-build-"
        let range = try #require(output.stderr.range(of: marker), "no build name in the output: \(output)")
        return String(output.stderr[range.upperBound...].prefix(8))
    }

    /// What the leak auditor finds of build `id` (its domain, volumes, network, QEMU, dnsmasq).
    static func buildLeftovers(_ id: String) throws -> [String] {
        let audit = try runProcess(E2E.repository.appendingPathComponent("scripts/audit").path,
                                   ["--project", "build-\(id)", "--uri", ProcessInfo.processInfo.environment["VMFILE_LIBVIRT_URI"] ?? "qemu:///system"])
        #expect(audit.status == 0 || audit.status == 1, "\(audit)")
        return audit.stdout.split(separator: "\n").map(String.init)
    }

    static func sha256(of url: URL) throws -> String {
        let output = try runProcess("/usr/bin/sha256sum", [url.path])
        return String(output.stdout.prefix(64))
    }

    @Test func buildsTheTinyInstallerAddsTheBoxAndBootsIt() throws {
        try Self.requireISO()
        try Sandbox.with(vmfile: """
            version: 1
            machines:
              built: {box: vmfile/tiny-installed, memory: 256MiB}
            """) { sandbox in
            defer { _ = try? sandbox.run("destroy", "--force"); _ = try? sandbox.run("box", "remove", "vmfile/tiny-installed", "--all") }
            let output = sandbox.directory.appendingPathComponent("boxes")
            let build = try sandbox.run("build", Self.installerDirectory.path, "--add", "--output", output.path)
            let id = try Self.buildID(build)
            #expect(try Self.buildLeftovers(id).isEmpty)
            try #require(build.status == 0, "\(build)")
            #expect(build.stdout.contains("built by vmfile build"), "the provision step's output: \(build)")
            for phase in ["verified", "answer files at http://", "console showed \"boot:\"", "installer finished", "SSH up", "provisioned", "trimmed free space (/: ", "shut down", "added to the box store"] {
                #expect(build.stderr.contains(phase), "no '\(phase)' phase: \(build.stderr)")
            }
            let box = output.appendingPathComponent("vmfile-tiny-installed-1.0.0.box")
            let sum = try String(contentsOf: URL(fileURLWithPath: box.path + ".sha256"), encoding: .utf8)
            #expect(sum == "\(try Self.sha256(of: box))  vmfile-tiny-installed-1.0.0.box\n")
            let listing = try runProcess("/bin/tar", ["-tzf", box.path]).stdout.split(separator: "\n")
            #expect(listing == ["metadata.json", "box.img", "Vagrantfile", "vagrant_private_key"], "the insecure ed25519 key it logged in with, for Vagrants that offer only RSA")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasPrefix(".") }
            #expect(leftovers.isEmpty, "temporary files in the output directory: \(leftovers)")

            let again = try sandbox.run("build", Self.installerDirectory.path, "--output", output.path)
            #expect(again.status != 0 && again.stderr.contains("--force"), "a second build must refuse to overwrite: \(again)")

            let up = try sandbox.run("up")
            try #require(up.status == 0, "\(up)")
            let marker = try sandbox.run("ssh", "-c", "cat /etc/vmfile-built")
            #expect(marker.stdout == "built by vmfile build from the tiny installer\n", "\(marker)")
            #expect(try sandbox.run("destroy", "--force").status == 0)
        }
    }

    /// A Boxfile next to the real ISO's absolute path, with `checksum` and `command` as given.
    static func boxfile(checksum: String, command: String) -> String {
        """
        version: 1
        box: {name: vmfile/failing, version: 0.1.0}
        iso: {path: \(iso.path), checksum: "\(checksum)"}
        memory: 256MiB
        disk: 1GiB
        boot:
          wait: 0s
          command: ['\(command)']
        shutdown: {timeout: 30s}
        """
    }

    @Test func aWrongISOChecksumIsRefusedBeforeAnythingIsMade() throws {
        try Self.requireISO()
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny}\n",
                         files: ["Boxfile": Self.boxfile(checksum: "sha256:" + String(repeating: "0", count: 64), command: "<enter>")]) { sandbox in
            let build = try sandbox.run("build")
            let id = try Self.buildID(build)
            #expect(build.status != 0)
            #expect(build.stderr.contains("expects 0000000000"), "\(build)")
            #expect(!build.stderr.contains("network vmfile-build"), "nothing may be made before the ISO is verified: \(build)")
            #expect(try Self.buildLeftovers(id).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("output").path))
        }
    }

    @Test func aConsoleWaitThatNeverMatchesFailsWithTheConsoleTailAndLeavesNothing() throws {
        try Self.requireISO()
        let checksum = "sha256:" + (try Self.sha256(of: Self.iso))
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny}\n",
                         files: ["Boxfile": Self.boxfile(checksum: checksum, command: "<waitFor \"never-shown\" 15s>")]) { sandbox in
            let build = try sandbox.run("build")
            let id = try Self.buildID(build)
            #expect(build.status != 0)
            #expect(build.stderr.contains("timed out after 15 s waiting for \"never-shown\""), "\(build)")
            #expect(build.stderr.contains("  | ") && build.stderr.contains("boot:"), "the console tail (ISOLINUX's prompt) belongs in the error: \(build)")
            #expect(try Self.buildLeftovers(id).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: "/var/tmp/vmfile-build-\(id)"))
        }
    }

    /// The tiny installer's Boxfile with the ISO named by absolute path, to build from a sandbox.
    static func tinyInstallerBoxfile() throws -> String {
        try String(contentsOf: installerDirectory.appendingPathComponent("Boxfile.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "path: output/tiny-installer.iso", with: "path: \(iso.path)")
            .replacingOccurrences(of: "checksum: file:output/tiny-installer.iso.sha256", with: "checksum: file:\(iso.path).sha256")
    }

    /// Starts `vmfile build` in the sandbox and waits until its stderr shows `text`.
    static func startBuild(_ sandbox: Sandbox, until text: String, stderr: URL) throws -> Process {
        let process = try sandbox.start(["build"], stderr: stderr)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            if let log = try? String(contentsOf: stderr, encoding: .utf8), log.contains(text) { return process }
            Thread.sleep(forTimeInterval: 0.1)
        }
        process.terminate()
        throw SandboxError(message: "the build never printed '\(text)': \((try? String(contentsOf: stderr, encoding: .utf8)) ?? "")")
    }

    @Test func ctrlCRemovesEverythingTheBuildMade() throws {
        try Self.requireISO()
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny}\n", files: ["Boxfile": try Self.tinyInstallerBoxfile()]) { sandbox in
            let log = sandbox.directory.appendingPathComponent("build.log")
            let build = try Self.startBuild(sandbox, until: "boot command typed", stderr: log)
            kill(build.processIdentifier, SIGINT)
            build.waitUntilExit()
            let stderr = try String(contentsOf: log, encoding: .utf8)
            #expect(build.terminationStatus == 130, "\(stderr)")
            #expect(stderr.contains("interrupted (signal 2)"), "\(stderr)")
            let id = try Self.buildID(ProcessOutput(status: 0, stdout: "", stderr: stderr))
            #expect(try Self.buildLeftovers(id).isEmpty)
        }
    }

    @Test func aRerunAfterKill9RemovesTheLeftoversAndBuildsWithoutWaitingForTheReboot() throws {
        try Self.requireISO()
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny}\n", files: ["Boxfile": try Self.tinyInstallerBoxfile()]) { sandbox in
            let log = sandbox.directory.appendingPathComponent("build.log")
            let build = try Self.startBuild(sandbox, until: "boot command typed", stderr: log)
            kill(build.processIdentifier, SIGKILL)
            build.waitUntilExit()
            let id = try Self.buildID(ProcessOutput(status: 0, stdout: "", stderr: try String(contentsOf: log, encoding: .utf8)))
            #expect(!(try Self.buildLeftovers(id).isEmpty), "a killed build leaves its machine for the rerun to remove")

            // The rerun also covers `ssh.wait_for_reboot: false` (same Boxfile path, so the same build names):
            // the installer's reboot restarts the machine in place and SSH, tried from power-on, reaches the
            // installed system.
            let boxfile = sandbox.directory.appendingPathComponent("Boxfile")
            let text = try String(contentsOf: boxfile, encoding: .utf8)
            try #require(text.contains("\nssh:\n"))
            try text.replacingOccurrences(of: "\nssh:\n", with: "\nssh:\n  wait_for_reboot: false\n")
                .write(to: boxfile, atomically: true, encoding: .utf8)
            let rerun = try sandbox.run("build")
            #expect(rerun.status == 0, "\(rerun)")
            #expect(rerun.stderr.contains("removed what an earlier, interrupted build"), "\(rerun)")
            #expect(rerun.stderr.contains("trying SSH from power-on") && !rerun.stderr.contains("installer finished and rebooted"), "\(rerun)")
            #expect(rerun.stdout.contains("built by vmfile build"), "the provision step ran on the installed system: \(rerun)")
            #expect(try Self.buildLeftovers(id).isEmpty)
            let output = sandbox.directory.appendingPathComponent("output")
            #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
                    == ["vmfile-tiny-installed-1.0.0.box", "vmfile-tiny-installed-1.0.0.box.sha256"])
        }
    }

    @Test func onErrorAbortKeepsTheMachineAndTheNextBuildRemovesIt() throws {
        try Self.requireISO()
        let checksum = "sha256:" + (try Self.sha256(of: Self.iso))
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny}\n",
                         files: ["Boxfile": Self.boxfile(checksum: checksum, command: "<waitFor \"never-shown\" 5s>")]) { sandbox in
            let kept = try sandbox.run("build", "--on-error=abort")
            let id = try Self.buildID(kept)
            defer { _ = try? sandbox.run("build") } // removes what was kept, also when an expectation failed
            #expect(kept.status != 0)
            #expect(kept.stderr.contains("kept the failed build") && kept.stderr.contains("virsh -c qemu:///system console vmfile-build-\(id)"), "\(kept)")
            let state = try runProcess("/usr/bin/virsh", ["-c", "qemu:///system", "domstate", "vmfile-build-\(id)"])
            #expect(state.stdout.contains("running"), "the kept machine still runs for inspection: \(state)")

            let next = try sandbox.run("build")
            #expect(next.status != 0)
            #expect(next.stderr.contains("removed what an earlier, interrupted build"), "\(next)")
            #expect(try Self.buildLeftovers(id).isEmpty)
        }
    }

    /// `iso.url` from a loopback HTTP server (python3's): a wrong checksum is refused after the download and
    /// makes nothing; the right one lands in the box home's ISO cache, keyed by checksum, and boots.
    @Test func anISOURLIsDownloadedIntoTheChecksumCacheAndVerified() throws {
        try Self.requireISO()
        let digest = try Self.sha256(of: Self.iso)
        try Sandbox.with(vmfile: "version: 1\nmachines:\n  solo: {box: tiny}\n") { sandbox in
            let log = sandbox.directory.appendingPathComponent("http.log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let server = Process()
            server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            server.arguments = ["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", Self.iso.deletingLastPathComponent().path, "0"]
            server.standardOutput = try FileHandle(forWritingTo: log)
            server.standardError = FileHandle.nullDevice
            try server.run()
            // SIGKILL: the child inherits the test runner's blocked signals, SIGTERM among them.
            defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
            var port = ""
            for _ in 0..<100 where port.isEmpty {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if let range = text.range(of: "port ") { port = String(text[range.upperBound...].prefix(while: \.isNumber)) }
                Thread.sleep(forTimeInterval: 0.05)
            }
            try #require(!port.isEmpty, "python3's http.server did not say its port")
            let url = "http://127.0.0.1:\(port)/tiny-installer.iso"
            func boxfile(_ checksum: String) -> String {
                Self.boxfile(checksum: checksum, command: "<waitFor \"boot:\" 60s><waitFor \"never-shown\" 2s>")
                    .replacingOccurrences(of: "iso: {path: \(Self.iso.path),", with: "iso: {url: \"\(url)\",")
            }
            try boxfile("sha256:" + String(repeating: "1", count: 64)).write(to: sandbox.directory.appendingPathComponent("Boxfile"), atomically: true, encoding: .utf8)
            let wrong = try sandbox.run("build")
            let id = try Self.buildID(wrong)
            #expect(wrong.status != 0 && wrong.stderr.contains("downloaded from \(url) has sha256 \(digest)"), "\(wrong)")
            #expect(try Self.buildLeftovers(id).isEmpty)
            let cache = sandbox.home.appendingPathComponent("cache/iso")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []).filter { !$0.hasPrefix(".") }.isEmpty)

            try boxfile("sha256:" + digest).write(to: sandbox.directory.appendingPathComponent("Boxfile"), atomically: true, encoding: .utf8)
            let right = try sandbox.run("build")
            #expect(right.status != 0 && right.stderr.contains("console showed \"boot:\"") && right.stderr.contains("never-shown"), "\(right)")
            #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("\(digest).iso").path))
            #expect(try Self.buildLeftovers(id).isEmpty)
        }
    }

    /// The cidata variant: the answer file on a CD vmfile makes (label `cidata`), `shutdown.command`.
    @Test func buildsTheCidataVariantAndBootsIt() throws {
        try Self.requireISO()
        try Sandbox.with(vmfile: """
            version: 1
            machines:
              built: {box: vmfile/tiny-installed-cidata, memory: 256MiB}
            """) { sandbox in
            defer { _ = try? sandbox.run("destroy", "--force"); _ = try? sandbox.run("box", "remove", "vmfile/tiny-installed-cidata", "--all") }
            let output = sandbox.directory.appendingPathComponent("boxes")
            let build = try sandbox.run("build", Self.installerDirectory.appendingPathComponent("cidata").path, "--output", output.path)
            let id = try Self.buildID(build)
            #expect(try Self.buildLeftovers(id).isEmpty)
            try #require(build.status == 0, "\(build)")
            #expect(build.stderr.contains("-cd.iso (label cidata)") && build.stderr.contains("shut down (`poweroff`)"), "\(build)")
            #expect(!build.stderr.contains("answer files at http"), "no HTTP server without http: \(build)")
            #expect(build.stderr.contains("as vagrant with the password"), "ssh.password, no key offered: \(build)")
            // output.catalog: the box goes into the store through its catalog, with its name and version.
            let catalog = output.appendingPathComponent("vmfile-tiny-installed-cidata.json")
            let add = try sandbox.run("box", "add", catalog.path)
            try #require(add.status == 0, "\(add)")
            let list = try sandbox.run("box", "list")
            #expect(list.stdout.contains("vmfile/tiny-installed-cidata") && list.stdout.contains("1.0.0"), "\(list)")
            let up = try sandbox.run("up")
            try #require(up.status == 0, "\(up)")
            #expect(try sandbox.run("ssh", "-c", "cat /etc/vmfile-built").stdout == "built from a cidata CD\n")
            #expect(try sandbox.run("destroy", "--force").status == 0)
        }
    }
}
