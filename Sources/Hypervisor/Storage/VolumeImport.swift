internal import CLibvirt
import Foundation
import HostSupport

/// How `StoragePool.importVolume` moves bytes into the pool.
public enum VolumeImportMethod: String, Sendable {
    /// Local copy when the pool directory is on this host and writable, else a libvirt stream.
    case automatic
    /// `cp --reflink=auto --sparse=always` into the pool directory, then a pool refresh. Local only.
    case localCopy
    /// `virStorageVolUpload` over a libvirt stream. Works for remote URIs.
    case stream
}

extension StoragePool {
    /// Creates volume `name` holding the bytes of the host file `fromFile` (a box image).
    ///
    /// On a local connection with a writable pool directory the file is copied with reflinks/sparse
    /// copy to a hidden temporary name, published atomically (no clobbering) and picked up with a pool
    /// refresh — as fast as `cp`. Otherwise the bytes go through `virStorageVolUpload`.
    /// - Throws: `.storageVolumeExists` when a volume with that name exists already.
    @discardableResult
    public func importVolume(
        name volumeName: String, fromFile file: String, format: VolumeFormat, method: VolumeImportMethod = .automatic
    ) throws(HypervisorError) -> StorageVolume {
        if try volumeIfPresent(named: volumeName) != nil {
            throw HypervisorError(.storageVolumeExists, "Importing \(file) into storage pool \(name): volume \(volumeName) exists already. Delete it first or pick another name")
        }
        let size: UInt64
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        } catch {
            throw HypervisorError(.io, "Importing \(file) into storage pool \(name): cannot read the file. Check the path and permissions", cause: error as NSError)
        }
        var useLocal = method == .localCopy
        var poolDirectory = ""
        if method != .stream {
            poolDirectory = try targetPath()
            let local = connection.uriInfo.isLocal && access(poolDirectory, W_OK) == 0
            if method == .localCopy && !local {
                throw HypervisorError(.invalidArgument, "Importing \(file): storage pool directory \(poolDirectory) is not a writable local directory; use the stream method")
            }
            useLocal = local
        }
        connection.logger.debug("importing volume", metadata: [
            "volume": "\(volumeName)", "pool": "\(name)", "file": "\(file)", "bytes": "\(size)", "method": "\(useLocal ? "local-copy" : "stream")",
        ])
        if useLocal {
            return try importByCopy(name: volumeName, file: file, directory: poolDirectory)
        }
        return try importByStream(name: volumeName, file: file, size: size, format: format)
    }

    /// Deletes the hidden copies (`.vmfile-import-<name>-*`) that imports of `volumeName` killed mid-copy
    /// left in the pool directory; a killed process never reaches the import's own `unlink`. Only for a
    /// caller that holds the lock over that volume name, so that no import of it is in flight. Pools this
    /// host cannot write directly have none. Returns whether anything was removed.
    @discardableResult
    public func removeAbandonedImports(of volumeName: String) throws(HypervisorError) -> Bool {
        let directory = try targetPath()
        guard connection.uriInfo.isLocal, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return false }
        let prefix = Self.temporaryPrefix + volumeName + "-"
        var removed = false
        for name in names where name.hasPrefix(prefix) && unlink(directory + "/" + name) == 0 {
            removed = true
        }
        if removed { try refresh() }
        return removed
    }

    private func importByCopy(name volumeName: String, file: String, directory: String) throws(HypervisorError) -> StorageVolume {
        let temporary = directory + "/" + Self.temporaryPrefix + volumeName + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let final = directory + "/" + volumeName
        defer { unlink(temporary) }
        try runProcess("/bin/cp", ["--reflink=auto", "--sparse=always", "--", file, temporary], doing: "Copying \(file) into storage pool \(name)")
        // link(2) publishes atomically and fails instead of replacing a file a concurrent import made.
        if link(temporary, final) != 0 {
            let code = errno
            throw HypervisorError(
                code == EEXIST ? .storageVolumeExists : .io,
                "Publishing \(final) in storage pool \(name): \(String(cString: strerror(code)))"
            )
        }
        // Gone before the refresh, or libvirt would list the temporary name as a volume.
        unlink(temporary)
        do {
            try refresh()
            return try volume(named: volumeName)
        } catch {
            unlink(final)
            throw error
        }
    }

    private func importByStream(name volumeName: String, file: String, size: UInt64, format: VolumeFormat) throws(HypervisorError) -> StorageVolume {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw HypervisorError(.io, "Importing \(file) into storage pool \(name): cannot open the file for reading")
        }
        defer { try? handle.close() }
        // Created as raw of the file's byte size; the upload then writes the image bytes verbatim and a
        // refresh lets libvirt re-probe the real format.
        let volume = try createVolume(xml: Self.emptyVolumeXML(name: volumeName, capacity: size, format: .raw))
        do {
            try connection.withPointer { connectionPointer throws(HypervisorError) in
                let stream = try Libvirt.pointer("Opening an upload stream for volume \(volumeName)") { virStreamNew(connectionPointer, 0) }
                defer { virStreamFree(stream) }
                try volume.withPointer { volumePointer throws(HypervisorError) in
                    try Libvirt.check("Starting the upload of \(file) to volume \(volumeName)") {
                        virStorageVolUpload(volumePointer, stream, 0, size, 0)
                    }
                }
                var remaining = size
                while remaining > 0 {
                    let chunk: Data
                    do {
                        chunk = try handle.read(upToCount: Int(min(remaining, 4 << 20))) ?? Data()
                    } catch {
                        virStreamAbort(stream)
                        throw HypervisorError(.io, "Reading \(file) for upload", cause: error as NSError)
                    }
                    if chunk.isEmpty {
                        virStreamAbort(stream)
                        throw HypervisorError(.io, "Reading \(file) for upload: the file shrank while uploading")
                    }
                    let failure: HypervisorError? = chunk.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> HypervisorError? in
                        var offset = 0
                        while offset < bytes.count {
                            let base = bytes.baseAddress.map { $0.advanced(by: offset).assumingMemoryBound(to: CChar.self) }
                            let sent = virStreamSend(stream, base, bytes.count - offset)
                            if sent < 0 { return Libvirt.lastError("Uploading \(file) to volume \(volumeName)") }
                            offset += Int(sent)
                        }
                        return nil
                    }
                    if let failure {
                        virStreamAbort(stream)
                        throw failure
                    }
                    remaining -= UInt64(chunk.count)
                }
                try Libvirt.check("Finishing the upload of \(file) to volume \(volumeName)") { virStreamFinish(stream) }
            }
            try refresh()
            let uploaded = try self.volume(named: volumeName)
            if let detected = try? uploaded.format(), detected != format {
                connection.logger.warning("uploaded image format differs from the declared one", metadata: [
                    "volume": "\(volumeName)", "declared": "\(format)", "detected": "\(detected)",
                ])
            }
            return uploaded
        } catch {
            try? volume.delete()
            throw error
        }
    }
}

/// Runs an executable and waits; a non-zero exit becomes `.processFailed` with its stderr.
func runProcess(_ executable: String, _ arguments: [String], doing: String) throws(HypervisorError) {
    let result: HostCommandResult
    do {
        result = try HostCommand.run(executable, arguments)
    } catch {
        throw HypervisorError(.processFailed, "\(doing): \(error)", cause: error)
    }
    if result.status != 0 {
        throw HypervisorError(.processFailed, "\(doing): \(executable) exited with \(result.status): \(result.stderrText)")
    }
}
