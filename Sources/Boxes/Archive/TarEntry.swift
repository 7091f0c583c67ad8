/// One member of a tar archive, with long names and sizes from pax or GNU headers applied.
struct TarEntry: Equatable {
    enum Kind: Equatable {
        case regular, directory, symlink, hardlink, characterDevice, blockDevice, fifo
        case other(UInt8)

        init(typeflag: UInt8) {
            switch typeflag {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): self = .regular
            case UInt8(ascii: "1"): self = .hardlink
            case UInt8(ascii: "2"): self = .symlink
            case UInt8(ascii: "3"): self = .characterDevice
            case UInt8(ascii: "4"): self = .blockDevice
            case UInt8(ascii: "5"): self = .directory
            case UInt8(ascii: "6"): self = .fifo
            default: self = .other(typeflag)
            }
        }

        var text: String {
            switch self {
            case .regular: "file"
            case .directory: "directory"
            case .symlink: "symbolic link"
            case .hardlink: "hard link"
            case .characterDevice: "character device"
            case .blockDevice: "block device"
            case .fifo: "fifo"
            case .other(let flag): "entry of type '\(Character(Unicode.Scalar(flag)))'"
            }
        }
    }

    var path: String
    var kind: Kind
    var size: UInt64
    var linkTarget: String
    var mode: UInt32
}
