import Foundation
import Spec

/// How a shell step runs in the guest, on one SSH channel, as root through `sudo -n` when privileged, with
/// its arguments and environment quoted exactly.
///
/// A plain script (no `#!` line, at most 64 KiB of text) goes in the command line as `sh -c SCRIPT sh ARGS`:
/// no file, no extra process. A script with a `#!` line (`path: setup.py`) or a bigger one is sent as the
/// channel's input into a fresh owner-only temp file, which runs and is then removed. Either way the
/// script's own input is empty: it never reads its own text.
public enum StepCommand {
    /// What the channel runs and the bytes it gets as input.
    public struct Invocation: Equatable, Sendable {
        public var command: String
        public var stdin: Data
    }

    /// Scripts up to this size travel in the command line (Linux takes 128 KiB per argument).
    public static let inlineLimit = 64 * 1024

    /// The script's bytes: the inline text, or the `path:` file read now (so edits apply on the next run).
    /// `subject` names what the step runs on in the error (`machine 'web'`).
    public static func script(of step: ProvisionStep, subject: String) throws -> Data {
        switch step.source {
        case .inline(let text):
            return Data(text.utf8)
        case .path(let path):
            do {
                return try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ProvisionError(.invalidArgument, "\(subject): cannot read the script of provision step '\(step.name)' at \(path)",
                                     hint: "check the step's `path:` (relative to the file that declares it)", cause: error)
            }
        }
    }

    /// The command and input that run `step`'s `script`.
    public static func invocation(for step: ProvisionStep, script: Data) -> Invocation {
        var prefix: [String] = []
        if step.privileged { prefix.append("sudo -n") }
        if !step.env.isEmpty {
            prefix.append("env")
            prefix += step.env.keys.sorted().map { ShellQuote.quote("\($0)=\(step.env[$0] ?? "")") }
        }
        let args = step.args.map(ShellQuote.quote)
        let hasShebang = script.starts(with: Data("#!".utf8))
        if !hasShebang, script.count <= inlineLimit, !script.contains(0), let text = String(data: script, encoding: .utf8) {
            // `read` (a builtin) waits for the one input line, so no output can come before the input was sent.
            let run = prefix + ["sh", "-c", ShellQuote.quote(text), "sh"] + args
            return Invocation(command: "read -r _; exec " + run.joined(separator: " "), stdin: Data("\n".utf8))
        }
        let run = prefix + [hasShebang ? "\"$f\"" : "sh \"$f\""] + args
        // Owner-only and never through a planted file (noclobber), but the script keeps the login umask.
        let store = #"f=/tmp/vmfile-step.$$; u=$(umask); umask 077; rm -f "$f"; set -C; "#
            + #"cat > "$f" || { echo "vmfile: cannot write $f in the guest" >&2; exit 1; }; set +C; umask "$u"; "#
        let execute = (hasShebang ? #"chmod 700 "$f" && "# : "") + run.joined(separator: " ")
        return Invocation(command: store + execute + #"; s=$?; rm -f "$f"; exit $s"#, stdin: script)
    }
}
