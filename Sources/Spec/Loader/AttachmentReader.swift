import Yams

/// Reads a machine's list-valued attachments: `forwarded_ports`, `networks`, `synced_folders`
/// (one file each: ForwardedPortReader, MachineNetworkReader, SyncedFolderReader).
struct AttachmentReader {
    static let portKeys = ["guest", "host", "protocol", "host_ip", "auto_correct", "id"]
    static let privateKeys = ["private", "ip", "dhcp", "auto_config"]
    static let publicKeys = ["bridge", "dev", "mode", "ip", "netmask", "auto_config"]
    static let folderKeys = ["host", "guest", "type", "disabled", "owner", "group", "create", "mount_options", "exclude", "args"]

    let context: LoadContext
    var reader: NodeReader { NodeReader(log: context.log) }

    /// A list entry that must be a mapping of `allowed` keys.
    func entry(_ item: Node, key: String, allowed: [String], example: String) -> KeyedMapping? {
        guard case .mapping = item else {
            context.log.error("each `\(key)` entry must be a mapping, not \(NodeReader.describe(item))", at: item,
                              hint: "write entries like \(example)")
            return nil
        }
        return reader.mapping(item, key: key, allowed: allowed, label: "a `\(key)` entry")
    }
}
