import Foundation

/// A libvirt box's `metadata.json`: vagrant-libvirt format v1 (`provider`, `format`, `virtual_size`
/// in GB, image `box.img`) or v2 (`disks`: `[{"path": "box_1.img"}, ...]`, first disk primary).
/// Unknown keys are kept out of the model but left in the file.
public struct BoxMetadata: Codable, Sendable, Equatable {
    /// One disk of a v2 box.
    public struct Disk: Codable, Sendable, Equatable {
        /// File name inside the box directory.
        public var path: String
        /// Image format (qcow2 when absent).
        public var format: String?
        /// Optional disk name.
        public var name: String?

        public init(path: String, format: String? = nil, name: String? = nil) {
            self.path = path
            self.format = format
            self.name = name
        }
    }

    public var provider: String
    /// The v1 image format; v2 boxes may leave it out (qcow2).
    public var format: String
    /// Virtual disk size in GB as vagrant-libvirt writes it (integer GiB).
    public var virtualSize: Int?
    /// v2 disks; nil for a v1 box.
    public var disks: [Disk]?

    enum CodingKeys: String, CodingKey {
        case provider, format, disks
        case virtualSize = "virtual_size"
    }

    public init(provider: String = "libvirt", format: String = "qcow2", virtualSize: Int? = nil, disks: [Disk]? = nil) {
        self.provider = provider
        self.format = format
        self.virtualSize = virtualSize
        self.disks = disks
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        provider = try container.decode(String.self, forKey: .provider)
        disks = try container.decodeIfPresent([Disk].self, forKey: .disks)
        format = try container.decodeIfPresent(String.self, forKey: .format) ?? (disks == nil ? "" : "qcow2")
        if let gigabytes = try? container.decodeIfPresent(Int.self, forKey: .virtualSize) {
            virtualSize = gigabytes
        } else if let text = try? container.decodeIfPresent(String.self, forKey: .virtualSize) {
            virtualSize = Int(text)
        } else {
            virtualSize = nil
        }
    }

    /// The image files in boot order: `box.img` for v1, the `disks` paths for v2.
    public var imageFiles: [String] {
        if let disks, !disks.isEmpty { return disks.map(\.path) }
        return ["box.img"]
    }

    /// The declared format of each image, in `imageFiles` order.
    var imageFormats: [String] {
        if let disks, !disks.isEmpty { return disks.map { $0.format ?? "qcow2" } }
        return [format]
    }

    /// Reads and checks `metadata.json` in `directory`: a libvirt provider, qcow2 images, disk
    /// paths that stay in the directory.
    static func read(from directory: URL) throws -> BoxMetadata {
        let file = directory.appendingPathComponent("metadata.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw BoxError(.invalidBox, "\(directory.path) has no metadata.json",
                           hint: "a libvirt box holds metadata.json and box.img")
        }
        let metadata: BoxMetadata
        do {
            metadata = try JSONDecoder().decode(BoxMetadata.self, from: data)
        } catch {
            throw BoxError(.invalidBox, "\(file.path) is not valid box metadata: \(error)",
                           hint: #"expected {"provider": "libvirt", "format": "qcow2", "virtual_size": N}"#)
        }
        guard metadata.provider == "libvirt" else {
            throw BoxError(.invalidBox, "\(file.path) is for provider '\(metadata.provider)', not libvirt",
                           hint: "add the libvirt flavour of this box")
        }
        for format in metadata.imageFormats where format != "qcow2" {
            throw BoxError(.invalidBox, "\(file.path) declares format '\(format)'; vmfile needs qcow2",
                           hint: "convert the image: qemu-img convert -O qcow2 IN box.img")
        }
        for path in metadata.imageFiles {
            let parts = path.split(separator: "/")
            guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains("..") else {
                throw BoxError(.unsafeArchive, "\(file.path) names disk '\(path)' outside the box directory",
                               hint: "disk paths are file names inside the box")
            }
        }
        return metadata
    }
}
