import Foundation
import Yams

/// The steps every YAML file of vmfile (Vmfile, Boxfile) is loaded with: read the file as UTF-8, compose
/// it into Yams nodes, hand the root to a document reader, and throw every diagnostic at once.
enum SpecFile {
    /// The text of the file at `path` and its absolute, normalized path.
    /// - Throws: `VmfileErrors` with one diagnostic when the file cannot be read or is not UTF-8.
    static func read(path: String, document: String) throws(VmfileErrors) -> (text: String, absolutePath: String) {
        let absolute = absolute(path)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw VmfileErrors(diagnostics: [VmfileDiagnostic(
                path: path, line: 1, column: 1, message: "cannot read the \(document)",
                hint: "check that \(absolute) exists and is readable")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw VmfileErrors(diagnostics: [VmfileDiagnostic(
                path: path, line: 1, column: 1, message: "the \(document) is not UTF-8 text",
                hint: "save it as UTF-8")])
        }
        return (text, absolute)
    }

    /// Parses `yaml` with `read`, which gets the root node and the load's context and returns the model
    /// (or nil after logging why). `path` is used in diagnostics; relative paths resolve against `baseDirectory`.
    /// - Throws: `VmfileErrors` listing every problem found, in file order.
    static func parse<Model>(yaml: String, path: String, baseDirectory: String, document: String,
                             read: (Node, LoadContext) -> Model?) throws(VmfileErrors) -> Model {
        let log = DiagnosticLog(path: path, document: document)
        let context = LoadContext(log: log, baseDirectory: absolute(baseDirectory))
        let model = YAMLComposer.compose(yaml, log: log).flatMap { read($0, context) }
        guard let model, log.isEmpty else {
            var diagnostics = log.sorted()
            if diagnostics.isEmpty {
                diagnostics = [VmfileDiagnostic(path: path, line: 1, column: 1, message: "the \(document) is not valid")]
            }
            throw VmfileErrors(diagnostics: diagnostics)
        }
        return model
    }

    /// `path` made absolute against the current directory and normalized.
    static func absolute(_ path: String) -> String {
        LoadContext.normalize(path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
    }

    /// The directory holding `absolutePath`.
    static func directory(of absolutePath: String) -> String {
        (absolutePath as NSString).deletingLastPathComponent
    }
}
