import Foundation

/// Finds the Vmfile a command works on, the way Vagrant finds its Vagrantfile.
public enum VmfileLocator {
    /// The environment variable naming a Vmfile when `--file` is not given.
    public static let environmentVariable = "VMFILE"
    /// The file name searched for in the working directory and its parents.
    public static let fileName = "Vmfile"

    /// Why no Vmfile was found.
    public struct NotFound: Error, Sendable, CustomStringConvertible {
        /// Where the locator looked, in order.
        public var searched: [String]
        /// How the path was chosen: `--file`, `$VMFILE`, or `search` (the directory walk).
        public var source: String

        public var description: String {
            if source != "search" {
                return "no Vmfile at \(searched.first ?? "?") (named by \(source))"
            }
            return "no Vmfile found in \(searched.first ?? ".") or any parent directory"
                + " (looked in: \(searched.joined(separator: ", ")));"
                + " run `vmfile init` to create one, or pass --file PATH or set $\(environmentVariable)"
        }
    }

    /// The absolute path of the Vmfile to use: `explicit` (`--file`), else `$VMFILE`, else `Vmfile` in
    /// `cwd` or its nearest parent directory. Relative paths resolve against `cwd`.
    /// - Throws: `NotFound` naming every place it looked.
    public static func find(explicit: String?, environment: [String: String], cwd: String) throws -> String {
        if let explicit, !explicit.isEmpty {
            return try existing(resolve(explicit, cwd: cwd), source: "--file")
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return try existing(resolve(fromEnvironment, cwd: cwd), source: "$\(environmentVariable)")
        }
        var directory = LoadContext.normalize(cwd)
        var searched: [String] = []
        while true {
            let candidate = directory == "/" ? "/\(fileName)" : "\(directory)/\(fileName)"
            searched.append(directory)
            if isFile(candidate) { return candidate }
            if directory == "/" { break }
            directory = (directory as NSString).deletingLastPathComponent
            if directory.isEmpty { directory = "/" }
        }
        throw NotFound(searched: searched, source: "search")
    }

    /// `path` made absolute against `cwd`, with `.`/`..` removed.
    public static func resolve(_ path: String, cwd: String) -> String {
        LoadContext.normalize(path.hasPrefix("/") ? path : cwd + "/" + path)
    }

    private static func existing(_ path: String, source: String) throws -> String {
        guard isFile(path) else { throw NotFound(searched: [path], source: source) }
        return path
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
