import ArgumentParser
import Boxes
import Builder
import Foundation
import HostSupport
import Provisioner

/// `vmfile build [PATH]`: turn an installer ISO into a vagrant-libvirt `.box`, as a Boxfile says.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a box from an installer ISO, as a Boxfile describes (boot command, answer files, SSH, provision, .box).",
        discussion: """
            PATH is a Boxfile or a directory holding `Boxfile` or `Boxfile.yaml` (default: the current directory).
            The box goes to <output.directory>/<name-with-/-as-->-<version>.box with a .sha256 next to it.
            Everything the build makes in libvirt (domain, volumes, network vmfile-build-<id>) is removed at the end;
            --on-error=abort keeps a failed build's machine for a look, and the next build of the Boxfile removes it.
            """)

    enum OnError: String, ExpressibleByArgument, CaseIterable {
        case cleanup, abort
    }

    @Argument(help: "A Boxfile, or a directory holding one (default: .).")
    var path: String?

    @Option(name: .customLong("var"), help: ArgumentHelp("Set a Boxfile variable (repeatable).", valueName: "name=value"))
    var variables: [String] = []

    @Flag(help: "Add the built box to the box store.")
    var add = false

    @Flag(help: "Overwrite an existing output .box (and an installed box version with --add).")
    var force = false

    @Option(name: .customLong("on-error"), help: "cleanup (default): remove everything; abort: keep the failed build's machine for inspection.")
    var onError: OnError = .cleanup

    @Option(help: "Directory for the .box (default: the Boxfile's output.directory).")
    var output: String?

    @OptionGroup var connection: ConnectOptions

    func validate() throws {
        for variable in variables where !variable.contains("=") || variable.hasPrefix("=") {
            throw ValidationError("--var \(variable): write --var name=value")
        }
    }

    func run() throws {
        let result = try reportingErrors {
            let boxfile = try BuildOptions.locateBoxfile(path)
            let options = BuildOptions(boxfilePath: boxfile, variables: variables, add: add, force: force,
                                       keepOnError: onError == .abort, outputDirectory: output, connect: connection.uri)
            return try BoxBuilder(options: options, reporter: BuildStderrReporter()).run()
        }
        let summary = result.timings.map { "\($0.name) \(BuildStderrReporter.seconds($0.duration))" }.joined(separator: ", ")
        StandardError.print("==> build: \(summary)")
        StandardError.print("==> built \(result.box) (\(ByteCount.text(result.size)))\(result.added ? ", added to the box store" : "")")
    }
}

/// Build phases as `==> build: message (1.23 s)` on stderr; provision output passes through.
struct BuildStderrReporter: BuildReporter {
    let guestOutput = GuestOutputPrinter()
    let downloads = Progress.renderer()

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    func phase(_ message: String, elapsed: Duration) {
        StandardError.print("==> build: \(message) (\(Self.seconds(elapsed)))")
    }

    func notice(_ message: String) {
        StandardError.print("==> build: \(message)")
    }

    func output(_ stream: GuestStream, _ bytes: Data) {
        guestOutput.deliver("build", stream, bytes)
    }

    func outputFinished() {
        guestOutput.finish("build")
    }

    func progress(_ progress: DownloadProgress) {
        downloads.report(progress)
    }
}
