/// POSIX shell quoting for building remote command lines.
public enum ShellQuote {
    /// `value` as one single-quoted shell word that any POSIX shell reads back byte for byte.
    ///
    /// Inside single quotes nothing is special except `'` itself, which becomes `'\''` (close, escaped quote,
    /// reopen). So `$`, spaces, newlines, `;`, backslashes and non-ASCII pass through unchanged.
    public static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A command line that runs `script` as root through `sudo -n sh -c`, never prompting for a password
    /// (a guest without password-less sudo fails at once instead of hanging).
    public static func asRoot(_ script: String) -> String {
        "sudo -n sh -c " + quote(script)
    }

    /// Whether `name` is a portable environment variable name (`[A-Za-z_][A-Za-z0-9_]*`).
    public static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// `export A='1'; export B='x y'; ` for `environment`, sorted by name; empty for an empty environment.
    ///
    /// Servers usually refuse SSH `env` requests (OpenSSH's `AcceptEnv`), so vmfile prepends exports instead.
    public static func exportPrefix(_ environment: [String: String]) throws -> String {
        var prefix = ""
        for name in environment.keys.sorted() {
            guard isValidVariableName(name) else {
                throw SSHError(.invalidArgument, "environment variable name '\(name)' is not valid in a shell; "
                               + "use letters, digits and _ and don't start with a digit")
            }
            prefix += "export \(name)=\(quote(environment[name] ?? "")); "
        }
        return prefix
    }
}
