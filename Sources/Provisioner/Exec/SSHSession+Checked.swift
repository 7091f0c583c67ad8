import Foundation

extension SSHSession {
    /// Like ``run(_:environment:stdin:)``, but a non-zero exit throws ``SSHError/Code/commandFailed`` whose
    /// message names the command, the machine, the status and the end of its stderr.
    @discardableResult
    public func runChecked(
        _ command: String, environment: [String: String] = [:], stdin: Data? = nil
    ) throws -> CommandResult {
        let result = try run(command, environment: environment, stdin: stdin)
        guard result.status.succeeded else {
            let shown = command.count > 80 ? command.prefix(77) + "..." : Substring(command)
            let stderr = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            let tail = stderr.count > 2000 ? "..." + stderr.suffix(2000) : Substring(stderr)
            throw SSHError(
                .commandFailed,
                "`\(shown)` failed on \(configuration.subject) (\(result.status))" + (tail.isEmpty ? "" : ": \(tail)"),
                host: configuration.host, port: configuration.port
            )
        }
        return result
    }
}
