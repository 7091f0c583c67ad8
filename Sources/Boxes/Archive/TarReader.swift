import Foundation

/// Reads tar headers and bodies from a stream, one entry at a time (ustar, pax `x`/`g` records,
/// GNU `L`/`K` long names; base-256 sizes). Nothing is written anywhere: the caller decides.
final class TarReader {
    private let source: ByteSource
    private let name: String
    private var remaining: UInt64 = 0
    private var padding: UInt64 = 0
    private let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 16)

    init(source: ByteSource, name: String) {
        self.source = source
        self.name = name
    }

    deinit { block.deallocate() }

    /// The next entry, or nil at the end of the archive. Skips the previous entry's unread body.
    func next() throws -> TarEntry? {
        try skipBody()
        var longName: String?
        var longLink: String?
        var pax: [String: String] = [:]
        while true {
            guard try source.readExactly(into: block) else { return nil }
            if block.allSatisfy({ $0 == 0 }) { return nil }
            let header = [UInt8](block)
            try checkChecksum(header)
            let typeflag = header[156]
            let size = try Self.number(header[124..<136], field: "size", in: name)
            switch typeflag {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let records = try readSmallBody(size)
                if typeflag == UInt8(ascii: "x") { pax.merge(try Self.paxRecords(records, in: name)) { $1 } }
                continue
            case UInt8(ascii: "L"):
                longName = Self.cString(try readSmallBody(size)[...])
                continue
            case UInt8(ascii: "K"):
                longLink = Self.cString(try readSmallBody(size)[...])
                continue
            default:
                break
            }
            var path = Self.cString(header[0..<100])
            let magic = Self.cString(header[257..<263])
            if magic == "ustar" {
                let prefix = Self.cString(header[345..<500])
                if !prefix.isEmpty { path = prefix + "/" + path }
            }
            if let longName { path = longName }
            if let paxPath = pax["path"] { path = paxPath }
            var link = longLink ?? Self.cString(header[157..<257])
            if let paxLink = pax["linkpath"] { link = paxLink }
            var entrySize = size
            if let paxSize = pax["size"] {
                guard let parsed = UInt64(paxSize) else { throw corrupt("pax size '\(paxSize)'") }
                entrySize = parsed
            }
            let mode = UInt32(truncatingIfNeeded: (try? Self.number(header[100..<108], field: "mode", in: name)) ?? 0o644)
            let kind = TarEntry.Kind(typeflag: typeflag)
            // Links and directories carry no body whatever their size field says.
            let hasBody = ![.directory, .symlink, .hardlink].contains(kind)
            remaining = hasBody ? entrySize : 0
            padding = hasBody ? (512 - entrySize % 512) % 512 : 0
            return TarEntry(path: path, kind: kind, size: entrySize, linkTarget: link, mode: mode)
        }
    }

    /// Streams the current entry's body to `body` in chunks.
    func readBody(into buffer: UnsafeMutableRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        while remaining > 0 {
            let wanted = Int(min(UInt64(buffer.count), remaining))
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted])
            guard try source.readExactly(into: chunk) else { throw corrupt("a body cut short") }
            remaining -= UInt64(wanted)
            try body(UnsafeRawBufferPointer(chunk))
        }
        try skipPadding()
    }

    /// For an uncompressed archive: hands the current body's descriptor, offset and length to `copy`
    /// (which copies it in the kernel), then moves past it. Returns false (nothing done) otherwise.
    func copyBody(_ copy: (_ fd: Int32, _ offset: UInt64, _ length: UInt64) throws -> Void) throws -> Bool {
        guard let seekable = source.seekable else { return false }
        let (fd, position) = seekable
        // The body must really be there: a truncated archive is an error, not a short file.
        var info = stat()
        guard fstat(fd, &info) == 0, UInt64(info.st_size) >= position + remaining else {
            throw corrupt("a body cut short")
        }
        try copy(fd, position, remaining)
        try source.skip(remaining)
        remaining = 0
        try skipPadding()
        return true
    }

    private func skipBody() throws {
        if remaining > 0 {
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { scratch.deallocate() }
            try readBody(into: scratch) { _ in }
        } else {
            try skipPadding()
        }
    }

    private func skipPadding() throws {
        guard padding > 0 else { return }
        let pad = UnsafeMutableRawBufferPointer(rebasing: block[0..<Int(padding)])
        padding = 0
        guard try source.readExactly(into: pad) else { throw corrupt("missing padding") }
    }

    private func readSmallBody(_ size: UInt64) throws -> [UInt8] {
        guard size <= 1 << 20 else { throw corrupt("an extended header of \(size) bytes") }
        var bytes = [UInt8]()
        remaining = size
        padding = (512 - size % 512) % 512
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { scratch.deallocate() }
        try readBody(into: scratch) { bytes.append(contentsOf: $0) }
        return bytes
    }

    private func checkChecksum(_ header: [UInt8]) throws {
        let stored = try Self.number(header[148..<156], field: "checksum", in: name)
        var sum: UInt64 = 0
        for (index, byte) in header.enumerated() {
            sum += (148..<156).contains(index) ? 32 : UInt64(byte)
        }
        guard stored == sum else { throw corrupt("a header with a bad checksum (not a tar archive?)") }
    }

    private func corrupt(_ what: String) -> BoxError {
        BoxError(.invalidBox, "\(name) has \(what)", hint: "a .box is a tar (optionally gzip/xz/zstd) of metadata.json and box.img")
    }

    /// An octal field (NUL/space terminated) or a GNU base-256 number (high bit set).
    static func number(_ field: ArraySlice<UInt8>, field fieldName: String, in name: String) throws -> UInt64 {
        guard let first = field.first else { return 0 }
        if first & 0x80 != 0 {
            var value: UInt64 = UInt64(first & 0x7f)
            for byte in field.dropFirst() {
                guard value < (1 << 55) else { throw BoxError(.invalidBox, "\(name): tar \(fieldName) too large") }
                value = value << 8 | UInt64(byte)
            }
            return value
        }
        let text = String(decoding: field.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return 0 }
        guard let value = UInt64(text, radix: 8) else {
            throw BoxError(.invalidBox, "\(name): tar header \(fieldName) '\(text)' is not octal",
                           hint: "the file is not a tar archive")
        }
        return value
    }

    static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// pax records: `LENGTH KEY=VALUE\n`, LENGTH counting the whole record.
    static func paxRecords(_ bytes: [UInt8], in name: String) throws -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)),
                  length > 0, index + length <= bytes.count else {
                throw BoxError(.invalidBox, "\(name) has a malformed pax header")
            }
            let record = bytes[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                records[String(decoding: record[record.startIndex..<equals], as: UTF8.self)] =
                    String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            index += length
        }
        return records
    }
}
