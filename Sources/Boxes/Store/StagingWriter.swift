import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes files into a staging directory without ever following a symbolic link; when `hashing`,
/// hashes each file (SHA-256) while it is written so no file is read twice.
final class StagingWriter {
    let root: URL
    let hashing: Bool
    /// SHA-256 of every regular file written, by path relative to `root` (only when `hashing`).
    private(set) var digests: [String: String] = [:]
    /// Every regular file written, by path relative to `root` (hard links may point only at these).
    private var written: Set<String> = []
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: FileReader.chunkSize, alignment: 4096)

    init(root: URL, hashing: Bool) {
        self.root = root
        self.hashing = hashing
    }

    deinit { buffer.deallocate() }

    /// Creates the directories `components` names, refusing to pass through anything but real directories.
    func makeDirectory(_ components: [String]) throws {
        var path = root.path
        for component in components {
            path += "/" + component
            var info = stat()
            if lstat(path, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw BoxError(.unsafeArchive, "\(path) would be written through a \(info.st_mode & S_IFMT == S_IFLNK ? "symbolic link" : "file")",
                                   hint: "the box archive reuses a name; get the box from a source you trust")
                }
                continue
            }
            guard mkdir(path, 0o755) == 0 else {
                throw BoxError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Creates the regular file `components` and fills it from `fill`, which calls its argument with
    /// each chunk.
    func writeFile(_ components: [String], mode: UInt32 = 0o644,
                   fill: (UnsafeMutableRawBufferPointer, (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        try makeDirectory(Array(components.dropLast()))
        let relative = components.joined(separator: "/")
        let path = root.path + "/" + relative
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode & 0o755 | 0o600))
        guard fd >= 0 else {
            throw BoxError(.unsafeArchive, "cannot create \(path): \(String(cString: strerror(errno)))",
                           hint: "the box archive holds this name twice or through a link; get the box from a source you trust")
        }
        defer { close(fd) }
        written.insert(relative)
        guard hashing else {
            try fill(buffer) { chunk in try FileReader.writeAll(fd, chunk, name: path) }
            return
        }
        let hasher = ParallelHasher()
        try fill(buffer) { chunk in
            // Hash on a second core while this one writes: the copy costs what a plain copy does.
            let job = ChunkJob(chunk: chunk)
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                if index == 0 {
                    hasher.update(job.chunk)
                } else {
                    do { try FileReader.writeAll(fd, job.chunk, name: path) } catch { job.failure = error }
                }
            }
            if let failure = job.failure { throw failure }
        }
        digests[relative] = hasher.finalize()
    }

    /// Creates the regular file `components` with `length` bytes of `source` at `offset`, copied in
    /// the kernel (and hashed on the way when `hashing`).
    func copyFile(_ components: [String], mode: UInt32 = 0o644, from source: Int32, offset: UInt64, length: UInt64) throws {
        try makeDirectory(Array(components.dropLast()))
        let relative = components.joined(separator: "/")
        let path = root.path + "/" + relative
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode & 0o755 | 0o600))
        guard fd >= 0 else {
            throw BoxError(.unsafeArchive, "cannot create \(path): \(String(cString: strerror(errno)))",
                           hint: "the box archive holds this name twice or through a link; get the box from a source you trust")
        }
        defer { close(fd) }
        written.insert(relative)
        digests[relative] = try RangeCopier.copy(from: source, offset: offset, length: length, to: fd, name: path, hashing: hashing)
    }

    /// Creates a symbolic link (its target was checked by `ArchivePath`).
    func makeSymlink(_ components: [String], target: String) throws {
        try makeDirectory(Array(components.dropLast()))
        let path = root.path + "/" + components.joined(separator: "/")
        guard symlink(target, path) == 0 else {
            throw BoxError(.unsafeArchive, "cannot create link \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates a hard link to a file this writer already wrote.
    func makeHardLink(_ components: [String], to target: [String]) throws {
        let targetRelative = target.joined(separator: "/")
        guard written.contains(targetRelative) else {
            throw BoxError(.unsafeArchive, "hard link \(components.joined(separator: "/")) points at '\(targetRelative)', which is not a file earlier in the archive",
                           hint: "get the box from a source you trust")
        }
        try makeDirectory(Array(components.dropLast()))
        let relative = components.joined(separator: "/")
        guard link(root.path + "/" + targetRelative, root.path + "/" + relative) == 0 else {
            throw BoxError(.unsafeArchive, "cannot create link \(relative): \(String(cString: strerror(errno)))")
        }
        written.insert(relative)
        digests[relative] = digests[targetRelative]
    }
}

/// A SHA-256 fed from one thread at a time (the copy loop hands it each chunk in turn).
final class ParallelHasher: @unchecked Sendable {
    // Unchecked: `update` calls never overlap (one per chunk, joined before the next chunk).
    private var hasher = StreamingHasher(.sha256)

    func update(_ chunk: UnsafeRawBufferPointer) { hasher.update(chunk) }
    func finalize() -> String { hasher.finalize() }
}

/// One chunk handed to the hashing and writing halves of a copy step.
final class ChunkJob: @unchecked Sendable {
    // Unchecked: `chunk` is only read, and stays valid until concurrentPerform returns;
    // `failure` is written by the writing half only and read after the join.
    let chunk: UnsafeRawBufferPointer
    var failure: Error?

    init(chunk: UnsafeRawBufferPointer) { self.chunk = chunk }
}
