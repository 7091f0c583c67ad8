import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Copies a byte range in the kernel through a private 1 MiB pipe (`splice` in, `splice` out), for a range
/// whose source offset is not page-aligned against the target's, as a disk image inside a tar is (512-byte
/// records). `copy_file_range` moves such a range a few KiB at a time into small page-cache folios,
/// about 1.2× slower than `cp` of an aligned file; through a large pipe the same range is written in 1 MiB
/// strides and runs at `cp`'s speed (`scripts/bench-boxes`). Aligned ranges keep `copy_file_range`, which
/// a file system may turn into a reflink.
enum PipeSplicer {
    private typealias Splice = @convention(c) (
        Int32, UnsafeMutablePointer<off_t>?, Int32, UnsafeMutablePointer<off_t>?, Int, UInt32) -> Int
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32

    /// glibc's `splice` and `pipe2`, which the Glibc module does not declare (GNU extensions).
    private static let splice: Splice? = dlsym(nil, "splice").map { unsafeBitCast($0, to: Splice.self) }
    private static let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

    /// Linux's `F_SETPIPE_SZ` / `F_GETPIPE_SZ` (fcntl(2)); not exported by the Glibc module either.
    private static let setPipeSize: Int32 = 1031
    private static let getPipeSize: Int32 = 1032
    private static let pipeSize: Int32 = 1 << 20

    /// True when `offset` in the source and the target's current position fall at different places
    /// within a page, the case this copier is for.
    static func isMisaligned(sourceOffset offset: UInt64, target: Int32) -> Bool {
        let position = lseek(target, 0, SEEK_CUR)
        let page = sysconf(Int32(_SC_PAGESIZE))
        guard position >= 0, page > 0 else { return false }
        return (offset &- UInt64(position)) % UInt64(page) != 0
    }

    /// Appends `length` bytes at `offset` of `source` to `target` (at its current position). Returns false,
    /// having written nothing, when the kernel or these files do not support `splice` (the caller then
    /// copies another way); throws when the copy fails part-way.
    static func copy(_ source: Int32, offset: UInt64, length: UInt64, to target: Int32, name: String) throws -> Bool {
        guard let splice, let pipe2 else { return false }
        var ends: [Int32] = [-1, -1]
        guard pipe2(&ends, O_CLOEXEC) == 0 else { return false }
        defer { close(ends[0]); close(ends[1]) }
        // A smaller pipe (the user's pipe quota is spent) still copies correctly, just in shorter strides.
        _ = fcntl(ends[1], setPipeSize, pipeSize)
        let capacity = max(Int(fcntl(ends[1], getPipeSize)), Int(getpagesize()))

        var input = off_t(offset)
        var left = length
        var started = false
        while left > 0 {
            let filled = splice(source, &input, ends[1], nil, Int(min(left, UInt64(capacity))), 0)
            if filled < 0 {
                if errno == EINTR { continue }
                if !started, [EINVAL, ENOSYS, EOPNOTSUPP, EBADF].contains(errno) { return false }
                throw RangeCopier.copyFailure(name)
            }
            if filled == 0 { throw RangeCopier.endsEarly(name) }
            started = true
            var pending = filled
            while pending > 0 {
                let drained = splice(ends[0], nil, target, nil, pending, 0)
                if drained < 0, errno == EINTR { continue }
                guard drained > 0 else { throw RangeCopier.copyFailure(name) }
                pending -= drained
            }
            left -= UInt64(filled)
        }
        return true
    }
}
