import Yams

/// Reads the top level of a Boxfile; one file per group of sections (sources, boot, ssh).
struct BoxfileReader {
    static let keys = [
        "version", "box", "iso", "cpus", "memory", "disk", "firmware", "boot", "http", "cd", "variables", "ssh",
        "provision", "shutdown", "compress", "output",
    ]

    let context: LoadContext
    var reader: NodeReader { NodeReader(log: context.log) }
    var log: DiagnosticLog { context.log }

    func read(_ root: Node, path: String) -> Boxfile? {
        guard case .mapping = root, let map = reader.mapping(root, key: "Boxfile", allowed: Self.keys, label: "the Boxfile") else {
            log.error("a Boxfile must be a mapping with `version:`, `box:` and `iso:`, not \(NodeReader.describe(root))",
                      at: root, hint: "start with `version: 1`, then `box: {name: NAME}` and `iso: {url: URL, checksum: sha256:…}`")
            return nil
        }
        if let value = map.require("version", in: "the Boxfile", at: .start, hint: "add `version: 1` as the first line"),
           let version = reader.int(value, key: "version"), version != 1 {
            log.error("Boxfile version \(version) is not supported", at: value, hint: "this vmfile reads `version: 1`")
        }
        let variables = map["variables"].map(readVariables) ?? []
        let templates = TemplateRules(log: log, variables: variables.map(\.name), hasHTTP: map.has("http"))
        let box = map.require("box", in: "the Boxfile", at: .start, hint: "add `box: {name: NAME, version: 1.0.0}`")
            .flatMap(readBox)
        let iso = map.require("iso", in: "the Boxfile", at: .start,
                              hint: "add `iso: {url: URL, checksum: sha256:…}` (or `path:` for a local file)")
            .flatMap(readISO)
        let cpus = map["cpus"].flatMap { reader.int($0, key: "cpus", range: 1...512) } ?? Boxfile.defaultCPUs
        let memory = map["memory"].flatMap { reader.memoryMiB($0) } ?? Boxfile.defaultMemoryMiB
        let disk = map["disk"].flatMap { reader.diskBytes($0) } ?? Boxfile.defaultDiskBytes
        let firmware = map["firmware"].flatMap { reader.choice($0, key: "firmware", as: Firmware.self) } ?? .bios
        let boot = map["boot"].map { readBoot($0, templates: templates) } ?? BootSettings()
        let http = map["http"].flatMap { readHTTP($0, templates: templates) }
        let cd = map["cd"].flatMap { readCD($0, templates: templates) }
        let ssh = map["ssh"].map(readSSH) ?? BuildSSH()
        let provision = map["provision"].map { ProvisionReader(context: context).read($0, origin: "provision") } ?? []
        let shutdown = map["shutdown"].map(readShutdown) ?? ShutdownSettings()
        let compress = map["compress"].flatMap { reader.bool($0, key: "compress") } ?? true
        let output = readOutput(map["output"])

        guard log.isEmpty, let box, let iso else { return nil }
        return Boxfile(
            path: path, box: box, iso: iso, cpus: cpus, memoryMiB: memory, diskBytes: disk, firmware: firmware,
            boot: boot, http: http, cd: cd, variables: variables, ssh: ssh, provision: provision, shutdown: shutdown,
            compress: compress, output: output)
    }

    private func readBox(_ node: Node) -> BoxInfo? {
        guard let map = reader.mapping(node, key: "box", allowed: ["name", "version", "description"]) else { return nil }
        guard let nameNode = map.require("name", in: "`box`", hint: "add `name: NAME`, e.g. `name: debian/bookworm64`"),
              let name = reader.nonEmptyString(nameNode, key: "box.name") else { return nil }
        guard BoxNameRules.isValid(name) else {
            log.error("`\(name)` is not a valid box name", at: nameNode, hint: BoxNameRules.hint)
            return nil
        }
        var info = BoxInfo(name: name)
        if let value = map["version"], let text = reader.string(value, key: "box.version") {
            if let version = BoxVersion(text) { info.version = version } else {
                log.error("`\(text)` is not a box version", at: value, hint: "write numbers separated by dots, e.g. `1.0.0`")
            }
        }
        info.description = map["description"].flatMap { reader.string($0, key: "box.description") }
        return info
    }

    private func readVariables(_ node: Node) -> [BoxfileVariable] {
        guard let map = reader.mapping(node, key: "variables", allowed: []) else { return [] }
        return map.entries.compactMap { entry in
            guard isVariableName(entry.name) else {
                log.error("`\(entry.name)` is not a valid variable name", at: entry.key,
                          hint: "use letters, digits, `_` and `-`, starting with a letter or `_`")
                return nil
            }
            guard case .scalar(let scalar) = entry.value else {
                log.error("variable `\(entry.name)` must have a single value as its default, not \(NodeReader.describe(entry.value))",
                          at: entry.value, hint: "write `\(entry.name): value`, or `\(entry.name):` with no value to require --var")
                return nil
            }
            return BoxfileVariable(name: entry.name, defaultValue: NodeReader.isNull(entry.value) ? nil : scalar.string)
        }
    }

    private func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    private func readShutdown(_ node: Node) -> ShutdownSettings {
        var settings = ShutdownSettings()
        guard let map = reader.mapping(node, key: "shutdown", allowed: ["command", "timeout", "trim"]) else { return settings }
        settings.command = map["command"].flatMap { reader.nonEmptyString($0, key: "shutdown.command") }
        if let value = map["timeout"], let timeout = reader.duration(value, key: "shutdown.timeout") { settings.timeout = timeout }
        if let value = map["trim"], let trim = reader.bool(value, key: "shutdown.trim") { settings.trim = trim }
        return settings
    }

    private func readOutput(_ node: Node?) -> OutputSettings {
        var settings = OutputSettings(directory: context.absolutePath(OutputSettings.defaultDirectory))
        guard let node, let map = reader.mapping(node, key: "output", allowed: ["directory", "catalog"]) else { return settings }
        if let value = map["directory"], let text = reader.nonEmptyString(value, key: "output.directory") {
            settings.directory = context.absolutePath(text)
        }
        settings.catalog = map["catalog"].flatMap { reader.bool($0, key: "output.catalog") } ?? false
        return settings
    }
}
