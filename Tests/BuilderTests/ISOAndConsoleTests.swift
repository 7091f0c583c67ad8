import Boxes
import Foundation
import Spec
import Testing
@testable import Builder

@Suite struct ISOVerifierTests {
    let hex = String(repeating: "ab", count: 32)

    @Test func findsTheDigestInChecksumLists() {
        #expect(ISOVerifier.digest(for: "x.iso", inList: "\(hex)  x.iso\n") == hex)
        #expect(ISOVerifier.digest(for: "x.iso", inList: "\(String(repeating: "0", count: 64))  y.iso\n\(hex) *x.iso\n") == hex)
        #expect(ISOVerifier.digest(for: "x.iso", inList: "\(hex)  ./dir/x.iso") == hex)
        #expect(ISOVerifier.digest(for: "x.iso", inList: "SHA256 (x.iso) = \(hex.uppercased())") == hex)
        #expect(ISOVerifier.digest(for: "x.iso", inList: "\(hex)  x.iso.torrent") == nil)
        #expect(ISOVerifier.digest(for: "x.iso", inList: "# nothing") == nil)
    }

    @Test func verifiesAFileAndRefusesAWrongChecksum() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("iso-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.iso")
        try Data("installer".utf8).write(to: file)
        let right = try StreamingHasher.digest(of: file, .sha256)
        #expect(try ISOVerifier.verify(ISOSource(location: .path(file.path), checksum: .sha256(right))) == file.path)
        try "\(right)  x.iso\n".write(to: directory.appendingPathComponent("SHA256SUMS"), atomically: true, encoding: .utf8)
        #expect(try ISOVerifier.verify(ISOSource(location: .path(file.path),
                                                 checksum: .list(.path(directory.appendingPathComponent("SHA256SUMS").path)))) == file.path)
        let wrong = #expect(throws: BuilderError.self) {
            try ISOVerifier.verify(ISOSource(location: .path(file.path), checksum: .sha256(hex)))
        }
        #expect(wrong?.message.contains("expects \(hex)") == true)
        #expect(throws: BuilderError.self) {
            try ISOVerifier.verify(ISOSource(location: .path(directory.appendingPathComponent("none.iso").path), checksum: .sha256(right)))
        }
        #expect(throws: BuilderError.self) {
            try ISOVerifier.verify(ISOSource(location: .url("https://example.invalid/x.iso"), checksum: .sha256(right)))
        }
    }
}

/// `iso.url` over http from a loopback server: downloaded into the cache keyed by checksum, found there the
/// next time, and a download with another digest is refused and leaves nothing.
@Suite struct ISODownloadTests {
    @Test func downloadsIntoTheChecksumCacheAndRefusesAWrongDigest() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("iso-cache-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: cache) }
        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let scratch = cache.deletingLastPathComponent().appendingPathComponent("iso-src-\(UUID().uuidString.prefix(8))")
        try bytes.write(to: scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let digest = try StreamingHasher.digest(of: scratch, .sha256)
        let server = try AnswerFileServer(address: "127.0.0.1")
        server.start(files: ["x.iso": bytes, "SHA256SUMS": Data("\(digest)  x.iso\n".utf8)])
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/x.iso"

        let path = try ISOVerifier.verify(ISOSource(location: .url(url), checksum: .sha256(digest)), cache: cache)
        #expect(path == cache.appendingPathComponent("\(digest).iso").path)
        #expect(FileManager.default.contents(atPath: path) == bytes)
        let listed = try ISOVerifier.verify(ISOSource(location: .url(url), checksum: .list(.url("http://127.0.0.1:\(server.port)/SHA256SUMS"))), cache: cache)
        #expect(listed == path)
        #expect(server.requests.filter { $0.hasPrefix("GET /x.iso") }.count == 1, "the second build takes the cached ISO: \(server.requests)")

        let wrong = String(repeating: "0", count: 64)
        let refused = #expect(throws: BuilderError.self) {
            try ISOVerifier.verify(ISOSource(location: .url(url), checksum: .sha256(wrong)), cache: cache)
        }
        #expect(refused?.message.contains("expects \(wrong)") == true)
        let left = try FileManager.default.subpathsOfDirectory(atPath: cache.path).filter { !$0.hasPrefix(".downloads") || $0.hasSuffix(".partial") }
        #expect(left == ["\(digest).iso"], "only the verified ISO stays in the cache: \(left)")
    }
}

@Suite struct ConsoleLogTests {
    func log(_ text: String) throws -> (ConsoleLog, URL) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString.prefix(8)).log")
        try Data(text.utf8).write(to: file)
        return (ConsoleLog(path: file.path), file)
    }

    @Test func waitForMatchesAfterThePreviousMatch() throws {
        let (console, file) = try log("ISOLINUX 6.04\r\nboot: ")
        defer { try? FileManager.default.removeItem(at: file) }
        try console.waitFor("boot:", timeout: .seconds(1))
        let again = #expect(throws: BuilderError.self) { try console.waitFor("boot:", timeout: .milliseconds(200)) }
        #expect(again?.code == .timeout)
        #expect(again?.message.contains("  | boot:") == true)
        let handle = try FileHandle(forWritingTo: file)
        handle.seekToEndOfFile()
        handle.write(Data("install\r\nboot: ".utf8))
        try handle.close()
        try console.waitFor("bo+t:", timeout: .seconds(1))
    }

    @Test func stopsWhenTheMachineStopsOrTheFailurePatternShows() throws {
        let (console, file) = try log("tiny-installer: FAILED: no disk\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let failed = #expect(throws: BuilderError.self) {
            try console.waitFor("rebooting", timeout: .seconds(5), failure: "FAILED: .*")
        }
        #expect(failed?.message.contains("FAILED: no disk") == true)
        #expect(throws: BuilderError.self) { try console.waitFor("never", timeout: .seconds(5), stillRunning: { false }) }
    }

    @Test func tailDropsControlCharactersAndTrailingBlankLines() {
        #expect(ConsoleLog.tail(of: "a\r\nb\u{1b}[0m\r\nc\n\n\n", lines: 2) == "b[0m\nc")
        #expect(ConsoleLog.tail(of: "", lines: 5) == "")
    }
}
