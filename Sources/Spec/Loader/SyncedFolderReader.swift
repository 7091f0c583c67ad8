import Foundation
import Yams

extension AttachmentReader {
    func syncedFolders(_ node: Node) -> [SyncedFolder] {
        guard let items = reader.sequence(node, key: "synced_folders") else { return [] }
        var folders: [SyncedFolder] = []
        var guests: [String: SourcePosition] = [:]
        for item in items {
            guard let map = entry(item, key: "synced_folders", allowed: Self.folderKeys,
                                  example: "`- {host: ., guest: /vagrant}`")
            else { continue }
            let disabled = map["disabled"].flatMap { reader.bool($0, key: "disabled") } ?? false
            let type = map["type"].flatMap { reader.choice($0, key: "type", as: SyncedFolder.Kind.self) } ?? .rsync
            let create = map["create"].flatMap { reader.bool($0, key: "create") } ?? false
            var host: String?
            if let value = map.require("host", in: "synced folder", hint: "add `host: <directory on this machine>`"),
               let text = reader.nonEmptyString(value, key: "host") {
                host = checkedHost(text, at: value, disabled: disabled, create: create)
            }
            var guest: String?
            if let value = map.require("guest", in: "synced folder", hint: "add `guest: /path/in/guest`"),
               let text = reader.nonEmptyString(value, key: "guest") {
                guest = checkedGuest(text, at: value)
                if let normalized = guest, !disabled {
                    if let first = guests[normalized] {
                        context.log.error("synced folder guest path `\(text)` is used twice", at: value,
                                          hint: "the other one is at line \(first.line); give each folder its own guest path")
                    } else {
                        guests[normalized] = value.position
                    }
                }
            }
            let owner = map["owner"].flatMap { reader.nonEmptyString($0, key: "owner") }
            let group = map["group"].flatMap { reader.nonEmptyString($0, key: "group") }
            let mountOptions = map["mount_options"].map { strings($0, key: "mount_options") } ?? []
            let exclude = map["exclude"].map { strings($0, key: "exclude", scalarAllowed: true) }
            let args = map["args"].map { strings($0, key: "args") }
            refuseMismatched(map, type: type)
            if let host, let guest {
                folders.append(SyncedFolder(host: host, guest: guest, type: type, disabled: disabled, owner: owner,
                                            group: group, create: create, mountOptions: mountOptions,
                                            exclude: exclude ?? SyncedFolder.defaultExcludes, args: args))
            }
        }
        return folders
    }

    /// The absolute host path, or nil after logging why it cannot be synced: missing (unless `create`),
    /// not a directory, or a path written inside the project that a symlink leads out of.
    private func checkedHost(_ text: String, at value: Node, disabled: Bool, create: Bool) -> String? {
        let absolute = context.absolutePath(text)
        if disabled { return absolute }
        let status = context.fileExists(absolute)
        guard status.exists else {
            if create { return absolute }
            context.log.error("synced folder host path `\(text)` does not exist", at: value,
                              hint: "looked for \(absolute); create it, fix the path (relative to the Vmfile), or add `create: true`")
            return nil
        }
        guard status.isDirectory else {
            context.log.error("synced folder host path `\(text)` is not a directory", at: value,
                              hint: "\(absolute) is a file; sync the directory holding it")
            return nil
        }
        // A path written inside the project must stay inside it: a symlink there leading elsewhere
        // (`src -> /etc`) would share what nobody wrote in the Vmfile.
        let base = context.baseDirectory
        let project = LoadContext.normalize(base)
        let inside = absolute == project || absolute.hasPrefix(project == "/" ? "/" : project + "/")
        if inside, !text.hasPrefix("/"), !text.hasPrefix("~") {
            let realProject = Self.realPath(project)
            let real = Self.realPath(absolute)
            if real != realProject && !real.hasPrefix(realProject + "/") {
                context.log.error("synced folder host path `\(text)` leads out of the project through a symlink, to \(real)",
                                  at: value, hint: "write `host: \(real)` if that directory is meant to be shared")
                return nil
            }
        }
        return absolute
    }

    /// The guest path if it is absolute and not `/`, normalized; nil after logging why not.
    private func checkedGuest(_ text: String, at value: Node) -> String? {
        guard text.hasPrefix("/") else {
            context.log.error("synced folder guest path `\(text)` is not absolute", at: value,
                              hint: "start it with `/`, e.g. `/\(text)`")
            return nil
        }
        let normalized = LoadContext.normalize(text)
        guard normalized != "/" else {
            context.log.error("synced folder guest path `\(text)` is the guest's root", at: value,
                              hint: "sync into a directory of its own, e.g. `/vagrant`")
            return nil
        }
        return normalized
    }

    /// Keys that only one kind of folder uses are errors on the others (a silent no-op misleads).
    private func refuseMismatched(_ map: KeyedMapping, type: SyncedFolder.Kind) {
        let rsyncOnly = ["exclude", "args", "owner", "group"]
        for key in rsyncOnly where type != .rsync {
            if let keyNode = map.keyNode(key) {
                context.log.error("`\(key)` applies to `type: rsync` folders, not \(type.rawValue)", at: keyNode,
                                  hint: "remove it; a \(type.rawValue) folder is shared live with the host's files and owners, nothing is copied")
            }
        }
        if type == .rsync, let keyNode = map.keyNode("mount_options") {
            context.log.error("`mount_options` applies to mounted folders (virtiofs, 9p, nfs), not rsync", at: keyNode,
                              hint: "remove it, or pass rsync options with `args:`")
        }
    }

    /// A list of single values (numbers and booleans as written); with `scalarAllowed`, one value alone too.
    private func strings(_ node: Node, key: String, scalarAllowed: Bool = false) -> [String] {
        if scalarAllowed, case .scalar(let scalar) = node, !NodeReader.isNull(node) { return [scalar.string] }
        guard let items = reader.sequence(node, key: key) else { return [] }
        var values: [String] = []
        for item in items {
            if case .scalar(let scalar) = item, !NodeReader.isNull(item) {
                values.append(scalar.string)
            } else {
                context.log.error("each of `\(key)` must be a single value, not \(NodeReader.describe(item))", at: item,
                                  hint: "write one string per entry, e.g. `\(key): [\"a\", \"b\"]`")
            }
        }
        return values
    }

    /// `path` with symlinks resolved (as far as it exists).
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
