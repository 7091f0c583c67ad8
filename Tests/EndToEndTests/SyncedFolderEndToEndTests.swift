import Foundation
import Testing

/// Synced folders on a real guest: one machine carries the default `/vagrant` (rsync), an rsync folder
/// with its own excludes, a virtiofs and a 9p folder and a disabled one, so the whole suite boots
/// twice (up, then halt/up).
@Suite(.serialized, .enabled(if: E2E.enabled, "needs libvirt, QEMU and the tiny box (set VMFILE_E2E=1 to require them)"))
struct SyncedFolderEndToEndTests {
    static let vmfile = """
        version: 1
        machines:
          m:
            box: tiny
            memory: 256MiB
            synced_folders:
              - {host: app, guest: /srv/app, exclude: [build/, "*.tmp"]}
              - {host: live, guest: /mnt/live, type: virtiofs}
              - {host: nine, guest: /mnt/nine, type: 9p}
              - {host: off, guest: /mnt/off, disabled: true}
          n:
            box: tiny
            memory: 256MiB
            autostart: false
            synced_folders:
              - {host: ., guest: /vagrant, type: nfs}
        """

    /// Polls `condition` every half second until it holds or `seconds` pass (a generous bound, not a timing check).
    func eventually(within seconds: Double = 90, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.5)
        } while Date() < deadline
        return false
    }

    @Test func everyTypeOnOneMachine() throws {
        let sandbox = try Sandbox(vmfile: Self.vmfile, files: ["hello.txt": "hello\n"])
        let project = sandbox.directory
        let files = FileManager.default
        for directory in [".git", "app/build", "live", "nine"] {
            try files.createDirectory(at: project.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        for (path, text) in [".git/HEAD": "ref\n", "app/keep.txt": "keep\n", "app/build/out.o": "x", "app/scratch.tmp": "x",
                             "live/v.txt": "virtiofs\n", "nine/n.txt": "ninep\n"] {
            try text.write(to: project.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }

        // nfs is refused before anything is made for that machine.
        let nfs = try sandbox.run("up", "n")
        #expect(nfs.status != 0 && nfs.stderr.contains("type: nfs") && nfs.stderr.contains("virtiofs"), "\(nfs)")
        #expect(try sandbox.states()["n"] == "not-created")

        let up = try sandbox.run("up")
        try #require(up.status == 0, "up failed: \(up)")
        #expect(up.stderr.contains("synced folder /vagrant copied"), "\(up)")
        #expect(up.stderr.contains("synced folder /mnt/live mounted (virtiofs"), "\(up)")
        #expect(up.stderr.contains("synced folder /mnt/nine mounted (9p"), "\(up)")

        let look = try sandbox.run("ssh", "m", "-c", """
            cat /vagrant/hello.txt /srv/app/keep.txt /mnt/live/v.txt /mnt/nine/n.txt; \
            for p in /vagrant/.git /vagrant/.vmfile /srv/app/build /srv/app/scratch.tmp /mnt/off; do [ -e $p ] && echo "present $p"; done; \
            stat -c %U /vagrant/hello.txt
            """)
        #expect(look.stdout == "hello\nkeep\nvirtiofs\nninep\nvagrant\n", "\(look)")

        // Mounted folders are live both ways.
        let write = try sandbox.run("ssh", "m", "-c", "echo from-guest | sudo tee /mnt/live/g.txt /mnt/nine/g.txt >/dev/null")
        #expect(write.status == 0, "\(write)")
        for folder in ["live", "nine"] {
            let text = try? String(contentsOf: project.appendingPathComponent("\(folder)/g.txt"), encoding: .utf8)
            #expect(text == "from-guest\n", "\(folder)")
        }

        // `vmfile rsync` copies again; rsync-auto carries a change on its own.
        try "two\n".write(to: project.appendingPathComponent("app/two.txt"), atomically: true, encoding: .utf8)
        let again = try sandbox.run("rsync")
        #expect(again.status == 0 && again.stderr.contains("synced folder /srv/app copied"), "\(again)")
        #expect(try sandbox.run("ssh", "m", "-c", "cat /srv/app/two.txt").stdout == "two\n")

        let auto = try sandbox.start("rsync-auto")
        // SIGKILL: a child of a test thread inherits its blocked signals, SIGTERM and SIGINT included.
        let stop = { if auto.isRunning { kill(auto.processIdentifier, SIGKILL); auto.waitUntilExit() } }
        defer { stop() }
        try "three\n".write(to: project.appendingPathComponent("app/three.txt"), atomically: true, encoding: .utf8)
        let carried = try eventually { try sandbox.run("ssh", "m", "-c", "cat /srv/app/three.txt 2>/dev/null").stdout == "three\n" }
        #expect(carried, "rsync-auto did not carry app/three.txt")
        stop()

        // A power cycle mounts again; what the guest wrote stayed on the host.
        #expect(try sandbox.run("halt", "m").status == 0)
        let upAgain = try sandbox.run("up", "m")
        try #require(upAgain.status == 0, "second up failed: \(upAgain)")
        let after = try sandbox.run("ssh", "m", "-c", "cat /mnt/live/g.txt /mnt/nine/g.txt /srv/app/three.txt")
        #expect(after.stdout == "from-guest\nfrom-guest\nthree\n", "\(after)")

        // A guest without rsync gets an error naming the package.
        #expect(try sandbox.run("ssh", "m", "-c", "sudo rm /usr/bin/rsync").status == 0)
        let missing = try sandbox.run("rsync", "m")
        #expect(missing.status != 0 && missing.stderr.contains("the guest has no rsync")
            && missing.stderr.contains("`rsync` package"), "\(missing)")

        #expect(try sandbox.run("destroy", "-f").status == 0)
        #expect(try sandbox.leftovers().isEmpty)
        let daemons = try runProcess("/usr/bin/pgrep", ["-f", "virtiofsd.*\(project.path)"])
        #expect(daemons.stdout.isEmpty, "virtiofsd left running: \(daemons.stdout)")
    }
}
