import Foundation

/// Real qcow2 (and raw) images made with qemu-img for box tests.
enum Images {
    /// Runs a tool to completion; throws with its stderr on failure.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ImageError(message: "\(tool) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// A qcow2 image of `megabytes` virtual size, optionally with `backing`.
    static func qcow2(at url: URL, megabytes: Int = 1, backing: URL? = nil) throws {
        var arguments = ["create", "-q", "-f", "qcow2"]
        if let backing { arguments += ["-b", backing.path, "-F", "qcow2"] }
        try run("qemu-img", arguments + [url.path, "\(megabytes)M"])
    }

    struct ImageError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
