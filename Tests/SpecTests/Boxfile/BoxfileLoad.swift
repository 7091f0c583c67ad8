import Foundation
@testable import Spec

/// Loading helpers for Boxfile tests: parse text with a base directory that holds `files`.
enum BoxfileLoad {
    /// Files most Boxfiles here refer to.
    static let standardFiles = ["installer.iso": "iso", "SHA256SUMS": "", "keys/build": "key", "http/preseed.cfg": "x"]

    static let digest = String(repeating: "ab", count: 32)

    /// A minimal valid Boxfile plus `extra` top-level YAML.
    static func minimal(_ extra: String = "") -> String {
        "version: 1\nbox: {name: tiny}\niso: {path: installer.iso, checksum: \"sha256:\(digest)\"}\n" + extra
    }

    /// The diagnostics for `yaml` (empty when it is valid).
    static func diagnostics(_ yaml: String, files: [String: String] = standardFiles) throws -> [VmfileDiagnostic] {
        try TemporaryDirectory.with(files: files) { directory in
            do {
                _ = try BoxfileLoader.parse(yaml: yaml, path: "Boxfile", baseDirectory: directory.path)
                return []
            } catch let error as VmfileErrors {
                return error.diagnostics
            }
        }
    }

    /// The model for `yaml` and the directory it was read in (already removed when this returns).
    static func boxfile(_ yaml: String, files: [String: String] = standardFiles) throws -> (Boxfile, String) {
        try TemporaryDirectory.with(files: files) { directory in
            (try BoxfileLoader.parse(yaml: yaml, path: "Boxfile", baseDirectory: directory.path), directory.path)
        }
    }
}
