import Foundation
import HostSupport

/// Runs helper programs (qemu-img, tar) found on PATH and returns their stdout, turning a failure
/// into a `BoxError` that quotes the program's stderr.
enum Tool {
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], hint: String? = nil) throws -> Data {
        let result: HostCommandResult
        do {
            result = try HostCommand.run(tool, arguments)
        } catch {
            throw BoxError(.io, "cannot run \(tool): \(error)", hint: hint)
        }
        guard result.status == 0 else {
            throw BoxError(.io, "\(tool) \(arguments.joined(separator: " ")) failed: \(result.stderrText)", hint: hint)
        }
        return result.stdout
    }
}
