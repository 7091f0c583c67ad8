import Foundation

/// Builds ustar archives byte by byte, including entries no honest tool would write
/// (absolute paths, `..`, links out, devices), for the hostile-archive tests.
struct TarBuilder {
    private(set) var data = Data()

    mutating func file(_ path: String, _ contents: Data, mode: Int = 0o644) {
        header(path, type: "0", size: contents.count, mode: mode)
        data.append(contents)
        pad()
    }

    mutating func directory(_ path: String) { header(path, type: "5", size: 0, mode: 0o755) }
    mutating func symlink(_ path: String, to target: String) { header(path, type: "2", size: 0, link: target) }
    mutating func hardlink(_ path: String, to target: String) { header(path, type: "1", size: 0, link: target) }
    mutating func characterDevice(_ path: String) { header(path, type: "3", size: 0) }
    mutating func fifo(_ path: String) { header(path, type: "6", size: 0) }

    /// A pax extended header setting `path` for the next entry.
    mutating func paxPath(_ path: String) {
        let body = Data(Self.paxRecord("path", path).utf8)
        header("PaxHeader", type: "x", size: body.count)
        data.append(body)
        pad()
    }

    /// The archive with its two zero blocks.
    var archive: Data { data + Data(count: 1024) }

    static func paxRecord(_ key: String, _ value: String) -> String {
        let payload = " \(key)=\(value)\n"
        var length = payload.utf8.count + 1
        while "\(length)".count + payload.utf8.count != length { length += 1 }
        return "\(length)\(payload)"
    }

    private mutating func pad() {
        let remainder = data.count % 512
        if remainder != 0 { data.append(Data(count: 512 - remainder)) }
    }

    private mutating func header(_ path: String, type: Character, size: Int, mode: Int = 0o644, link: String = "") {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(path, at: 0, width: 100)
        octal(mode, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(size, at: 124, width: 12)
        octal(0, at: 136, width: 12)
        block[156] = type.asciiValue ?? 0x30
        put(link, at: 157, width: 100)
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        for index in 148..<156 { block[index] = 0x20 }
        let sum = block.reduce(0) { $0 + Int($1) }
        octal(sum, at: 148, width: 7)
        block[155] = 0x20
        data.append(contentsOf: block)
    }
}
