import Foundation
import Provisioner
import Spec

/// How a shell step runs in the guest, on one SSH channel: the script goes as the channel's input into a
/// fresh owner-only temp file, which then runs with the step's arguments and environment, as root through
/// `sudo -n` when privileged; the file is removed and the script's exit status returned.
///
/// A file rather than `sh -s`: a script that reads its input (`read`, `apt-get`, `ssh`) must not eat its
/// own text, and a `#!` line (`path: setup.py`) picks the interpreter as in Vagrant.
enum StepCommand {
    /// The script's bytes: the inline text, or the `path:` file read now (so edits apply on the next run).
    static func script(of step: ProvisionStep, machine: String) throws -> Data {
        switch step.source {
        case .inline(let text):
            return Data(text.utf8)
        case .path(let path):
            do {
                return try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw LifecycleError(.invalidArgument, "machine '\(machine)': cannot read the script of provision step '\(step.name)' at \(path)",
                                     hint: "check the step's `path:` (relative to the Vmfile)", cause: error)
            }
        }
    }

    /// The command line that stores the script sent as input and runs it.
    static func commandLine(for step: ProvisionStep, script: Data) -> String {
        let hasShebang = script.starts(with: Data("#!".utf8))
        var run: [String] = []
        if step.privileged { run.append("sudo -n") }
        if !step.env.isEmpty {
            run.append("env")
            run += step.env.keys.sorted().map { ShellQuote.quote("\($0)=\(step.env[$0] ?? "")") }
        }
        run.append(hasShebang ? "\"$f\"" : "sh \"$f\"")
        run += step.args.map(ShellQuote.quote)
        // Owner-only and never through a planted file (noclobber), but the script keeps the login umask.
        let store = #"f=/tmp/vmfile-step.$$; u=$(umask); umask 077; rm -f "$f"; set -C; "#
            + #"cat > "$f" || { echo "vmfile: cannot write $f in the guest" >&2; exit 1; }; set +C; umask "$u"; "#
        let execute = (hasShebang ? #"chmod 700 "$f" && "# : "") + run.joined(separator: " ")
        return store + execute + #"; s=$?; rm -f "$f"; exit $s"#
    }
}
