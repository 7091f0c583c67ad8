import Yams

/// Reads `provision:` lists (top level and per machine).
struct ProvisionReader {
    static let stepKeys = ["name", "shell", "path", "args", "env", "privileged", "run", "reboot"]

    let context: LoadContext
    var reader: NodeReader { NodeReader(log: context.log) }

    /// Steps of one list; `origin` is the dotted path used for positions (e.g. `machines.web.provision`).
    func read(_ node: Node, origin: String) -> [ProvisionStep] {
        guard let items = reader.sequence(node, key: "provision") else { return [] }
        var steps: [ProvisionStep] = []
        var namesSeen: [String: SourcePosition] = [:]
        for (index, item) in items.enumerated() {
            guard let step = readStep(item, index: index, origin: "\(origin).\(index)") else { continue }
            let namePosition = context.position("\(origin).\(index).name", or: "\(origin).\(index)")
            if let first = namesSeen[step.name] {
                context.log.error("duplicate provision step name `\(step.name)`", at: namePosition,
                                  hint: "step names must be unique within a machine; the first is at line \(first.line)")
            } else {
                namesSeen[step.name] = namePosition
            }
            steps.append(step)
        }
        return steps
    }

    private func readStep(_ node: Node, index: Int, origin: String) -> ProvisionStep? {
        guard case .mapping = node, let map = reader.mapping(node, key: "provision", allowed: Self.stepKeys, label: "a provision step")
        else {
            context.log.error("a provision step must be a mapping, not \(NodeReader.describe(node))", at: node,
                              hint: "write `- shell: echo hi` or `- path: scripts/setup.sh`")
            return nil
        }
        context.record(origin, node)
        var valid = true
        var name = "shell-\(index + 1)"
        if let value = map["name"] {
            context.record("\(origin).name", value)
            if let text = reader.nonEmptyString(value, key: "name") { name = text } else { valid = false }
        }
        var source: ProvisionStep.Source?
        switch (map["shell"], map["path"]) {
        case (let shell?, nil):
            if let text = reader.string(shell, key: "shell") { source = .inline(text) }
        case (nil, let path?):
            if let text = reader.nonEmptyString(path, key: "path") {
                let absolute = context.absolutePath(text)
                let status = context.fileExists(absolute)
                if !status.exists || status.isDirectory {
                    context.log.error(
                        status.isDirectory ? "provision script `\(text)` is a directory"
                            : "provision script `\(text)` does not exist", at: path,
                        hint: "looked for \(absolute); paths are relative to the Vmfile's directory")
                } else {
                    source = .path(absolute)
                }
            }
        case (let shell?, .some):
            context.log.error("a provision step has both `shell` and `path`", at: map.keyNode("path") ?? shell,
                              hint: "keep `shell:` for an inline script or `path:` for a script file, not both")
        case (nil, nil):
            context.log.error("provision step `\(name)` has neither `shell` nor `path`", at: node,
                              hint: "add `shell: <commands>` or `path: <script file>`")
        }
        var args: [String] = []
        if let value = map["args"] {
            if let items = reader.sequence(value, key: "args") {
                for item in items {
                    if case .scalar(let scalar) = item, !NodeReader.isNull(item) {
                        args.append(scalar.string)
                    } else {
                        valid = false
                        context.log.error("each of `args` must be a single value, not \(NodeReader.describe(item))",
                                          at: item, hint: "quote arguments that contain spaces or `:`")
                    }
                }
            } else { valid = false }
        }
        var env: [String: String] = [:]
        if let value = map["env"] {
            if let entries = reader.mapping(value, key: "env", allowed: []) {
                for entry in entries.entries {
                    if !isEnvironmentName(entry.name) {
                        valid = false
                        context.log.error("`\(entry.name)` is not a valid environment variable name", at: entry.key,
                                          hint: "use letters, digits and `_`, not starting with a digit")
                    }
                    if case .scalar(let scalar) = entry.value {
                        env[entry.name] = NodeReader.isNull(entry.value) ? "" : scalar.string
                    } else {
                        valid = false
                        context.log.error("`env.\(entry.name)` must be a single value, not \(NodeReader.describe(entry.value))",
                                          at: entry.value)
                    }
                }
            } else { valid = false }
        }
        let privileged = map["privileged"].flatMap { reader.bool($0, key: "privileged") } ?? true
        let run = map["run"].flatMap { reader.choice($0, key: "run", as: ProvisionStep.Run.self) } ?? .once
        let reboot = map["reboot"].flatMap { reader.bool($0, key: "reboot") } ?? false
        guard valid, let source else { return nil }
        return ProvisionStep(name: name, source: source, args: args, env: env, privileged: privileged, run: run,
                             reboot: reboot)
    }

    private func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}
