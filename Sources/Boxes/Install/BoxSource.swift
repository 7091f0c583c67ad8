import Foundation

/// Where `box add` takes a box from, as the user wrote it: a local path (a `.box` file, a box
/// directory, a catalog `.json`) or an http(s)/file URL of a box or a catalog.
public enum BoxSource: Sendable, Equatable, CustomStringConvertible {
    case local(URL)
    case remote(URL)

    /// Reads `text`: `http://`, `https://` and `file://` are URLs; anything else is a path,
    /// relative to `directory`.
    public init(_ text: String, relativeTo directory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws {
        let lowered = text.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            guard let url = URL(string: text), url.host != nil else {
                throw BoxError(.invalidSource, "'\(text)' is not a valid URL", hint: "write it like https://example.com/boxes/tiny.box")
            }
            self = .remote(url)
        } else if lowered.hasPrefix("file://") {
            guard let url = URL(string: text), url.isFileURL else {
                throw BoxError(.invalidSource, "'\(text)' is not a valid file URL")
            }
            self = .local(url.standardizedFileURL)
        } else {
            self = .local(URL(fileURLWithPath: text, relativeTo: directory).standardizedFileURL)
        }
    }

    /// Whether the text names something `box add` can take by itself (a URL or an existing path).
    public static func isSource(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered.hasPrefix("file://")
            || FileManager.default.fileExists(atPath: text)
    }

    /// The URL, for a local source a file URL.
    public var url: URL {
        switch self {
        case .local(let url), .remote(let url): url
        }
    }

    /// A box name taken from the file name: `debian-12.box` → `debian-12`.
    public var suggestedName: String {
        var last = url.lastPathComponent
        for suffix in [".box", ".tar.gz", ".tgz", ".tar", ".json"] where last.hasSuffix(suffix) {
            last = String(last.dropLast(suffix.count))
            break
        }
        return last
    }

    public var description: String {
        switch self {
        case .local(let url): url.path
        case .remote(let url): url.absoluteString
        }
    }
}
