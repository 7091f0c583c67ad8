/// How a command ended, with its output as text: what host tools (Net's `nft`, `ovs-vsctl`), guest
/// commands (`GuestCommandResult`) and rsync runs report to code that reads their answers.
public struct CommandOutput: Sendable, Equatable {
    /// Exit status; `128 + n` when killed by signal `n`.
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

extension HostCommandResult {
    /// The same result with its output decoded as UTF-8 (stderr untrimmed).
    public var text: CommandOutput {
        CommandOutput(status: status, stdout: stdoutText, stderr: String(decoding: stderr, as: UTF8.self))
    }
}
