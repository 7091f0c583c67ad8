import Foundation

/// Reads a Vmfile: YAML → validated `Vmfile` with defaults applied, or every problem at once.
public enum VmfileLoader {
    /// Loads the Vmfile at `path`; relative paths inside it resolve against its directory.
    /// - Throws: `VmfileErrors` listing every problem found (never just the first).
    public static func load(path: String) throws(VmfileErrors) -> Vmfile {
        let absolute = LoadContext.normalize(
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw VmfileErrors(diagnostics: [VmfileDiagnostic(
                path: path, line: 1, column: 1, message: "cannot read the Vmfile",
                hint: "check that \(absolute) exists and is readable")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw VmfileErrors(diagnostics: [VmfileDiagnostic(
                path: path, line: 1, column: 1, message: "the Vmfile is not UTF-8 text",
                hint: "save it as UTF-8")])
        }
        let directory = (absolute as NSString).deletingLastPathComponent
        var vmfile = try parse(yaml: text, path: path, baseDirectory: directory)
        vmfile.path = absolute
        return vmfile
    }

    /// Parses Vmfile text. `path` is used in diagnostics (and stored in the result);
    /// `baseDirectory` is where relative paths in the file resolve.
    /// - Throws: `VmfileErrors` listing every problem found.
    public static func parse(yaml: String, path: String, baseDirectory: String) throws(VmfileErrors) -> Vmfile {
        let log = DiagnosticLog(path: path)
        let base = LoadContext.normalize(
            baseDirectory.hasPrefix("/") ? baseDirectory : FileManager.default.currentDirectoryPath + "/" + baseDirectory)
        let context = LoadContext(log: log, baseDirectory: base)
        let vmfile = YAMLComposer.compose(yaml, log: log).flatMap {
            DocumentReader(context: context).read($0, path: path)
        }
        guard let vmfile, log.isEmpty else {
            var diagnostics = log.sorted()
            if diagnostics.isEmpty {
                diagnostics = [VmfileDiagnostic(path: path, line: 1, column: 1, message: "the Vmfile is not valid")]
            }
            throw VmfileErrors(diagnostics: diagnostics)
        }
        return vmfile
    }
}
