import ArgumentParser
import Foundation
import Spec

/// `vmfile init`: write a commented starter Vmfile.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter Vmfile (one machine) to ./Vmfile.")

    @Option(help: ArgumentHelp("Box for the starter machine.", valueName: "name"))
    var box: String = StarterVmfile.defaultBox

    @Option(name: .long, help: ArgumentHelp("Where to write the Vmfile.", valueName: "path"))
    var file: String = VmfileLocator.fileName

    func validate() throws {
        if box.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--box needs a box name, e.g. --box tiny")
        }
    }

    func run() throws {
        let path = VmfileLocator.resolve(file, cwd: FileManager.default.currentDirectoryPath)
        if FileManager.default.fileExists(atPath: path) {
            StandardError.print("error: \(path) already exists; not overwriting it."
                + " Edit it, or remove it first to start over.")
            throw ExitCode(1)
        }
        let text = StarterVmfile.text(box: box)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            StandardError.print("error: cannot write \(path); check that its directory exists and is writable.")
            throw ExitCode(1)
        }
        StandardError.print("Wrote \(path) (machine `default`, box `\(box)`). Next: vmfile validate, vmfile up.")
    }
}
