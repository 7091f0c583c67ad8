import Foundation
import HostSupport

#if canImport(Glibc)
import Glibc
#endif

/// A forward-only stream of bytes read from a descriptor: a plain file, or the stdout of a
/// decompressor (`gzip -dc`, `xz -dc`, `zstd -dc`) reading the archive.
final class ByteSource {
    private let fd: Int32
    private let name: String
    private let process: ChildProcess?
    /// Whether `process` has been reaped (by `finish`).
    private var reaped = false

    private init(fd: Int32, name: String, process: ChildProcess?) {
        self.fd = fd
        self.name = name
        self.process = process
    }

    deinit {
        close(fd)
        if let process {
            if let errors = process.stderrPipe { close(errors) }
            if !reaped { process.kill() }
        }
    }

    /// Compression of an archive, told by its first bytes.
    enum Compression: String {
        case none, gzip, xz, zstd, bzip2

        static func detect(_ url: URL) throws -> Compression {
            guard let handle = FileHandle(forReadingAtPath: url.path) else {
                throw BoxError(.io, "cannot read \(url.path)")
            }
            defer { try? handle.close() }
            let magic = [UInt8](try handle.read(upToCount: 6) ?? Data())
            if magic.starts(with: [0x1f, 0x8b]) { return .gzip }
            if magic.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
            if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
            if magic.starts(with: [0x42, 0x5a, 0x68]) { return .bzip2 }
            return .none
        }
    }

    /// Opens `url` for reading, through a decompressor process when it is compressed.
    static func open(_ url: URL) throws -> ByteSource {
        let compression = try Compression.detect(url)
        if compression == .none {
            let fd = Glibc.open(url.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw BoxError(.io, "cannot read \(url.path): \(String(cString: strerror(errno)))") }
            return ByteSource(fd: fd, name: url.path, process: nil)
        }
        let tool = switch compression {
        case .gzip: "gzip"
        case .xz: "xz"
        case .zstd: "zstd"
        case .bzip2: "bzip2"
        case .none: "cat"
        }
        let process: ChildProcess
        do {
            process = try ChildProcess(tool, ["-dc", url.path], stdout: .pipe, stderr: .pipe)
        } catch {
            throw BoxError(.io, "cannot run \(tool) to decompress \(url.path): \(error)", hint: "install \(tool)")
        }
        guard let fd = process.stdoutPipe else {
            process.kill()
            throw BoxError(.io, "cannot read the output of \(tool) -dc \(url.path)")
        }
        return ByteSource(fd: fd, name: "\(url.path) (\(tool) -dc)", process: process)
    }

    /// For an uncompressed file: its descriptor and the current read position, so a body can be
    /// copied in the kernel; nil when reading through a decompressor.
    var seekable: (fd: Int32, position: UInt64)? {
        guard process == nil else { return nil }
        let position = lseek(fd, 0, SEEK_CUR)
        return position < 0 ? nil : (fd, UInt64(position))
    }

    /// Moves the read position `count` bytes on (only for `seekable` sources).
    func skip(_ count: UInt64) throws {
        guard lseek(fd, off_t(count), SEEK_CUR) >= 0 else {
            throw BoxError(.io, "cannot seek in \(name): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw BoxError(.io, "cannot read \(name): \(String(cString: strerror(errno)))") }
        }
    }

    /// Fills `buffer` completely; false when the stream ended first (after any bytes: throws).
    func readExactly(into buffer: UnsafeMutableRawBufferPointer) throws -> Bool {
        var filled = 0
        while filled < buffer.count {
            let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if count == 0 {
                if filled == 0 { return false }
                throw BoxError(.invalidBox, "\(name) ends in the middle of an entry", hint: "the archive is truncated; fetch it again")
            }
            filled += count
        }
        return true
    }

    /// Drains the rest and checks the decompressor succeeded.
    func finish() throws {
        guard let process else { return }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { scratch.deallocate() }
        while try read(into: scratch) > 0 {}
        var stderr = Data()
        if let errors = process.stderrPipe {
            while true {
                let count = Glibc.read(errors, scratch.baseAddress, scratch.count)
                if count > 0 {
                    stderr.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
        }
        let status = process.waitForExit()
        reaped = true
        guard status == 0 else {
            let message = String(decoding: stderr, as: UTF8.self)
            throw BoxError(.invalidBox, "\(name) failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines))",
                           hint: "the archive is corrupt or truncated; fetch it again")
        }
    }
}
