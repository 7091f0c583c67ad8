/// Reads a Boxfile: YAML → validated `Boxfile` with defaults applied, or every problem at once
/// (the same diagnostics, located at file:line:col, as a Vmfile's).
public enum BoxfileLoader {
    /// Loads the Boxfile at `path`; relative paths inside it resolve against its directory.
    /// - Throws: `VmfileErrors` listing every problem found (never just the first).
    public static func load(path: String) throws(VmfileErrors) -> Boxfile {
        let file = try SpecFile.read(path: path, document: "Boxfile")
        var boxfile = try parse(yaml: file.text, path: path, baseDirectory: SpecFile.directory(of: file.absolutePath))
        boxfile.path = file.absolutePath
        return boxfile
    }

    /// Parses Boxfile text. `path` is used in diagnostics (and stored in the result);
    /// `baseDirectory` is where relative paths in the file resolve.
    /// - Throws: `VmfileErrors` listing every problem found.
    public static func parse(yaml: String, path: String, baseDirectory: String) throws(VmfileErrors) -> Boxfile {
        try SpecFile.parse(yaml: yaml, path: path, baseDirectory: baseDirectory, document: "Boxfile") { root, context in
            BoxfileReader(context: context).read(root, path: path)
        }
    }
}
