import ArgumentParser
import Spec

/// `vmfile config`: the resolved configuration, every default applied.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the resolved Vmfile configuration with all defaults applied.")

    @OptionGroup var options: VmfileOptions

    @Flag(help: "Print JSON (sorted keys) instead of YAML.")
    var json = false

    func run() throws {
        let path = try options.locate()
        let vmfile: Vmfile
        do {
            vmfile = try VmfileLoader.load(path: path)
        } catch {
            StandardError.print(error.description)
            throw ExitCode(1)
        }
        print(json ? try ConfigRenderer.json(vmfile) : try ConfigRenderer.yaml(vmfile), terminator: json ? "\n" : "")
    }
}
