import Foundation
import Testing
@testable import Spec

/// `synced_folders:` keys: Vagrant's options, defaults, and the errors that point at the value.
@Suite struct SyncedFolderKeyTests {
    private func folder(_ yaml: String, directories: [String] = []) throws -> SyncedFolder {
        let vmfile = try Load.vmfile(Load.machineYAML("synced_folders:\n" + yaml), directories: directories)
        return try #require(vmfile.machines.first?.syncedFolders.first)
    }

    private func diagnostics(_ yaml: String) throws -> [VmfileDiagnostic] {
        try Load.diagnostics(Load.machineYAML("synced_folders:\n" + yaml))
    }

    @Test func rsyncDefaults() throws {
        let found = try folder("  - {host: ., guest: /vagrant}")
        #expect(found.type == .rsync && found.exclude == [".git/"] && found.args == nil)
        #expect(found.owner == nil && found.group == nil && !found.create && found.mountOptions.isEmpty)
    }

    @Test func everyKeyIsRead() throws {
        let rsync = try folder("""
              - host: src
                guest: /srv/app/
                owner: www-data
                group: 33
                create: true
                exclude: [node_modules/, "*.log"]
                args: [--archive, --checksum]
            """)
        #expect(rsync.host.hasSuffix("/src") && rsync.guest == "/srv/app")
        #expect(rsync.owner == "www-data" && rsync.group == "33" && rsync.create)
        #expect(rsync.exclude == ["node_modules/", "*.log"] && rsync.args == ["--archive", "--checksum"])
        let single = try folder("  - {host: ., guest: /v, exclude: build/}")
        #expect(single.exclude == ["build/"])
        let mounted = try folder("  - {host: ., guest: /v, type: 9p, mount_options: [ro, cache=loose]}")
        #expect(mounted.type == .ninep && mounted.mountOptions == ["ro", "cache=loose"])
    }

    @Test func createAcceptsAMissingHostDirectory() throws {
        let found = try folder("  - {host: later, guest: /v, create: true}")
        #expect(found.host.hasSuffix("/later") && found.create)
    }

    @Test(arguments: [
        ("  - {host: ., guest: /}", "synced folder guest path `/` is the guest's root", 6, 26),
        ("  - {host: ., guest: /a/..}", "synced folder guest path `/a/..` is the guest's root", 6, 26),
        ("  - {host: ., guest: /v, exclude: [x], type: virtiofs}", "`exclude` applies to `type: rsync` folders, not virtiofs", 6, 30),
        ("  - {host: ., guest: /v, args: [-a], type: 9p}", "`args` applies to `type: rsync` folders, not 9p", 6, 30),
        ("  - {host: ., guest: /v, mount_options: [ro]}", "`mount_options` applies to mounted folders", 6, 30),
        ("  - {host: ., guest: /v, create: yes please}", "`create` must be true or false", 6, 38),
        ("  - {host: ., guest: /v, args: [[x]]}", "each of `args` must be a single value, not a list", 6, 37),
        ("  - {host: ., guest: /v}\n  - {host: ., guest: /v/}", "synced folder guest path `/v/` is used twice", 7, 26),
        ("  - {host: Vmfile, guest: /v}", "synced folder host path `Vmfile` is not a directory", 6, 16),
        ("  - {host: ., guest: /v, owner: \"\"}", "`owner` must not be empty", 6, 37),
    ] as [(String, String, Int, Int)])
    func errors(yaml: String, message: String, line: Int, column: Int) throws {
        let found = try Load.diagnostics(Load.machineYAML("synced_folders:\n" + yaml), files: ["Vmfile": "x"])
        let match = found.first { $0.message.contains(message) }
        #expect(match != nil, "\(found)")
        #expect(match?.line == line && match?.column == column, "\(found)")
    }

    @Test func aSymlinkOutOfTheProjectIsRefusedUnlessWrittenOut() throws {
        try TemporaryDirectory.with { directory in
            let outside = NSTemporaryDirectory() + "vmfile-spec-outside-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: outside) }
            try FileManager.default.createSymbolicLink(atPath: directory.path + "/src", withDestinationPath: outside)
            let yaml = Load.machineYAML("synced_folders:\n  - {host: src, guest: /v}")
            do {
                _ = try VmfileLoader.parse(yaml: yaml, path: "Vmfile", baseDirectory: directory.path)
                Issue.record("a symlink out of the project was accepted")
            } catch let error as VmfileErrors {
                let message = error.diagnostics.first?.message ?? ""
                #expect(message.contains("leads out of the project through a symlink"), "\(error.diagnostics)")
                #expect(error.diagnostics.first?.hint.contains("host: ") == true)
            }
            // Written out as an absolute path, it is what the user asked for.
            let explicit = Load.machineYAML("synced_folders:\n  - {host: \(outside), guest: /v}")
            let vmfile = try VmfileLoader.parse(yaml: explicit, path: "Vmfile", baseDirectory: directory.path)
            #expect(vmfile.machines.first?.syncedFolders.first?.host == outside)
        }
    }
}
