import Foundation

/// How a remote command ended: its exit code, or the signal that killed it.
public struct ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// The exit code; when killed by a signal, `128 + signal number` as a shell's `$?` reports it.
    public let code: Int32
    /// The signal name without `SIG` (`KILL`, `TERM`, …) when the command was killed, else `nil`.
    public let signal: String?

    public init(code: Int32, signal: String? = nil) {
        self.code = code
        self.signal = signal
    }

    /// A status for a command killed by `signal` (name without `SIG`).
    public static func killed(by signal: String) -> ExitStatus {
        ExitStatus(code: 128 + (signalNumbers[signal] ?? 0), signal: signal)
    }

    /// Exit code 0 and no signal.
    public var succeeded: Bool { code == 0 && signal == nil }

    public var description: String {
        if let signal { return "killed by SIG\(signal)" }
        return "exit status \(code)"
    }

    private static let signalNumbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9, "USR1": 10,
        "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
    ]
}

/// The captured result of ``SSHSession/run(_:environment:stdin:)``.
public struct CommandResult: Sendable, Hashable {
    public let status: ExitStatus
    public let stdout: Data
    public let stderr: Data

    public init(status: ExitStatus, stdout: Data, stderr: Data) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
