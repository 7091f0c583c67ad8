internal import CLibvirt

/// A disk image format libvirt knows.
public struct VolumeFormat: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let qcow2 = VolumeFormat(rawValue: "qcow2")
    public static let raw = VolumeFormat(rawValue: "raw")
    public var description: String { rawValue }
}

/// Size and type facts about a volume, as libvirt reports them now.
public struct VolumeInfo: Sendable, Equatable {
    /// Virtual size the guest sees, in bytes.
    public var capacity: UInt64
    /// Bytes actually used on the host.
    public var allocation: UInt64
}

/// A storage volume in a pool. Owns its `virStorageVolPtr`, freed exactly once in `deinit`.
///
/// `@unchecked Sendable`: the pointer is immutable and libvirt objects are safe to use from several
/// threads (the connection serialises RPC; errors are thread-local and read in the failing call).
public final class StorageVolume: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// Keeps the connection open for as long as this handle lives.
    public let connection: LibvirtConnection
    /// The volume name, unique in its pool.
    public let name: String

    init(adopting pointer: OpaquePointer, connection: LibvirtConnection) {
        self.pointer = pointer
        self.connection = connection
        self.name = virStorageVolGetName(pointer).map { String(cString: $0) } ?? ""
    }

    deinit { virStorageVolFree(pointer) }

    @discardableResult
    func withPointer<T, E: Error>(_ body: (OpaquePointer) throws(E) -> T) throws(E) -> T {
        try body(pointer)
    }

    /// The volume's path on the daemon's host (e.g. `/var/lib/libvirt/images/vmfile/box.img`).
    public func path() throws(HypervisorError) -> String {
        try withPointer { volume throws(HypervisorError) in
            try Libvirt.string("Reading the path of volume \(name)") { virStorageVolGetPath(volume) }
        }
    }

    /// Capacity and allocation, read from libvirt now.
    public func info() throws(HypervisorError) -> VolumeInfo {
        try withPointer { volume throws(HypervisorError) in
            var info = virStorageVolInfo()
            try Libvirt.check("Reading the size of volume \(name)") { virStorageVolGetInfo(volume, &info) }
            return VolumeInfo(capacity: UInt64(info.capacity), allocation: UInt64(info.allocation))
        }
    }

    /// The volume's XML description.
    public func xml() throws(HypervisorError) -> String {
        try withPointer { volume throws(HypervisorError) in
            try Libvirt.string("Reading the XML of volume \(name)") { virStorageVolGetXMLDesc(volume, 0) }
        }
    }

    /// The image format libvirt detected or recorded (`qcow2`, `raw`, …).
    public func format() throws(HypervisorError) -> VolumeFormat {
        let description = try xml()
        let target = XMLText.section("target", in: description) ?? description
        guard let type = XMLText.elements("format", in: target).first?["type"] else {
            throw HypervisorError(.unexpectedData, "Volume \(name) has no <format> in its XML")
        }
        return VolumeFormat(rawValue: type)
    }

    /// The path of the backing file, if this volume is an overlay.
    public func backingPath() throws(HypervisorError) -> String? {
        guard let backing = XMLText.section("backingStore", in: try xml()) else { return nil }
        return XMLText.text(of: "path", in: backing)
    }

    /// Deletes the volume's storage. The handle is unusable afterwards.
    public func delete() throws(HypervisorError) {
        try withPointer { volume throws(HypervisorError) in
            try Libvirt.check("Deleting volume \(name)") { virStorageVolDelete(volume, 0) }
        }
    }
}
