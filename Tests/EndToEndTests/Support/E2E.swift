import Foundation
import Testing

/// Facts and switches of the end-to-end environment.
///
/// End-to-end tests boot real guests through libvirt and QEMU. On a developer machine without
/// libvirt or the tiny box they are skipped; with `VMFILE_E2E=1` (set by CI) they always run, and a
/// missing prerequisite fails them.
enum E2E {
    static let environment = ProcessInfo.processInfo.environment
    static let required = environment["VMFILE_E2E"] == "1"

    /// The repository root (this file is Tests/EndToEndTests/Support/E2E.swift).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The vmfile binary `swift build` made.
    static var binary: URL {
        if let explicit = environment["VMFILE_BINARY"] { return URL(fileURLWithPath: explicit) }
        return repository.appendingPathComponent(".build/debug/vmfile")
    }

    static let tinyBox = repository.appendingPathComponent("Boxfiles/tiny/output")
    static let libvirtSocket = "/var/run/libvirt/libvirt-sock"

    /// Whether the prerequisites are present.
    static var available: Bool {
        FileManager.default.fileExists(atPath: binary.path)
            && FileManager.default.fileExists(atPath: tinyBox.appendingPathComponent("box.img").path)
            && FileManager.default.fileExists(atPath: libvirtSocket)
    }

    /// Runs the tests when required or available; a required run with missing prerequisites fails
    /// in `Sandbox.init` with a message saying what is missing.
    static var enabled: Bool { required || available }

    /// What is missing, for the failure message.
    static var missing: [String] {
        var missing: [String] = []
        if !FileManager.default.fileExists(atPath: binary.path) { missing.append("vmfile binary at \(binary.path) (run swift build)") }
        if !FileManager.default.fileExists(atPath: tinyBox.appendingPathComponent("box.img").path) {
            missing.append("tiny box at \(tinyBox.path) (run Boxfiles/tiny/build)")
        }
        if !FileManager.default.fileExists(atPath: libvirtSocket) { missing.append("libvirtd (\(libvirtSocket); run scripts/setup)") }
        return missing
    }
}

/// Output of a finished process.
struct ProcessOutput: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs `executable` with `arguments` to completion, capturing output (files avoid pipe deadlocks).
@discardableResult
func runProcess(_ executable: String, _ arguments: [String], in directory: URL? = nil,
                environment: [String: String] = [:]) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-e2e-out-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return ProcessOutput(status: process.terminationStatus,
                         stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}
