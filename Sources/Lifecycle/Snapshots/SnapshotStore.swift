import Foundation

/// The state a machine was in when a snapshot of it was taken, and returns to when it is restored.
public enum SnapshotState: String, Sendable, Codable, Equatable {
    /// Running: saved with memory; restored running, its processes still there.
    case running
    /// Suspended (`vmfile suspend`): saved with memory; restored suspended.
    case paused
    /// Halted: disk only; restored halted.
    case shutoff
}

/// What vmfile records about one machine's snapshot, next to libvirt's own.
public struct SnapshotRecord: Sendable, Codable, Equatable {
    public var name: String
    public var machine: String
    public var state: SnapshotState
    /// When it was taken (seconds since the epoch).
    public var created: Double
    /// The machines saved together in the same `save` (paused and snapshotted as one instant).
    public var group: [String]
    /// The machine's management address when it was saved (running or suspended), for SSH after a
    /// memory restore when its lease is gone.
    public var address: String?

    public init(name: String, machine: String, state: SnapshotState, created: Double, group: [String], address: String? = nil) {
        self.name = name
        self.machine = machine
        self.state = state
        self.created = created
        self.group = group
        self.address = address
    }
}

/// vmfile's side of snapshots: under `.vmfile/machines/NAME/snapshots/SNAPSHOT/`, the record and a copy
/// of the state only vmfile knows (provision markers, forwarded ports), saved with the libvirt snapshot
/// and put back when it is restored. A snapshot directory appears by one rename once complete, so a
/// killed save never leaves a record that looks good.
struct SnapshotStore: Sendable {
    let files: MachineFiles

    static let recordFile = "snapshot.json"

    var directory: URL { files.directory.appendingPathComponent("snapshots") }

    func directory(of name: String) -> URL { directory.appendingPathComponent(name) }
    private func staging(of name: String) -> URL { directory.appendingPathComponent(".\(name).partial") }

    /// The vmfile-side state files copied with a snapshot.
    private var stateFiles: [URL] { [files.provisionMarkers, files.ports] }

    /// The complete record of snapshot `name`, or nil.
    func record(_ name: String) -> SnapshotRecord? {
        let url = directory(of: name).appendingPathComponent(Self.recordFile)
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(SnapshotRecord.self, from: data)
    }

    /// Every complete record, oldest first.
    func records() -> [SnapshotRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.compactMap(record).sorted { ($0.created, $0.name) < ($1.created, $1.name) }
    }

    /// Copies the machine's state files and writes `record`, replacing an older snapshot of that name.
    func save(_ record: SnapshotRecord) throws {
        let manager = FileManager.default
        let staging = staging(of: record.name), final = directory(of: record.name)
        do {
            try? manager.removeItem(at: staging)
            try manager.createDirectory(at: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for file in stateFiles where manager.fileExists(atPath: file.path) {
                try manager.copyItem(at: file, to: staging.appendingPathComponent(file.lastPathComponent))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(record).write(to: staging.appendingPathComponent(Self.recordFile))
            if manager.fileExists(atPath: final.path) { try manager.removeItem(at: final) }
            try manager.moveItem(at: staging, to: final)
        } catch {
            try? manager.removeItem(at: staging)
            throw LifecycleError(.hypervisor, "machine '\(record.machine)': cannot record snapshot '\(record.name)' in \(directory.path)",
                                 hint: "check that the project's .vmfile directory is writable and the disk has room", cause: error)
        }
    }

    /// Puts back the state files saved with snapshot `name` (a file it did not have is removed).
    func restoreFiles(of name: String) throws {
        let manager = FileManager.default
        let saved = directory(of: name)
        for file in stateFiles {
            let copy = saved.appendingPathComponent(file.lastPathComponent)
            let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).restoring")
            do {
                if manager.fileExists(atPath: copy.path) {
                    try? manager.removeItem(at: temporary)
                    try manager.copyItem(at: copy, to: temporary)
                    // rename(2) replaces the file in one step: a reader sees the old or the saved copy.
                    guard rename(temporary.path, file.path) == 0 else {
                        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
                    }
                } else if manager.fileExists(atPath: file.path) {
                    try manager.removeItem(at: file)
                }
            } catch {
                throw LifecycleError(.hypervisor, "cannot restore \(file.path) from snapshot '\(name)'",
                                     hint: "check that the project's .vmfile directory is writable, then restore again", cause: error)
            }
        }
    }

    /// Removes snapshot `name`'s record and files, and what a killed save of it left; no error when absent.
    func remove(_ name: String) throws {
        let manager = FileManager.default
        for url in [directory(of: name), staging(of: name)] where manager.fileExists(atPath: url.path) {
            try manager.removeItem(at: url)
        }
    }
}
