import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Copies a byte range between files in the kernel (`copy_file_range`, as `cp` does) while another
/// thread hashes the same range from the page cache: one pass, no user-space copy of the data.
enum RangeCopier {
    /// Copies `length` bytes at `offset` of `source` to the end of `target`; returns their SHA-256
    /// when `hashing`, else nil (then it is a plain kernel copy, as fast as `cp`).
    static func copy(from source: Int32, offset: UInt64, length: UInt64, to target: Int32, name: String,
                     hashing: Bool = true) throws -> String? {
        guard hashing else {
            try kernelCopy(source, offset: offset, length: length, to: target, name: name)
            return nil
        }
        let job = CopyJob()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            if index == 0 {
                job.digest = hash(source, offset: offset, length: length, name: name, failure: &job.hashFailure)
            } else {
                do { try kernelCopy(source, offset: offset, length: length, to: target, name: name) } catch { job.copyFailure = error }
            }
        }
        if let failure = job.copyFailure ?? job.hashFailure { throw failure }
        return job.digest
    }

    private typealias CopyFileRange = @convention(c) (
        Int32, UnsafeMutablePointer<off_t>?, Int32, UnsafeMutablePointer<off_t>?, Int, UInt32) -> Int

    /// glibc's `copy_file_range`, which the Glibc module does not declare (it is a GNU extension).
    private static let copyFileRange: CopyFileRange? = dlsym(nil, "copy_file_range").map {
        unsafeBitCast($0, to: CopyFileRange.self)
    }

    /// `copy_file_range` as `cp` does (a reflink or server-side copy where the file system offers one, else
    /// an in-kernel copy); `sendfile` where the kernel refuses it for these files (e.g. across file systems
    /// on older kernels). A range not page-aligned against the target goes through `PipeSplicer` instead.
    private static func kernelCopy(_ source: Int32, offset: UInt64, length: UInt64, to target: Int32, name: String) throws {
        if PipeSplicer.isMisaligned(sourceOffset: offset, target: target),
           try PipeSplicer.copy(source, offset: offset, length: length, to: target, name: name) {
            return
        }
        var input = off_t(offset)
        var left = length
        var useSendfile = copyFileRange == nil
        while left > 0 {
            let chunk = Int(min(left, 1 << 30))
            let count = if !useSendfile, let copyFileRange { copyFileRange(source, &input, target, nil, chunk, 0) }
                else { sendfile(target, source, &input, chunk) }
            if count < 0 {
                if errno == EINTR { continue }
                if !useSendfile, [EXDEV, EINVAL, ENOSYS, EOPNOTSUPP, EBADF].contains(errno) {
                    useSendfile = true
                    continue
                }
                throw copyFailure(name)
            }
            if count == 0 { throw endsEarly(name) }
            left -= UInt64(count)
        }
    }

    /// The error for a copy the kernel failed (errno still set by the failed call).
    static func copyFailure(_ name: String) -> BoxError {
        BoxError(.io, "cannot copy \(name): \(String(cString: strerror(errno)))",
                 hint: "check free space where the box store lives (VMFILE_HOME)")
    }

    /// The error for a source that ends before the range its archive header promised.
    static func endsEarly(_ name: String) -> BoxError {
        BoxError(.invalidBox, "\(name) ends early", hint: "the archive is truncated; fetch it again")
    }

    private static func hash(_ source: Int32, offset: UInt64, length: UInt64, name: String, failure: inout Error?) -> String {
        var hasher = StreamingHasher(.sha256)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        var position = offset
        let end = offset + length
        while position < end {
            let count = pread(source, buffer.baseAddress, Int(min(UInt64(buffer.count), end - position)), off_t(position))
            if count < 0, errno == EINTR { continue }
            if count <= 0 {
                failure = BoxError(.io, "cannot read \(name): \(count < 0 ? String(cString: strerror(errno)) : "unexpected end")")
                return ""
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            position += UInt64(count)
        }
        return hasher.finalize()
    }
}

/// Results of the two halves of a `RangeCopier.copy`.
private final class CopyJob: @unchecked Sendable {
    // Unchecked: each field is written by one half only and read after the join.
    var digest = ""
    var hashFailure: Error?
    var copyFailure: Error?
}
