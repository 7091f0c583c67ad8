internal import CLibvirt
import Foundation

/// A libvirt storage pool. Owns its `virStoragePoolPtr`, freed exactly once in `deinit`.
///
/// `@unchecked Sendable`: immutable pointer; libvirt objects are thread-safe and errors are read in the
/// failing call (see `LibvirtConnection`).
public final class StoragePool: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// Keeps the connection open for as long as this handle lives.
    public let connection: LibvirtConnection
    /// The pool name.
    public let name: String

    /// The name of the pool vmfile keeps boxes and machine disks in.
    public static let defaultName = "vmfile"
    /// Where the vmfile pool lives for a system daemon.
    public static let systemPath = "/var/lib/libvirt/images/vmfile"

    /// Where the vmfile pool lives for a session daemon of the user with home `home`.
    public static func sessionPath(home: String) -> String { home + "/.local/share/vmfile/pool" }

    init(adopting pointer: OpaquePointer, connection: LibvirtConnection) {
        self.pointer = pointer
        self.connection = connection
        self.name = virStoragePoolGetName(pointer).map { String(cString: $0) } ?? ""
    }

    deinit { virStoragePoolFree(pointer) }

    @discardableResult
    func withPointer<T, E: Error>(_ body: (OpaquePointer) throws(E) -> T) throws(E) -> T {
        try body(pointer)
    }

    /// The pool's directory on the daemon's host.
    public func targetPath() throws(HypervisorError) -> String {
        let xml = try withPointer { pool throws(HypervisorError) in
            try Libvirt.string("Reading the XML of storage pool \(name)") { virStoragePoolGetXMLDesc(pool, 0) }
        }
        guard let target = XMLText.section("target", in: xml), let path = XMLText.text(of: "path", in: target) else {
            throw HypervisorError(.unexpectedData, "Storage pool \(name) has no <target><path> in its XML")
        }
        return path
    }

    /// True when the pool is running.
    public func isActive() throws(HypervisorError) -> Bool {
        try withPointer { pool throws(HypervisorError) in
            try Libvirt.check("Checking whether storage pool \(name) is active") { virStoragePoolIsActive(pool) } == 1
        }
    }

    /// Stops the pool, removes its (empty) directory and its definition. Volumes must be deleted first.
    public func delete() throws(HypervisorError) {
        try withPointer { pool throws(HypervisorError) in
            if virStoragePoolIsActive(pool) == 1 {
                try Libvirt.check("Stopping storage pool \(name)") { virStoragePoolDestroy(pool) }
            }
            if virStoragePoolDelete(pool, 0) < 0 { _ = Libvirt.lastError("ignored: directory already gone or not empty") }
            if virStoragePoolIsPersistent(pool) == 1 {
                try Libvirt.check("Undefining storage pool \(name)") { virStoragePoolUndefine(pool) }
            }
        }
    }

    /// Rescans the pool directory so files created outside libvirt show up as volumes.
    ///
    /// libvirt refuses a refresh while any volume of the pool is being built ("has asynchronous jobs
    /// running"), which another vmfile creating a disk in the same pool causes at any moment; such a
    /// refusal is waited out (up to `patience` seconds), not reported.
    /// - Returns: how many such refusals were waited out before the refresh went through.
    @discardableResult
    public func refresh(patience: TimeInterval = 120) throws(HypervisorError) -> Int {
        let deadline = Date().addingTimeInterval(patience)
        var refusals = 0
        while true {
            do {
                try withPointer { pool throws(HypervisorError) in
                    try Libvirt.check("Refreshing storage pool \(name)") { virStoragePoolRefresh(pool, 0) }
                }
                return refusals
            } catch where Self.isBusyWithAnotherBuild(error) && Date() < deadline {
                refusals += 1
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// True for libvirt's refusal to refresh or stop a pool while a volume build is in flight.
    static func isBusyWithAnotherBuild(_ error: HypervisorError) -> Bool {
        error.libvirtMessage?.contains("asynchronous jobs running") == true
    }

    /// The volume called `name`.
    /// - Throws: `HypervisorError` with code `.noStorageVolume` when it does not exist.
    public func volume(named volumeName: String) throws(HypervisorError) -> StorageVolume {
        try withPointer { pool throws(HypervisorError) in
            let volume = try Libvirt.pointer("Looking up volume \(volumeName) in storage pool \(name)") {
                virStorageVolLookupByName(pool, volumeName)
            }
            return StorageVolume(adopting: volume, connection: connection)
        }
    }

    /// The volume called `name`, or nil when there is none.
    public func volumeIfPresent(named volumeName: String) throws(HypervisorError) -> StorageVolume? {
        do { return try volume(named: volumeName) } catch where error.isNotFound { return nil }
    }

    /// All volumes in the pool, except vmfile's in-progress import temporaries.
    public func listVolumes() throws(HypervisorError) -> [StorageVolume] {
        try withPointer { pool throws(HypervisorError) in
            var list: UnsafeMutablePointer<OpaquePointer?>?
            let count = try Libvirt.check("Listing volumes of storage pool \(name)") {
                virStoragePoolListAllVolumes(pool, &list, 0)
            }
            defer { free(list) }
            var volumes: [StorageVolume] = []
            for index in 0..<Int(count) {
                guard let raw = list?[index] else { continue }
                let volume = StorageVolume(adopting: raw, connection: connection)
                if !volume.name.hasPrefix(Self.temporaryPrefix) { volumes.append(volume) }
            }
            return volumes
        }
    }

    /// Deletes the volume called `name`; does nothing when it does not exist.
    public func deleteVolume(named volumeName: String) throws(HypervisorError) {
        guard let volume = try volumeIfPresent(named: volumeName) else { return }
        do { try volume.delete() } catch where error.isNotFound { return }
    }

    /// Creates a volume from libvirt volume XML.
    public func createVolume(xml: String) throws(HypervisorError) -> StorageVolume {
        try withPointer { pool throws(HypervisorError) in
            let volume = try Libvirt.pointer("Creating a volume in storage pool \(name)") {
                virStorageVolCreateXML(pool, xml, 0)
            }
            return StorageVolume(adopting: volume, connection: connection)
        }
    }

    /// Creates a qcow2 overlay whose backing store is `backing`: a copy-on-write clone in O(1).
    ///
    /// The overlay's virtual size is `virtualSize`, raised to the backing volume's capacity if smaller
    /// (a guest disk never shrinks under its box).
    public func createOverlay(name volumeName: String, backing: StorageVolume, virtualSize: UInt64? = nil) throws(HypervisorError) -> StorageVolume {
        let backingPath = try backing.path()
        let backingFormat = try backing.format()
        let capacity = max(virtualSize ?? 0, try backing.info().capacity)
        let xml = Self.overlayXML(name: volumeName, capacity: capacity, backingPath: backingPath, backingFormat: backingFormat)
        return try createVolume(xml: xml)
    }

    /// Volume XML for a qcow2 overlay on `backingPath`. Pure.
    public static func overlayXML(name: String, capacity: UInt64, backingPath: String, backingFormat: VolumeFormat) -> String {
        """
        <volume>
          <name>\(XMLText.escape(name))</name>
          <capacity unit='bytes'>\(capacity)</capacity>
          <target><format type='qcow2'/></target>
          <backingStore>
            <path>\(XMLText.escape(backingPath))</path>
            <format type='\(XMLText.escape(backingFormat.rawValue))'/>
          </backingStore>
        </volume>
        """
    }

    /// Volume XML for an empty volume of `capacity` bytes. Pure.
    public static func emptyVolumeXML(name: String, capacity: UInt64, format: VolumeFormat) -> String {
        """
        <volume>
          <name>\(XMLText.escape(name))</name>
          <capacity unit='bytes'>\(capacity)</capacity>
          <allocation unit='bytes'>0</allocation>
          <target><format type='\(XMLText.escape(format.rawValue))'/></target>
        </volume>
        """
    }

    /// Prefix of the temporary files a local import writes before publishing the volume.
    static let temporaryPrefix = ".vmfile-import-"
}

extension LibvirtConnection {
    /// The pool directory vmfile uses on this connection: the system path, or the session path in the
    /// current user's home.
    public func defaultPoolPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if uriInfo.isSession {
            let home = environment["HOME"] ?? NSHomeDirectory()
            return StoragePool.sessionPath(home: home)
        }
        return StoragePool.systemPath
    }

    /// The storage pool called `name`.
    /// - Throws: `.noStoragePool` when it does not exist.
    public func storagePool(named name: String) throws(HypervisorError) -> StoragePool {
        try withPointer { connection throws(HypervisorError) in
            let pool = try Libvirt.pointer("Looking up storage pool \(name) on \(uri)") { virStoragePoolLookupByName(connection, name) }
            return StoragePool(adopting: pool, connection: self)
        }
    }

    /// Returns the directory pool `name`, defining, building and starting it when needed.
    ///
    /// Idempotent and safe against a concurrent creator: "already exists" / "already active" answers
    /// lead to a fresh lookup instead of an error.
    public func ensureStoragePool(named name: String = StoragePool.defaultName, path: String? = nil) throws(HypervisorError) -> StoragePool {
        let pool: StoragePool
        do {
            pool = try storagePool(named: name)
        } catch where error.isNotFound {
            let directory = path ?? defaultPoolPath()
            let xml = """
                <pool type='dir'>
                  <name>\(XMLText.escape(name))</name>
                  <target><path>\(XMLText.escape(directory))</path></target>
                </pool>
                """
            do {
                pool = try withPointer { connection throws(HypervisorError) in
                    let raw = try Libvirt.pointer("Defining storage pool \(name) at \(directory)") {
                        virStoragePoolDefineXML(connection, xml, 0)
                    }
                    return StoragePool(adopting: raw, connection: self)
                }
            } catch {
                // A concurrent creator may have won; use its pool if it is there now.
                guard let existing = try? storagePool(named: name) else { throw error }
                pool = existing
            }
            try pool.withPointer { raw throws(HypervisorError) in
                // Creates the directory; harmless when it exists.
                if virStoragePoolBuild(raw, UInt32(VIR_STORAGE_POOL_BUILD_NO_OVERWRITE.rawValue)) < 0 {
                    _ = Libvirt.lastError("ignored")
                }
                _ = virStoragePoolSetAutostart(raw, 1)
            }
        }
        if try !pool.isActive() {
            try pool.withPointer { raw throws(HypervisorError) in
                if virStoragePoolCreate(raw, 0) < 0 {
                    let error = Libvirt.lastError(
                        "Starting storage pool \(name)",
                        hint: "Check that its directory exists and is writable by the libvirt daemon"
                    )
                    // Someone else started it between our check and our call.
                    if error.code == .operationInvalid, virStoragePoolIsActive(raw) == 1 { return }
                    throw error
                }
            }
        }
        return pool
    }
}
