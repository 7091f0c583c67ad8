import Foundation
import Testing
@testable import Boxes

#if canImport(Glibc)
import Glibc
#endif

/// `RangeCopier`: a byte range of one file appended to another in the kernel, aligned (`copy_file_range`)
/// or not (`PipeSplicer`), hashed on the way or not.
@Suite struct RangeCopierTests {
    /// 3 MiB + 777 bytes of a pattern that differs at every offset, so a range copied from the wrong place fails.
    static let source: Data = {
        var bytes = [UInt8](repeating: 0, count: 3 << 20 + 777)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
        return Data(bytes)
    }()

    @Test(arguments: [
        // (source offset, bytes already in the target): a tar's 512-byte records, aligned, and both unaligned alike.
        (UInt64(1536), 0), (UInt64(512), 0), (UInt64(4096), 0), (UInt64(8192 + 100), 100), (UInt64(1536), 4000),
    ])
    func copiesExactlyTheRange(offset: UInt64, prefix: Int) throws {
        let scratch = try ScratchDirectory()
        let sourcePath = scratch.url.appendingPathComponent("source").path
        let targetPath = scratch.url.appendingPathComponent("target").path
        try Self.source.write(to: URL(fileURLWithPath: sourcePath))
        let leading = Data(repeating: 0xee, count: prefix)
        try leading.write(to: URL(fileURLWithPath: targetPath))
        let length = UInt64(Self.source.count) - offset - 5

        let input = open(sourcePath, O_RDONLY)
        let output = open(targetPath, O_WRONLY)
        try #require(input >= 0 && output >= 0)
        defer { close(input); close(output) }
        #expect(lseek(output, 0, SEEK_END) == off_t(prefix))
        #expect(PipeSplicer.isMisaligned(sourceOffset: offset, target: output) == ((offset &- UInt64(prefix)) % 4096 != 0))
        let digest = try RangeCopier.copy(from: input, offset: offset, length: length, to: output, name: "target")

        let expected = Self.source.subdata(in: Int(offset)..<Int(offset + length))
        let written = try Data(contentsOf: URL(fileURLWithPath: targetPath))
        #expect(written.count == prefix + expected.count)
        #expect(written.prefix(prefix) == leading)
        #expect(written.dropFirst(prefix) == expected)
        var hasher = StreamingHasher(.sha256)
        hasher.update(expected)
        #expect(digest == hasher.finalize())
    }

    @Test(arguments: [UInt64(1536), UInt64(4096)])
    func aSourceShorterThanItsRangeIsATruncatedArchive(offset: UInt64) throws {
        let scratch = try ScratchDirectory()
        let sourcePath = scratch.url.appendingPathComponent("source").path
        try Self.source.write(to: URL(fileURLWithPath: sourcePath))
        let input = open(sourcePath, O_RDONLY)
        let output = open(scratch.url.appendingPathComponent("target").path, O_WRONLY | O_CREAT, 0o600)
        try #require(input >= 0 && output >= 0)
        defer { close(input); close(output) }
        let error = #expect(throws: BoxError.self) {
            _ = try RangeCopier.copy(from: input, offset: offset, length: UInt64(Self.source.count), to: output,
                                     name: "box.img", hashing: false)
        }
        #expect(error?.message.contains("box.img ends early") == true)
    }
}
