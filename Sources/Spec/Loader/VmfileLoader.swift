import Foundation

/// Reads a Vmfile: YAML → validated `Vmfile` with defaults applied, or every problem at once.
public enum VmfileLoader {
    /// Loads the Vmfile at `path`; relative paths inside it resolve against its directory.
    /// - Throws: `VmfileErrors` listing every problem found (never just the first).
    public static func load(path: String) throws(VmfileErrors) -> Vmfile {
        let file = try SpecFile.read(path: path, document: "Vmfile")
        var vmfile = try parse(yaml: file.text, path: path, baseDirectory: SpecFile.directory(of: file.absolutePath))
        vmfile.path = file.absolutePath
        return vmfile
    }

    /// Parses Vmfile text. `path` is used in diagnostics (and stored in the result);
    /// `baseDirectory` is where relative paths in the file resolve.
    /// - Throws: `VmfileErrors` listing every problem found.
    public static func parse(yaml: String, path: String, baseDirectory: String) throws(VmfileErrors) -> Vmfile {
        try SpecFile.parse(yaml: yaml, path: path, baseDirectory: baseDirectory, document: "Vmfile") { root, context in
            DocumentReader(context: context).read(root, path: path)
        }
    }
}
