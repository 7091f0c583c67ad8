import Foundation

/// A libvirt box's `metadata.json` (vagrant-libvirt format v1): `provider`, `format`,
/// `virtual_size` in GB. Unknown keys are kept out of the model but left in the file.
public struct BoxMetadata: Codable, Sendable, Equatable {
    public var provider: String
    public var format: String
    /// Virtual disk size in GB as vagrant-libvirt writes it (integer GiB).
    public var virtualSize: Int?

    enum CodingKeys: String, CodingKey {
        case provider, format
        case virtualSize = "virtual_size"
    }

    public init(provider: String = "libvirt", format: String = "qcow2", virtualSize: Int? = nil) {
        self.provider = provider
        self.format = format
        self.virtualSize = virtualSize
    }

    /// Reads and checks `metadata.json` in `directory`: a libvirt provider and a qcow2 image.
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
        guard metadata.format == "qcow2" else {
            throw BoxError(.invalidBox, "\(file.path) declares format '\(metadata.format)'; vmfile needs qcow2")
        }
        return metadata
    }
}
