import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request of a download: asks for the bytes after the partial file's end, appends what
/// arrives while hashing it, and reports whether the body came in whole.
final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Unchecked: the session's delegate queue is serial; `run()` waits on `done` before reading state.
    enum Outcome {
        case complete
        case interrupted(Error?)
        case failed(BoxError)
    }

    private let url: URL
    private let file: URL
    private let handle: FileHandle
    private var hasher: StreamingHasher
    private let progress: @Sendable (DownloadProgress) -> Void
    private let done = DispatchSemaphore(value: 0)
    private var offset: UInt64
    private var received: UInt64
    private var expectedTotal: UInt64?
    private var failure: BoxError?
    private var transportError: Error?
    private var rateStart = Date()
    private var rateBytes: UInt64 = 0
    private var rate: Double = 0

    init(url: URL, file: URL, algorithm: Checksum.Algorithm, progress: @escaping @Sendable (DownloadProgress) -> Void) throws {
        self.url = url
        self.file = file
        self.progress = progress
        if !FileManager.default.fileExists(atPath: file.path) {
            FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        guard let handle = FileHandle(forUpdatingAtPath: file.path) else {
            throw BoxError(.io, "cannot write \(file.path)", hint: "check permissions and free space of the box store")
        }
        self.handle = handle
        // What a killed run left is hashed again (read once), then the request asks for the rest.
        hasher = StreamingHasher(algorithm)
        var partialHasher = StreamingHasher(algorithm)
        try FileReader.forEachChunk(of: file) { partialHasher.update($0) }
        hasher = partialHasher
        offset = try handle.seekToEnd()
        received = offset
    }

    deinit { try? handle.close() }

    func digest() -> String { hasher.finalize() }

    func run() -> Outcome {
        var request = URLRequest(url: url)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        session.dataTask(with: request).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        if let failure { return .failed(failure) }
        if let transportError { return .interrupted(transportError) }
        if let expectedTotal, received < expectedTotal { return .interrupted(nil) }
        report(finished: true)
        return .complete
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            completionHandler(.allow)
            return
        }
        switch http.statusCode {
        case 206:
            let range = http.value(forHTTPHeaderField: "Content-Range") ?? ""
            // "bytes START-END/TOTAL": the server must continue exactly where the partial file ends.
            let start = range.split(separator: " ").last?.split(separator: "-").first.flatMap { UInt64($0) }
            guard start == offset else {
                restart(retry: true)
                completionHandler(.cancel)
                return
            }
            expectedTotal = range.split(separator: "/").last.flatMap { UInt64($0) }
        case 200:
            if offset > 0 { restart(retry: false) }
            expectedTotal = http.expectedContentLength > 0 ? UInt64(http.expectedContentLength) : nil
        case 416 where offset > 0:
            // Our partial file is not a prefix of what the server has now: start over.
            restart(retry: true)
            completionHandler(.cancel)
            return
        default:
            failure = BoxError(.download, "\(url.absoluteString) answered HTTP \(http.statusCode)",
                               hint: http.statusCode == 404 ? "check the URL (or the catalog's provider url)" : "try again later")
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    /// Drops the partial file's content; `retry`: this request is abandoned and the next starts at byte 0.
    private func restart(retry: Bool) {
        try? handle.truncate(atOffset: 0)
        hasher = StreamingHasher(hasher.algorithm)
        offset = 0
        received = 0
        if retry, failure == nil, transportError == nil { transportError = BoxError(.download, "restarting from byte 0") }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = BoxError(.io, "cannot write \(file.path): \(error)", hint: "check free space of the box store")
            dataTask.cancel()
            return
        }
        hasher.update(data)
        received += UInt64(data.count)
        rateBytes += UInt64(data.count)
        let elapsed = Date().timeIntervalSince(rateStart)
        if elapsed >= 1 {
            rate = Double(rateBytes) / elapsed
            rateStart = Date()
            rateBytes = 0
        } else if rate == 0, elapsed > 0.05 {
            rate = Double(rateBytes) / elapsed
        }
        report(finished: false)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error, failure == nil, transportError == nil { transportError = error }
        try? handle.synchronize()
        done.signal()
    }

    private func report(finished: Bool) {
        progress(DownloadProgress(url: url.absoluteString, received: received, total: expectedTotal,
                                  bytesPerSecond: rate, finished: finished))
    }
}
