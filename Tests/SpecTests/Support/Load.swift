import Foundation
@testable import Spec

/// Loading helpers for tests: parse text with a base directory that holds `files`.
enum Load {
    /// The diagnostics for `yaml` (empty when it is valid).
    static func diagnostics(_ yaml: String, files: [String: String] = [:]) throws -> [VmfileDiagnostic] {
        try TemporaryDirectory.with(files: files) { directory in
            do {
                _ = try VmfileLoader.parse(yaml: yaml, path: "Vmfile", baseDirectory: directory.path)
                return []
            } catch let error as VmfileErrors {
                return error.diagnostics
            }
        }
    }

    /// The model for `yaml`, or the rendered diagnostics as the thrown error.
    static func vmfile(_ yaml: String, files: [String: String] = [:], directories: [String] = []) throws -> Vmfile {
        try TemporaryDirectory.with(files: files) { directory in
            for name in directories { try directory.makeDirectory(name) }
            return try VmfileLoader.parse(yaml: yaml, path: "Vmfile", baseDirectory: directory.path)
        }
    }

    /// One machine `m` with `box: tiny` plus `body` (machine keys, indented by the helper).
    static func machineYAML(_ body: String, extra: String = "") -> String {
        let indented = body.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
        return "version: 1\n\(extra)machines:\n  m:\n    box: tiny\n\(indented)\n"
    }
}
