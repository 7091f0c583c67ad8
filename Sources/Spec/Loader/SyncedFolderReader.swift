import Yams

extension AttachmentReader {
    func syncedFolders(_ node: Node) -> [SyncedFolder] {
        guard let items = reader.sequence(node, key: "synced_folders") else { return [] }
        var folders: [SyncedFolder] = []
        for item in items {
            guard let map = entry(item, key: "synced_folders", allowed: Self.folderKeys,
                                  example: "`- {host: ., guest: /vagrant}`")
            else { continue }
            let disabled = map["disabled"].flatMap { reader.bool($0, key: "disabled") } ?? false
            let type = map["type"].flatMap { reader.choice($0, key: "type", as: SyncedFolder.Kind.self) } ?? .rsync
            var host: String?
            if let value = map.require("host", in: "synced folder", hint: "add `host: <directory on this machine>`"),
               let text = reader.nonEmptyString(value, key: "host") {
                let absolute = context.absolutePath(text)
                let status = context.fileExists(absolute)
                if disabled || status.isDirectory {
                    host = absolute
                } else {
                    context.log.error(status.exists ? "synced folder host path `\(text)` is not a directory"
                                          : "synced folder host path `\(text)` does not exist", at: value,
                                      hint: "looked for \(absolute); create it or fix the path (relative to the Vmfile)")
                }
            }
            var guest: String?
            if let value = map.require("guest", in: "synced folder", hint: "add `guest: /path/in/guest`"),
               let text = reader.nonEmptyString(value, key: "guest") {
                if text.hasPrefix("/") { guest = text } else {
                    context.log.error("synced folder guest path `\(text)` is not absolute", at: value,
                                      hint: "start it with `/`, e.g. `/\(text)`")
                }
            }
            if let host, let guest {
                folders.append(SyncedFolder(host: host, guest: guest, type: type, disabled: disabled))
            }
        }
        return folders
    }
}
