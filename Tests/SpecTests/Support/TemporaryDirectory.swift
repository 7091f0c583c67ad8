import Foundation

/// A scratch directory removed when the body returns, even when it throws.
struct TemporaryDirectory {
    let path: String

    static func with<T>(files: [String: String] = [:], _ body: (TemporaryDirectory) throws -> T) throws -> T {
        let path = NSTemporaryDirectory() + "vmfile-spec-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = TemporaryDirectory(path: path)
        for (name, contents) in files { try directory.write(name, contents) }
        return try body(directory)
    }

    func write(_ name: String, _ contents: String) throws {
        let full = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
    }

    func makeDirectory(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + name, withIntermediateDirectories: true)
    }
}
