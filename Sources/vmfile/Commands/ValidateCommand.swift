import ArgumentParser
import Foundation
import Spec

/// `vmfile validate`: every problem in the Vmfile, located as `file:line:col`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the Vmfile and report every problem with file:line:col.",
        discussion: "Exits 0 when the Vmfile is valid, 1 otherwise.")

    @OptionGroup var options: VmfileOptions

    @Flag(help: "Print a JSON report on stdout instead of text on stderr.")
    var json = false

    func run() throws {
        let path: String
        do {
            path = try VmfileLocator.find(
                explicit: options.file, environment: ProcessInfo.processInfo.environment,
                cwd: FileManager.default.currentDirectoryPath)
        } catch {
            let file = options.file ?? VmfileLocator.fileName
            let report = ValidationReport(valid: false, file: file, errors: [
                VmfileDiagnostic(path: file, line: 1, column: 1, message: "\(error)",
                                 hint: "run `vmfile init` to create a Vmfile, or pass --file PATH"),
            ])
            if json { print(try report.jsonText()) } else { StandardError.print("error: \(error)") }
            throw ExitCode(1)
        }
        let report = ValidationReport.validate(path: path)
        if json {
            print(try report.jsonText())
        } else {
            StandardError.print(report.humanText)
        }
        if !report.valid { throw ExitCode(1) }
    }
}
