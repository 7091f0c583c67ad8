/// Readable JSON/YAML for the enums with payloads: one key naming the case, as in the Vmfile
/// (`{"private": {...}}`, `{"shell": "..."}`) instead of the synthesized `{"private": {"_0": ...}}`.

extension MachineNetwork {
    private enum CodingKeys: String, CodingKey {
        case `private`, `public`
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let attachment = try container.decodeIfPresent(PrivateAttachment.self, forKey: .private) {
            self = .private(attachment)
        } else {
            self = .public(try container.decode(PublicAttachment.self, forKey: .public))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .private(let attachment): try container.encode(attachment, forKey: .private)
        case .public(let attachment): try container.encode(attachment, forKey: .public)
        }
    }
}

extension ProvisionStep.Source {
    private enum CodingKeys: String, CodingKey {
        case shell, path
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let script = try container.decodeIfPresent(String.self, forKey: .shell) {
            self = .inline(script)
        } else {
            self = .path(try container.decode(String.self, forKey: .path))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .inline(let script): try container.encode(script, forKey: .shell)
        case .path(let path): try container.encode(path, forKey: .path)
        }
    }
}
