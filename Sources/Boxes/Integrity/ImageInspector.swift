import Foundation

/// What `qemu-img info` says about a disk image, and the checks a box image must pass: the
/// declared format is the real one, and it reads no other file (no backing file, no external data file).
struct ImageInfo: Decodable, Equatable {
    var format: String
    var virtualSize: UInt64
    var backingFilename: String?
    var dataFile: String?

    enum CodingKeys: String, CodingKey {
        case format
        case virtualSize = "virtual-size"
        case backingFilename = "backing-filename"
        case formatSpecific = "format-specific"
    }

    enum SpecificKeys: String, CodingKey { case data }
    enum DataKeys: String, CodingKey { case dataFile = "data-file" }

    init(format: String, virtualSize: UInt64, backingFilename: String? = nil, dataFile: String? = nil) {
        self.format = format
        self.virtualSize = virtualSize
        self.backingFilename = backingFilename
        self.dataFile = dataFile
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        virtualSize = try container.decode(UInt64.self, forKey: .virtualSize)
        backingFilename = try container.decodeIfPresent(String.self, forKey: .backingFilename)
        let specific = try? container.nestedContainer(keyedBy: SpecificKeys.self, forKey: .formatSpecific)
        let data = try? specific?.nestedContainer(keyedBy: DataKeys.self, forKey: .data)
        dataFile = try? data?.decodeIfPresent(String.self, forKey: .dataFile)
    }

    /// Runs `qemu-img info --output=json` on `url` without probing a backing chain.
    static func read(_ url: URL) throws -> ImageInfo {
        let output = try Tool.run("qemu-img", ["info", "--output=json", url.path],
                                  hint: "install qemu-utils (qemu-img inspects box images)")
        do {
            return try JSONDecoder().decode(ImageInfo.self, from: output)
        } catch {
            throw BoxError(.invalidBox, "cannot read qemu-img's report on \(url.path): \(error)")
        }
    }

    /// Throws `unsafeImage` unless the image is `declared` and stands alone.
    func check(declared: String, file: String) throws {
        guard format == declared else {
            throw BoxError(.unsafeImage, "\(file) is a \(format) image but the box declares \(declared); nothing was added",
                           hint: "fix metadata.json's format, or convert the image: qemu-img convert -O \(declared) IN OUT")
        }
        if let backingFilename {
            throw BoxError(.unsafeImage, "\(file) has a backing file (\(backingFilename)); a box image must stand alone — nothing was added",
                           hint: "flatten it first: qemu-img convert -O qcow2 \(file) flat.img")
        }
        if let dataFile {
            throw BoxError(.unsafeImage, "\(file) has an external data file (\(dataFile)); nothing was added",
                           hint: "flatten it first: qemu-img convert -O qcow2 \(file) flat.img")
        }
    }
}
