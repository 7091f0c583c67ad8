import ArgumentParser
import Boxes
import Foundation
import HostSupport
import Lifecycle
import Spec

/// `vmfile box list`: installed boxes, with the machines whose disks use each.
struct BoxListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List installed boxes and the machines using them.")

    @Flag(help: "Print JSON on stdout.")
    var json = false

    @OptionGroup var libvirt: ConnectOptions

    struct Row: Encodable {
        var name: String
        var version: String
        var size: UInt64
        var virtualSizeGB: Int?
        var format: String
        var disks: [String]
        var catalogURL: String?
        var inUseBy: [BoxUsage.User]
        var directory: String
    }

    func run() throws {
        let store = BoxStore(root: BoxStore.defaultRoot())
        let boxes = try reportingErrors { try store.list() }
        // Only installed boxes can be in use: an empty store lists without asking libvirt.
        let usage = boxes.isEmpty ? nil : libvirt.factory().boxUsageIfReachable { StandardError.print("==> \($0)") }
        let rows = boxes.map {
            Row(name: $0.name, version: $0.version.description, size: $0.sizeOnDisk(), virtualSizeGB: $0.metadata.virtualSize,
                format: $0.metadata.format, disks: $0.metadata.imageFiles, catalogURL: store.catalogURL(of: $0.name),
                inUseBy: usage?.users(of: $0) ?? [], directory: $0.directory.path)
        }
        if json {
            print(try JSONOutput.encode(["boxes": rows]))
            return
        }
        if rows.isEmpty { StandardError.print("no boxes installed: add one with `vmfile box add NAME PATH_OR_URL`") }
        for row in rows {
            let virtual = row.virtualSizeGB.map { ", \($0) GiB virtual" } ?? ""
            let used = row.inUseBy.isEmpty ? "" : " — in use by \(row.inUseBy.map(\.description).joined(separator: ", "))"
            print("\(row.name) \(row.version) (libvirt, \(row.format), \(ByteCount.text(row.size))\(virtual))\(used)")
        }
    }
}
