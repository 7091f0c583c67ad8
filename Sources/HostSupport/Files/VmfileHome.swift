import Foundation

/// Where vmfile keeps host-wide state (boxes, caches) — not per-project state.
public enum VmfileHome {
    /// `$VMFILE_HOME`, else `/var/lib/vmfile` for root, else `$XDG_DATA_HOME/vmfile` or `~/.local/share/vmfile`.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["VMFILE_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        if getuid() == 0 {
            return URL(fileURLWithPath: "/var/lib/vmfile")
        }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            return URL(fileURLWithPath: data).appendingPathComponent("vmfile")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/vmfile")
    }

    /// Host-wide lock files (box imports, network creation).
    public static func locks(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        directory(environment: environment).appendingPathComponent("locks")
    }
}
