import ArgumentParser
import Testing
@testable import vmfile

/// `--connect` is declared once (`ConnectOptions`) and reaches every command that talks to libvirt.
@Suite struct ConnectOptionsTests {
    static let commands: [[String]] = [
        ["up"], ["halt"], ["destroy"], ["reload"], ["suspend"], ["resume"], ["provision"], ["status"], ["port"],
        ["ssh"], ["ssh-config"], ["rsync"], ["rsync-auto"], ["package"], ["global-status"],
        ["snapshot", "save", "s"], ["snapshot", "restore", "s"], ["snapshot", "list"], ["snapshot", "delete", "s"],
        ["snapshot", "push"], ["snapshot", "pop"], ["box", "list"], ["box", "remove", "tiny"], ["box", "prune"],
    ]

    @Test(arguments: commands)
    func theCommandTakesConnect(_ arguments: [String]) throws {
        let parsed = try VmfileCommand.parseAsRoot(arguments + ["--connect", "test:///default"])
        let connect = try #require(Self.connectOptions(of: parsed), "\(arguments.joined(separator: " ")) has no ConnectOptions")
        #expect(connect.uri == "test:///default")
        #expect(connect.factory(vmfileURI: "qemu:///session").resolveURI().uri == "test:///default")
    }

    @Test func withoutConnectTheVmfileURIIsUsed() throws {
        let parsed = try VmfileCommand.parseAsRoot(["status"])
        let connect = try #require(Self.connectOptions(of: parsed))
        #expect(connect.uri == nil)
        #expect(connect.factory(vmfileURI: "test:///default").vmfileURI == "test:///default")
    }

    /// The `ConnectOptions` a parsed command holds, however deep its option groups nest it.
    static func connectOptions(of value: Any, depth: Int = 0) -> ConnectOptions? {
        if let found = value as? ConnectOptions { return found }
        guard depth < 8 else { return nil }
        for child in Mirror(reflecting: value).children {
            if let found = connectOptions(of: child.value, depth: depth + 1) { return found }
        }
        return nil
    }
}
