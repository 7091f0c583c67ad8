import Foundation
import HostSupport
import Hypervisor
import Spec

/// The deterministic identity of one Boxfile's build: libvirt names derived from the Boxfile's path, so a
/// rerun after a crash or `kill -9` finds (and removes) what the killed run left. Pure.
public struct BuildPlan: Sendable, Equatable {
    /// 8 hex digits of the Boxfile's absolute path.
    public let id: String
    /// `vmfile-build-<id>`: the domain and the network.
    public let name: String
    /// The build network's Linux bridge (at most 15 bytes).
    public let bridge: String
    /// The build machine's NIC MAC (`52:54:00:` + 3 bytes of the id).
    public let mac: String
    /// The pool volume holding the installer ISO.
    public let isoVolume: String
    /// The pool volume holding the Boxfile's `cd:` image.
    public let cdVolume: String
    /// The pool volume the installer installs onto.
    public let diskVolume: String
    /// The output `.box` file name: `<name with / as ->-<version>.box`.
    public let boxFileName: String

    public init(boxfile: Boxfile) {
        let hash = StableHash.fnv1a(boxfile.path)
        id = String(StableHash.hex(hash, digits: 16).prefix(8))
        name = "vmfile-build-\(id)"
        bridge = "vmfb-\(id)"
        let bytes = (0..<3).map { String(format: "%02x", Int((hash >> (8 * UInt64($0))) & 0xff)) }
        mac = "52:54:00:" + bytes.joined(separator: ":")
        isoVolume = "\(name)-installer.iso"
        diskVolume = VolumeNames.disk(ofDomain: name)
        cdVolume = "\(name)-cd.iso"
        boxFileName = Self.boxFileName(name: boxfile.box.name, version: boxfile.box.version.description)
    }

    /// `debian/bookworm64` 1.2.0 → `debian-bookworm64-1.2.0.box`.
    public static func boxFileName(name: String, version: String) -> String {
        name.replacingOccurrences(of: "/", with: "-") + "-" + version + ".box"
    }

    /// Subnets the build network may take, in order: 172.30.200.0/24 … 172.30.254.0/24 (the management
    /// network takes 192.168.123+).
    public static let subnetCandidates: [String] = (200...254).map { "172.30.\($0).0/24" }

    /// vmfile metadata on the build domain: the leak auditor sees it as vmfile's and knows its network.
    public func metadata(boxfile: Boxfile) -> [String: String] {
        ["project": boxfile.path, "machine": "build", "box": boxfile.box.name,
         "boxVersion": boxfile.box.version.description, "role": "build", "networks": name]
    }

    /// The build machine's domain: the installer ISO as CD-ROM while `installing`, disk first then CD (an
    /// empty disk falls through to the CD; the installed disk boots itself), and a guest reboot powers it
    /// off while installing, which is how the build sees the installer finish — unless the Boxfile says
    /// `ssh.wait_for_reboot: false`: then the guest reboots as it likes and SSH is tried from power-on.
    public func domainSpec(boxfile: Boxfile, accelerator: Accelerator, diskPath: String, isoPath: String?,
                           consoleLog: String, emulator: String?, installing: Bool,
                           seedCD: String? = nil) throws(HypervisorError) -> DomainSpec {
        var spec = try DomainSpec(
            name: name, uuid: DomainUUID.named(name), memoryMiB: boxfile.memoryMiB, cpus: boxfile.cpus,
            accelerator: accelerator, diskPath: diskPath, diskCache: .unsafe,
            nics: [NICSpec(network: name, mac: mac)], serialLogPath: consoleLog, metadata: metadata(boxfile: boxfile))
        spec.cdromPath = installing ? isoPath : nil
        spec.additionalCDROMs = installing ? (seedCD.map { [$0] } ?? []) : []
        spec.bootFromCDROM = false
        spec.onReboot = installing && boxfile.ssh.waitForReboot ? .destroy : .restart
        spec.emulator = emulator
        return spec
    }
}
