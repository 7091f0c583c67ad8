import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Unpacks a box — a tar archive (plain, gzip, xz, zstd, bzip2) or a box directory — into an
/// empty staging directory, checking every archive entry before writing it.
enum BoxExtractor {
    /// Fills `staging` from `source`; when `hashing`, returns the SHA-256 of each file written, by
    /// relative path (else an empty map: the copy then costs what `cp` does).
    static func unpack(_ source: URL, into staging: URL, hashing: Bool) throws -> [String: String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw BoxError(.notFound, "\(source.path) does not exist", hint: "give a .box file, a box directory, a URL or a catalog")
        }
        let writer = StagingWriter(root: staging, hashing: hashing)
        if isDirectory.boolValue {
            try copyDirectory(source, with: writer)
        } else {
            try extractArchive(source, with: writer)
        }
        return writer.digests
    }

    /// Copies the regular files of a flat box directory (hidden files and subdirectories are not part of a box).
    private static func copyDirectory(_ source: URL, with writer: StagingWriter) throws {
        for entry in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted() where !entry.hasPrefix(".") {
            let from = source.appendingPathComponent(entry)
            let attributes = try FileManager.default.attributesOfItem(atPath: from.path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let fd = open(from.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw BoxError(.io, "cannot read \(from.path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            try writer.copyFile([entry], from: fd, offset: 0, length: size)
        }
    }

    private static func extractArchive(_ archive: URL, with writer: StagingWriter) throws {
        let source = try ByteSource.open(archive)
        let reader = TarReader(source: source, name: archive.path)
        var count = 0
        while let entry = try reader.next() {
            let components = try ArchivePath.components(of: entry, in: archive.path)
            count += 1
            if components.isEmpty { continue }
            switch entry.kind {
            case .directory:
                try writer.makeDirectory(components)
            case .regular:
                let copied = try reader.copyBody { fd, offset, length in
                    try writer.copyFile(components, mode: entry.mode, from: fd, offset: offset, length: length)
                }
                if !copied {
                    try writer.writeFile(components, mode: entry.mode) { buffer, sink in
                        try reader.readBody(into: buffer, sink)
                    }
                }
            case .symlink:
                try writer.makeSymlink(components, target: entry.linkTarget)
            case .hardlink:
                try writer.makeHardLink(components, to: try ArchivePath.split(entry.linkTarget) { _ in
                    BoxError(.unsafeArchive, "\(archive.path): bad hard link \(entry.linkTarget)")
                })
            case .characterDevice, .blockDevice, .fifo, .other:
                break // refused by ArchivePath
            }
        }
        try source.finish()
        guard count > 0 else {
            throw BoxError(.invalidBox, "\(archive.path) is an empty archive", hint: "a .box holds metadata.json and box.img")
        }
    }
}
