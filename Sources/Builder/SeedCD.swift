import Foundation
import HostSupport
import Spec

/// The Boxfile's `cd:` as an ISO 9660 image (Joliet + Rock Ridge) made with xorriso, or genisoimage where
/// xorriso is missing: `files` copied to its root, `content` written there with templates expanded.
enum SeedCD {
    /// Writes the image to `output`, staging its files in `staging` (made, then removed).
    static func make(_ cd: CDFiles, values: TemplateValues, staging: String, output: String) throws {
        let fileManager = FileManager.default
        try? fileManager.removeItem(atPath: staging)
        try fileManager.createDirectory(atPath: staging, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(atPath: staging) }
        for file in cd.files {
            let target = staging + "/" + URL(fileURLWithPath: file).lastPathComponent
            do {
                try fileManager.copyItem(atPath: file, toPath: target)
            } catch {
                throw BuilderError(.invalidBoxfile, "cd.files: cannot copy \(file) onto the CD: \(error.localizedDescription)", cause: error)
            }
        }
        for (name, template) in cd.content {
            let target = URL(fileURLWithPath: staging + "/" + name)
            try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(template.expand(values).utf8).write(to: target)
        }
        let arguments = ["-V", cd.label, "-J", "-r", "-o", output, staging]
        var result: HostCommandResult
        do {
            result = try HostCommand.run("xorriso", ["-as", "mkisofs", "-quiet"] + arguments)
        } catch where error.isMissing {
            do {
                result = try HostCommand.run("genisoimage", ["-quiet"] + arguments)
            } catch {
                throw BuilderError(.unsupported, "cd: needs xorriso or genisoimage to make the CD", hint: "apt-get install xorriso")
            }
        } catch {
            throw BuilderError(.output, "cannot run xorriso: \(error)")
        }
        guard result.status == 0 else {
            throw BuilderError(.output, "making the cd: image failed: \(result.stderrText)")
        }
    }
}
