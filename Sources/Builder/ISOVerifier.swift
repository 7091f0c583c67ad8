import Boxes
import Foundation
import Spec

/// Finds the installer ISO and proves it is the one the Boxfile's checksum names, before anything is made
/// in libvirt.
public enum ISOVerifier {
    /// The local path of the verified ISO.
    /// - Throws: `BuilderError(.iso)` for a missing file or a wrong checksum; `.unsupported` for `iso.url`
    ///   over http(s) (not yet downloaded by the builder).
    public static func verify(_ iso: ISOSource) throws -> String {
        let path: String
        switch iso.location {
        case .path(let local): path = local
        case .url(let url):
            if let fileURL = URL(string: url), fileURL.isFileURL {
                path = fileURL.path
            } else {
                throw BuilderError(.unsupported, "iso.url \(url): downloading the ISO is not done by `vmfile build` yet",
                                   hint: "download it yourself and write `iso: {path: FILE, checksum: …}`")
            }
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw BuilderError(.iso, "the ISO \(path) does not exist or is not readable", hint: "check iso.path in the Boxfile")
        }
        let expected = try expectedSHA256(iso)
        let actual: String
        do {
            actual = try StreamingHasher.digest(of: URL(fileURLWithPath: path), .sha256)
        } catch {
            throw BuilderError(.iso, "cannot read the ISO \(path): \(error)", cause: error)
        }
        guard actual == expected else {
            throw BuilderError(.iso, "the ISO \(path) has sha256 \(actual), but the Boxfile expects \(expected); nothing was built",
                               hint: "the file is not the one the checksum names (corrupt, or a newer release): fetch it again or fix iso.checksum")
        }
        return path
    }

    /// The sha256 the Boxfile names: given directly, or the line for the ISO's file name in a SHA256SUMS list.
    static func expectedSHA256(_ iso: ISOSource) throws -> String {
        switch iso.checksum {
        case .sha256(let hex): return hex
        case .list(let location):
            let listPath: String
            switch location {
            case .path(let path): listPath = path
            case .url(let url):
                guard let fileURL = URL(string: url), fileURL.isFileURL else {
                    throw BuilderError(.unsupported, "iso.checksum file:\(url): fetching a checksum list over the network is not done yet",
                                       hint: "download the list and name it by path, or write checksum: sha256:<hex>")
                }
                listPath = fileURL.path
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
