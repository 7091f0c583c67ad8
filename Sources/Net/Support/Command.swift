import Foundation
import HostSupport

/// A finished host tool (`nft`, `ovs-vsctl`): exit status and its output as text.
public typealias CommandResult = CommandOutput

/// Runs the host tools Net needs through HostSupport's `HostCommand` (clean signal mask, both
/// outputs drained together), turning a program that cannot start into a `NetError` with a hint.
public enum Command {
    /// Runs `executable` (searched on PATH) to completion with `stdin`; `missingHint` says how to
    /// install it when it cannot start.
    public static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                           missingHint: String = "install it (Debian: apt-get install nftables)") throws -> CommandResult {
        do {
            return try HostCommand.run(executable, arguments, stdin: stdin.map { Data($0.utf8) }).text
        } catch {
            throw NetError(.unavailable, "\(error)", hint: missingHint, cause: error)
        }
    }
}
