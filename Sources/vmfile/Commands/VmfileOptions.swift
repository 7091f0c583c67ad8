import ArgumentParser
import Foundation
import Spec

/// `--file`, shared by every command that reads a Vmfile.
struct VmfileOptions: ParsableArguments {
    // Long only: `-f` means --force for halt and destroy, as in Vagrant.
    @Option(name: .long, help: ArgumentHelp(
        "Path of the Vmfile (default: $VMFILE, else ./Vmfile or the nearest parent's).", valueName: "path"))
    var file: String?

    /// The Vmfile to use, or exit 1 with where the search looked.
    func locate() throws -> String {
        do {
            return try VmfileLocator.find(
                explicit: file, environment: ProcessInfo.processInfo.environment,
                cwd: FileManager.default.currentDirectoryPath)
        } catch {
            StandardError.print("error: \(error)")
            throw ExitCode(1)
        }
    }
}

/// Human output goes to stderr (DESIGN.md); stdout is for machine-readable output.
enum StandardError {
    static func print(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
