import ArgumentParser
import Boxes
import Foundation
import Spec

/// `vmfile box`: the local box store.
struct BoxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "box", abstract: "Manage the local box store.",
        subcommands: [BoxAddCommand.self, BoxListCommand.self, BoxRemoveCommand.self])
}

/// `vmfile box add NAME PATH`: install a local libvirt box (a .box file or a box directory).
struct BoxAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a libvirt box from a .box file or a directory holding metadata.json and box.img.")

    @Argument(help: "The box's name, as a Vmfile's `box:` names it.")
    var name: String

    @Argument(help: "A .box file (tar, tar.gz) or a box directory.")
    var source: String

    @Option(help: "The version to record (default 0).")
    var version: String = "0"

    @Flag(help: "Replace the version if it is installed.")
    var force = false

    func validate() throws {
        guard BoxVersion(version) != nil else {
            throw ValidationError("--version '\(version)' is not a box version: use digits and dots, like 1.2.0")
        }
    }

    func run() throws {
        let store = BoxStore(root: BoxStore.defaultRoot())
        let box = try reportingErrors {
            try store.add(from: URL(fileURLWithPath: source), name: name, version: BoxVersion(version) ?? BoxVersion(components: [0]),
                          force: force)
        }
        StandardError.print("==> box \(box.name) \(box.version) added (\(ByteCount.text(box.sizeOnDisk())))")
    }
}

/// `vmfile box list`: installed boxes.
struct BoxListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List installed boxes.")

    @Flag(help: "Print JSON on stdout.")
    var json = false

    struct Row: Encodable {
        var name: String
        var version: String
        var size: UInt64
        var virtualSizeGB: Int?
        var format: String
        var directory: String
    }

    func run() throws {
        let boxes = try reportingErrors { try BoxStore(root: BoxStore.defaultRoot()).list() }
        let rows = boxes.map {
            Row(name: $0.name, version: $0.version.description, size: $0.sizeOnDisk(),
                virtualSizeGB: $0.metadata.virtualSize, format: $0.metadata.format, directory: $0.directory.path)
        }
        if json {
            print(try JSONOutput.encode(["boxes": rows]))
            return
        }
        if rows.isEmpty { StandardError.print("no boxes installed: add one with `vmfile box add NAME PATH`") }
        for row in rows {
            let virtual = row.virtualSizeGB.map { ", \($0) GiB virtual" } ?? ""
            print("\(row.name) \(row.version) (libvirt, \(row.format), \(ByteCount.text(row.size))\(virtual))")
        }
    }
}

/// `vmfile box remove NAME --version V`.
struct BoxRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an installed box version.")

    @Argument(help: "The box's name.")
    var name: String

    @Option(help: "The version to remove (default: the only installed one).")
    var version: String?

    func run() throws {
        let store = BoxStore(root: BoxStore.defaultRoot())
        try reportingErrors {
            let installed = try store.list().filter { $0.name == name }
            let chosen: BoxVersion
            if let version {
                guard let parsed = BoxVersion(version) else { throw BoxError(.invalidBox, "'\(version)' is not a box version") }
                chosen = parsed
            } else if installed.count == 1, let only = installed.first {
                chosen = only.version
            } else if installed.isEmpty {
                throw BoxError(.notFound, "box '\(name)' is not installed", hint: "see `vmfile box list`")
            } else {
                throw BoxError(.invalidBox, "box '\(name)' has \(installed.count) versions",
                               hint: "name one with --version: \(installed.map(\.version.description).joined(separator: ", "))")
            }
            try store.remove(name: name, version: chosen)
            StandardError.print("==> box \(name) \(chosen) removed")
        }
    }
}

/// Human byte counts: 1.5 GiB, 230 MiB.
enum ByteCount {
    static func text(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
