/// The commented Vmfile `vmfile init` writes: one machine, every main key shown.
public enum StarterVmfile {
    /// The default box for `vmfile init`.
    public static let defaultBox = "tiny"

    /// Starter text using `box`; it validates as written.
    public static func text(box: String = defaultBox, machine: String = "default") -> String {
        let quotedBox = box.contains(where: { ":#{}[],&*!|>'\"%@`".contains($0) }) || box.hasPrefix(" ")
            ? "\"\(box.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
            : box
        return """
        # Vmfile — the machines of this project. `vmfile up` starts them, `vmfile validate` checks this file.
        # Sizes take binary units (512MiB, 2GiB, 1G); paths are relative to this file.
        version: 1

        # Keys under `defaults:` apply to every machine; a machine's own keys win
        # (mappings such as `ssh:` merge key by key, lists replace).
        # defaults:
        #   memory: 1GiB

        # Private networks the machines can join (`private: NAME` below).
        # networks:
        #   lab:
        #     cidr: 192.168.56.0/24   # the host is .1
        #     dhcp: true
        #     mode: isolated          # or nat

        machines:
          \(machine):
            box: \(quotedBox)
            # box_version: ">= 1.0"
            cpus: 1
            memory: 512MiB
            # disk: 20GiB
            # hostname: \(machine)
            # forwarded_ports:
            #   - guest: 80
            #     host: 8080
            # networks:
            #   - private: lab
            #     ip: 192.168.56.10
            # synced_folders:             # this directory is at /vagrant (rsync) unless an entry says otherwise
            #   - host: .
            #     guest: /vagrant
            #     type: virtiofs          # rsync (default) | virtiofs | 9p; `disabled: true` drops it
            # provision:
            #   - name: hello
            #     shell: echo hello from $(hostname)
            #     run: once               # or always, never

        """
    }
}
