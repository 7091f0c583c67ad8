import Foundation

/// Puts a box's files into an empty staging directory: copies a box directory, or extracts a
/// `.box` tar archive (plain, gzip, zstd or xz; tar detects which).
enum BoxUnpacker {
    static func unpack(_ source: URL, into staging: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw BoxError(.notFound, "\(source.path) does not exist", hint: "give a .box file or a box directory")
        }
        if isDirectory.boolValue {
            try copyDirectory(source, into: staging)
        } else {
            try extractArchive(source, into: staging)
        }
    }

    /// Copies regular files only (a box directory is flat); sparse-aware via `cp`.
    private static func copyDirectory(_ source: URL, into staging: URL) throws {
        let entries = try FileManager.default.contentsOfDirectory(atPath: source.path)
        for entry in entries where !entry.hasPrefix(".") {
            let from = source.appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: from.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            try run("/bin/cp", ["--reflink=auto", "--sparse=always", from.path, staging.appendingPathComponent(entry).path])
        }
    }

    private static func extractArchive(_ archive: URL, into staging: URL) throws {
        try run("/bin/tar", ["-x", "--no-same-owner", "--no-same-permissions", "-f", archive.path, "-C", staging.path])
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw BoxError(.io, "\(tool) \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}
