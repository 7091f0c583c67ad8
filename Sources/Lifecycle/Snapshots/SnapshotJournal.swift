import Foundation

/// What a snapshot save or restore in flight has to undo if it is killed: written before it pauses a
/// machine or takes a libvirt snapshot, removed when it is done. The next snapshot command (under the
/// project lock) finds it and converges: snapshots of the save that have no complete record are
/// deleted, machines it paused are resumed.
struct SnapshotJournal: Codable, Equatable, Sendable {
    enum Operation: String, Codable, Sendable { case save, restore }

    var operation: Operation
    var snapshot: String
    /// The machines the operation works on.
    var machines: [String]
    /// The machines it pauses and must resume.
    var paused: [String]

    static func url(in project: Project) -> URL {
        project.stateDirectory.appendingPathComponent("snapshot-journal.json")
    }

    static func load(in project: Project) -> SnapshotJournal? {
        guard let data = try? Data(contentsOf: url(in: project)) else { return nil }
        return try? JSONDecoder().decode(SnapshotJournal.self, from: data)
    }

    func write(in project: Project) throws {
        try FileManager.default.createDirectory(at: project.stateDirectory, withIntermediateDirectories: true)
        do {
            try JSONEncoder().encode(self).write(to: Self.url(in: project), options: .atomic)
        } catch {
            throw LifecycleError(.hypervisor, "cannot write \(Self.url(in: project).path)",
                                 hint: "check that the project's .vmfile directory is writable and the disk has room", cause: error)
        }
    }

    static func remove(in project: Project) {
        try? FileManager.default.removeItem(at: url(in: project))
    }
}
