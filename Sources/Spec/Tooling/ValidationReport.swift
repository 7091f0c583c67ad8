import Foundation

/// What `vmfile validate` reports: valid or not, and every diagnostic.
public struct ValidationReport: Codable, Sendable, Equatable {
    /// Whether the Vmfile loaded without a single diagnostic.
    public var valid: Bool
    /// The Vmfile's path as given.
    public var file: String
    /// Every diagnostic, in file order.
    public var errors: [VmfileDiagnostic]
    /// Machines of a valid file (zero when invalid).
    public var machines: Int
    /// Declared networks of a valid file (zero when invalid).
    public var networks: Int

    /// A report as given; `validate(path:)` builds one from a file.
    public init(valid: Bool, file: String, errors: [VmfileDiagnostic], machines: Int = 0, networks: Int = 0) {
        self.valid = valid
        self.file = file
        self.errors = errors
        self.machines = machines
        self.networks = networks
    }

    /// Validates the Vmfile at `path` (never throws: problems become the report's errors).
    public static func validate(path: String) -> ValidationReport {
        do {
            let vmfile = try VmfileLoader.load(path: path)
            return ValidationReport(valid: true, file: path, errors: [], machines: vmfile.machines.count,
                                    networks: vmfile.networks.count)
        } catch {
            return ValidationReport(valid: false, file: path, errors: error.diagnostics, machines: 0, networks: 0)
        }
    }

    /// `Vmfile valid: 3 machines, 1 network (path)` or every diagnostic plus a count line.
    public var humanText: String {
        if valid {
            return "Vmfile valid: \(Self.count(machines, "machine")), \(Self.count(networks, "network")) (\(file))"
        }
        return VmfileErrors(diagnostics: errors).description
    }

    /// `{"valid":…,"file":…,"errors":[{path,line,column,message,hint}],…}` with sorted keys.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    private static func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }
}
