import ArgumentParser
import Boxes
import Foundation
import HostSupport
import Lifecycle
import Spec

/// `vmfile box add [NAME] SOURCE`: install a libvirt box from a directory, a `.box` file, a URL or a catalog.
struct BoxAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a libvirt box from a box directory, a .box file (tar, tar.gz), an http(s) URL, or a Vagrant catalog.",
        discussion: """
            vmfile box add NAME PATH_OR_URL        a box directory, .box file or catalog, under NAME
            vmfile box add URL_OR_FILE [--name N]  the name from --name, the catalog, or the file name
            vmfile box add catalog.json            the newest libvirt version (or --version CONSTRAINT)
            """)

    @Argument(help: ArgumentHelp("NAME SOURCE, or just SOURCE.", valueName: "name-or-source"))
    var arguments: [String]

    @Option(help: "The box's name (with a single SOURCE argument).")
    var name: String?

    @Option(help: "For a file or URL: the version to record (default 0). For a catalog: a constraint like \">= 1.2\".")
    var version: String?

    @Option(help: "Expected checksum of the box file, TYPE:HEX with TYPE sha256, sha512, sha1 or md5.")
    var checksum: String?

    @Flag(help: "Replace the version if it is installed with other content.")
    var force = false

    func validate() throws {
        guard (1...2).contains(arguments.count) else {
            throw ValidationError("give NAME SOURCE or a single SOURCE (a box file, directory, URL or catalog)")
        }
        if arguments.count == 2, name != nil {
            throw ValidationError("--name and a NAME argument both name the box: give one")
        }
        if let checksum { _ = try Checksum(parsing: checksum) }
    }

    func run() throws {
        let store = BoxStore(root: BoxStore.defaultRoot())
        // With --force other content may replace a version whose content was imported into the pool.
        let volumesBefore = force ? Self.poolVolumeNames(store) : [:]
        let installer = BoxInstaller(store: store, progress: Progress.renderer().report, notice: { StandardError.print("==> \($0)") })
        let box = try reportingErrors {
            let sourceText: String
            let boxName: String?
            if arguments.count == 2 {
                boxName = arguments[0]
                sourceText = arguments[1]
            } else {
                sourceText = arguments[0]
                boxName = name
                guard BoxSource.isSource(sourceText) else {
                    throw BoxError(.invalidSource, "'\(sourceText)' is neither a file, a directory nor a URL",
                                   hint: "vmfile has no public box registry: give where to get it, e.g. vmfile box add \(sourceText) https://example.com/\(sourceText).box")
                }
            }
            let request = BoxInstaller.Request(name: boxName, source: try BoxSource(sourceText), version: version,
                                               checksum: try checksum.map(Checksum.init(parsing:)), force: force)
            return try installer.add(request)
        }
        let disks = box.metadata.imageFiles.count > 1 ? ", \(box.metadata.imageFiles.count) disks" : ""
        StandardError.print("==> box \(box.name) \(box.version) added (\(ByteCount.text(box.sizeOnDisk()))\(disks))")
        if let replaced = volumesBefore["\(box.name) \(box.version)"], replaced != BoxUsage.volumeName(of: box) {
            let removal = BoxRemoval(store: store, connection: LibvirtHostFactory(explicitURI: nil).connectionIfReachable(),
                                     notice: { StandardError.print("==> \($0)") })
            try reportingErrors { try removal.dropVolume(ofReplacedContent: replaced) }
        }
    }

    /// "name version" → pool volume name of each installed box whose content has a recorded digest.
    private static func poolVolumeNames(_ store: BoxStore) -> [String: String] {
        var names: [String: String] = [:]
        for box in (try? store.list()) ?? [] {
            names["\(box.name) \(box.version)"] = BoxUsage.volumeName(of: box)
        }
        return names
    }
}

/// Download progress on stderr: a redrawn bar on a terminal, a plain line every 5 s otherwise.
enum Progress {
    static func renderer() -> ProgressRenderer {
        ProgressRenderer(terminal: isatty(2) == 1) { text in FileHandle.standardError.write(Data(text.utf8)) }
    }
}
