import Boxes
import Foundation
import Provisioner

/// What `vmfile build` was asked to do.
public struct BuildOptions: Sendable {
    /// The Boxfile (absolute or relative to the working directory).
    public var boxfilePath: String
    /// `--var name=value` arguments as given.
    public var variables: [String]
    /// Add the built box to the box store.
    public var add: Bool
    /// Overwrite an existing output `.box` (and replace an installed box version with `add`).
    public var force: Bool
    /// Keep the failed build's machine, volumes and network for inspection (`--on-error=abort`).
    public var keepOnError: Bool
    /// `--output DIR`, overriding the Boxfile's `output.directory`.
    public var outputDirectory: String?
    /// `--connect URI`.
    public var connect: String?
    public var environment: [String: String]

    public init(boxfilePath: String, variables: [String] = [], add: Bool = false, force: Bool = false, keepOnError: Bool = false,
                outputDirectory: String? = nil, connect: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.boxfilePath = boxfilePath
        self.variables = variables
        self.add = add
        self.force = force
        self.keepOnError = keepOnError
        self.outputDirectory = outputDirectory
        self.connect = connect
        self.environment = environment
    }

    /// The Boxfile `path` names: the file itself, or `Boxfile` / `Boxfile.yaml` in a directory (nil:
    /// the working directory).
    /// - Throws: `BuilderError(.invalidBoxfile)` when there is none.
    public static func locateBoxfile(_ path: String?, workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> String {
        let given = URL(fileURLWithPath: path ?? ".", relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true)).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: given, isDirectory: &isDirectory) else {
            throw BuilderError(.invalidBoxfile, "no Boxfile at \(given)", hint: "give the Boxfile's path, or a directory holding `Boxfile` or `Boxfile.yaml`")
        }
        guard isDirectory.boolValue else { return given }
        for name in ["Boxfile", "Boxfile.yaml", "Boxfile.yml"] {
            let candidate = given + "/" + name
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        throw BuilderError(.invalidBoxfile, "\(given) holds no Boxfile (looked for Boxfile, Boxfile.yaml, Boxfile.yml)",
                           hint: "run `vmfile build PATH/TO/Boxfile`")
    }
}

/// Who hears about a build: one line per phase with its duration, notices, and the provision steps' output.
public protocol BuildReporter: Sendable {
    /// A phase finished, taking `elapsed`.
    func phase(_ message: String, elapsed: Duration)
    /// A line that is not a timed phase (a warning, where to find a kept machine).
    func notice(_ message: String)
    /// A chunk of a provision step's output.
    func output(_ stream: GuestStream, _ bytes: Data)
    /// The running provision step ended.
    func outputFinished()
    /// How an ISO download goes.
    func progress(_ progress: DownloadProgress)
}

extension BuildReporter {
    public func progress(_ progress: DownloadProgress) {}
}

/// What a finished build made.
public struct BuildResult: Sendable {
    /// The `.box` file.
    public var box: String
    /// Its sha256 (also in `<box>.sha256`).
    public var sha256: String
    /// Its size in bytes.
    public var size: UInt64
    /// Whether it was added to the box store.
    public var added: Bool
    /// Named durations of the build's parts, in order (`boot-to-prompt`, `typing`, `install`, …, `total`).
    public var timings: [(name: String, duration: Duration)]
}
