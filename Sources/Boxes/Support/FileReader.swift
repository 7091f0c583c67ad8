import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Chunked reads and writes on raw descriptors: no `Data` copies per chunk, flat memory.
enum FileReader {
    static let chunkSize = 4 << 20

    /// Calls `body` with each chunk of the file at `url`.
    static func forEachChunk(of url: URL, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BoxError(.io, "cannot read \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try forEachChunk(descriptor: fd, name: url.path, body)
    }

    /// Calls `body` with each chunk read from `fd` until end of file.
    static func forEachChunk(descriptor fd: Int32, name: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw BoxError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Writes all of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, name: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw BoxError(.io, "cannot write \(name): \(String(cString: strerror(errno)))",
                               hint: "check free space where the box store lives (VMFILE_HOME)")
            }
            offset += written
        }
    }
}
