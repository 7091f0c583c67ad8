/// How vmfile names the volumes it keeps in a storage pool, and how it reads those names back: the one
/// place both directions live, for machines (Lifecycle) and builds (Builder) alike.
///
/// - a box image: `vmfile-box-<name>-<version>-<12 hex of the image's sha256>.qcow2` (the content names the
///   volume, so identical boxes share it and a re-added box never reuses a stale one);
/// - a domain's own disk: `<domain>.qcow2`, a copy-on-write overlay on a box volume (or a build's blank disk).
public enum VolumeNames {
    /// What every box volume's name starts with.
    public static let boxPrefix = "vmfile-box-"
    static let diskSuffix = ".qcow2"

    /// The volume of box `name` `version` whose image has sha256 `digest` (hex). Characters of the name
    /// other than letters, digits, `.` and `-` become `_` (a box name like `debian/bookworm64`).
    public static func box(name: String, version: String, digest: String) -> String {
        let safeName = String(name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
        return "\(boxPrefix)\(safeName)-\(version)-\(digest.prefix(12))\(diskSuffix)"
    }

    /// Whether `volume` is a box volume.
    public static func isBox(_ volume: String) -> Bool { volume.hasPrefix(boxPrefix) }

    /// The disk volume of domain `domain`.
    public static func disk(ofDomain domain: String) -> String { domain + diskSuffix }

    /// The domain whose disk `volume` is; nil for a box volume or a name vmfile does not give disks.
    public static func domain(ofDisk volume: String) -> String? {
        guard !isBox(volume), volume.hasSuffix(diskSuffix), volume.count > diskSuffix.count else { return nil }
        return String(volume.dropLast(diskSuffix.count))
    }
}
