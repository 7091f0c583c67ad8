import Boxes
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Spec

/// Finds the installer ISO and proves it is the one the Boxfile's checksum names, before anything is made
/// in libvirt.
public enum ISOVerifier {
    /// The local path of the verified ISO: `iso.path` as it is, or `iso.url` downloaded (http, https; resumed
    /// after an interruption, hashed while it streams) into `cache/<sha256>.iso`, where the next build finds it.
    /// - Throws: `BuilderError(.iso)` for a missing file, a failed download or a wrong checksum.
    public static func verify(_ iso: ISOSource, cache: URL? = nil,
                              progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }) throws -> String {
        let expected = try expectedSHA256(iso, cache: cache)
        let path: String
        switch iso.location {
        case .path(let local): path = local
        case .url(let text):
            guard let url = URL(string: text) else { throw BuilderError(.iso, "iso.url \(text) is not a URL") }
            if url.isFileURL {
                path = url.path
            } else {
                guard let cache else {
                    throw BuilderError(.unsupported, "iso.url \(text): no download cache given", hint: "download it and use iso.path")
                }
                return try download(url, sha256: expected, cache: cache, progress: progress)
            }
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw BuilderError(.iso, "the ISO \(path) does not exist or is not readable", hint: "check iso.path in the Boxfile")
        }
        try check(URL(fileURLWithPath: path), sha256: expected, what: "the ISO \(path)")
        return path
    }

    /// Throws unless `file` has sha256 `expected`.
    static func check(_ file: URL, sha256 expected: String, what: String) throws {
        let actual: String
        do {
            actual = try StreamingHasher.digest(of: file, .sha256)
        } catch {
            throw BuilderError(.iso, "cannot read \(what): \(error)", cause: error)
        }
        guard actual == expected else {
            throw BuilderError(.iso, "\(what) has sha256 \(actual), but the Boxfile expects \(expected); nothing was built",
                               hint: "the file is not the one the checksum names (corrupt, or a newer release): fetch it again or fix iso.checksum")
        }
    }

    /// `cache/<sha256>.iso`, downloaded when missing or not matching; a download with another digest is removed.
    static func download(_ url: URL, sha256 expected: String, cache: URL,
                         progress: @escaping @Sendable (DownloadProgress) -> Void) throws -> String {
        let cached = cache.appendingPathComponent("\(expected).iso")
        if FileManager.default.fileExists(atPath: cached.path) {
            if (try? check(cached, sha256: expected, what: "the cached ISO")) != nil { return cached.path }
            try? FileManager.default.removeItem(at: cached)
        }
        let downloader = Downloader(directory: cache.appendingPathComponent(".downloads"), progress: progress)
        let result: Downloader.Result
        do {
            result = try downloader.fetch(url)
        } catch {
            throw BuilderError(.iso, "cannot download the ISO \(url.absoluteString): \(error)", hint: "check iso.url; a rerun resumes the download", cause: error)
        }
        guard result.digest == expected else {
            try? FileManager.default.removeItem(at: result.file)
            throw BuilderError(.iso, "the ISO downloaded from \(url.absoluteString) has sha256 \(result.digest), but the Boxfile expects \(expected); nothing was built",
                               hint: "the server has another file than the checksum names (a newer release?): fix iso.checksum or iso.url")
        }
        guard rename(result.file.path, cached.path) == 0 else {
            throw BuilderError(.iso, "cannot move the downloaded ISO to \(cached.path): \(String(cString: strerror(errno)))")
        }
        return cached.path
    }

    /// The sha256 the Boxfile names: given directly, or the line for the ISO's file name in a SHA256SUMS list.
    static func expectedSHA256(_ iso: ISOSource, cache: URL? = nil) throws -> String {
        switch iso.checksum {
        case .sha256(let hex): return hex
        case .list(let location):
            var listPath: String
            var fetched: URL?
            defer { if let fetched { try? FileManager.default.removeItem(at: fetched) } }
            switch location {
            case .path(let path): listPath = path
            case .url(let text):
                guard let url = URL(string: text) else { throw BuilderError(.iso, "iso.checksum file:\(text) is not a URL") }
                if url.isFileURL {
                    listPath = url.path
                } else {
                    guard let cache else {
                        throw BuilderError(.unsupported, "iso.checksum file:\(text): no download cache given", hint: "write checksum: sha256:<hex>")
                    }
                    do {
                        let list = try Downloader(directory: cache.appendingPathComponent(".downloads")).fetch(url)
                        fetched = list.file
                        listPath = list.file.path
                    } catch {
                        throw BuilderError(.iso, "cannot download the checksum list \(text): \(error)", cause: error)
                    }
                }
            }
            guard let text = try? String(contentsOfFile: listPath, encoding: .utf8) else {
                throw BuilderError(.iso, "cannot read the checksum list \(listPath)", hint: "check iso.checksum in the Boxfile")
            }
            guard let hex = digest(for: iso.fileName, inList: text) else {
                throw BuilderError(.iso, "the checksum list \(listPath) has no line for \(iso.fileName)",
                                   hint: "lines look like `<sha256>  \(iso.fileName)`")
            }
            return hex
        }
    }

    /// The digest for `fileName` in a `sha256sum` list (`HEX  name`, `HEX *name`) or a BSD-style one
    /// (`SHA256 (name) = HEX`). Pure.
    static func digest(for fileName: String, inList text: String) -> String? {
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("SHA256 (") {
                guard let close = line.range(of: ") = ") else { continue }
                let name = line[line.index(line.startIndex, offsetBy: 8)..<close.lowerBound]
                if name == fileName || name.hasSuffix("/" + fileName) { return String(line[close.upperBound...]).lowercased() }
                continue
            }
            let fields = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2, fields[0].count == 64, fields[0].allSatisfy(\.isHexDigit) else { continue }
            var name = fields[1].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("*") { name.removeFirst() }
            if name.hasPrefix("./") { name.removeFirst(2) }
            if name == fileName || name.hasSuffix("/" + fileName) { return fields[0].lowercased() }
        }
        return nil
    }
}
