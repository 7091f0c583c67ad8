import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads a URL (http, https, file) to a file, following redirects, resuming an interrupted
/// transfer from its partial file with a `Range` request, and hashing while bytes arrive.
public struct Downloader: Sendable {
    /// Where partial files live (`<store>/.downloads`); a rerun resumes what a killed run left.
    public let directory: URL
    /// How many times one call resumes after the connection drops.
    public var attempts = 5
    /// Receives progress reports.
    public var progress: @Sendable (DownloadProgress) -> Void

    /// A downloader keeping partial files in `directory`.
    public init(directory: URL, progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }) {
        self.directory = directory
        self.progress = progress
    }

    /// A finished download: the file and its digest in the requested algorithm.
    public struct Result: Sendable {
        /// The downloaded file (the partial file, now complete).
        public var file: URL
        /// Its digest in the requested algorithm.
        public var digest: String
    }

    /// The partial file for `url` (named by the URL, so a rerun finds it).
    public func partialFile(for url: URL) -> URL {
        var hasher = StreamingHasher(.sha256)
        hasher.update(Data(url.absoluteString.utf8))
        return directory.appendingPathComponent(String(hasher.finalize().prefix(24)) + ".partial")
    }

    /// Fetches `url` into `<directory>/<hash>.partial`, resuming it when present; returns the file
    /// and its digest (`algorithm`). The caller moves or deletes the file.
    public func fetch(_ url: URL, algorithm: Checksum.Algorithm = .sha256) throws -> Result {
        if url.isFileURL {
            return Result(file: url, digest: try StreamingHasher.digest(of: url, algorithm))
        }
        guard url.scheme == "http" || url.scheme == "https" else {
            throw BoxError(.download, "cannot download \(url.absoluteString): only http, https and file URLs",
                           hint: "give an http(s) URL or a local path")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let partial = partialFile(for: url)
        var lastError: Error?
        for _ in 0..<attempts {
            let transfer = try Transfer(url: url, file: partial, algorithm: algorithm, progress: progress)
            switch transfer.run() {
            case .complete:
                return Result(file: partial, digest: transfer.digest())
            case .interrupted(let error):
                lastError = error
                Thread.sleep(forTimeInterval: 0.2)
            case .failed(let error):
                // Nothing worth resuming: leave no empty partial file behind.
                if (try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? NSNumber)?.intValue == 0 {
                    try? FileManager.default.removeItem(at: partial)
                }
                throw error
            }
        }
        throw BoxError(.download, "download of \(url.absoluteString) kept failing: \(lastError.map { "\($0)" } ?? "connection lost")",
                       hint: "run the command again: it resumes from \(partial.path)")
    }
}
