import Foundation

/// Whether a snapshot can be loaded into the domain's running QEMU process instead of reverting through
/// libvirt, which (libvirt 9) stops QEMU and starts a new one with `-loadvm` on every revert of a running
/// domain: about 2 s of a tiny guest's 2.3 s revert under TCG, where `loadvm` itself takes 0.3 s.
///
/// Only when nothing can differ from what libvirt's revert would give: the snapshot is an internal one
/// with memory (`running` or `paused`), and the domain's persistent definition now is, line for line, the
/// one the snapshot recorded (`<inactiveDomain>`), so the devices QEMU has are the ones the saved state
/// describes. Any change since (a `reload` with other CPUs, a new NIC, new metadata) takes libvirt's way.
public enum SnapshotInPlaceLoad {
    /// True when `snapshotXML` (the snapshot's XML description) can be loaded in place into a domain
    /// whose persistent definition is `inactiveDomainXML`.
    public static func allows(snapshotXML: String, inactiveDomainXML: String) -> Bool {
        guard let state = XMLText.text(of: "state", in: snapshotXML), state == "running" || state == "paused" else { return false }
        let memory = XMLText.elements("memory", in: snapshotXML).first
        guard memory?["snapshot"] == "internal" else { return false }
        let disks = XMLText.section("disks", in: snapshotXML) ?? ""
        guard !disks.contains("snapshot='external'"), !disks.contains("snapshot=\"external\"") else { return false }
        guard let recorded = XMLText.section("inactiveDomain", in: snapshotXML) else { return false }
        return normalized(recorded, root: "inactiveDomain") == normalized(inactiveDomainXML, root: "domain")
    }

    /// Whether `name` is 1–64 of `A–Z a–z 0–9 . _ -`: what QEMU's `loadvm` takes as it is (no quoting,
    /// nothing its monitor reads specially), and the character set vmfile's snapshot names are held to.
    public static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == 0x2e || byte == 0x5f || byte == 0x2d
        }
    }

    /// The definition's lines without indentation or blank lines, its root element renamed to `domain`.
    static func normalized(_ xml: String, root: String) -> [String] {
        var lines = xml.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if root != "domain", let first = lines.first, let last = lines.last {
            lines[0] = first.replacingOccurrences(of: "<\(root)", with: "<domain")
            lines[lines.count - 1] = last.replacingOccurrences(of: "</\(root)>", with: "</domain>")
        }
        return lines
    }
}
