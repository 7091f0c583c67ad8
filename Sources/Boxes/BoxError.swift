import HostSupport

/// The kind of `BoxError`.
public enum BoxErrorKind {}

/// The one error type of the box store: a code to branch on, a message saying what and where,
/// and a hint saying what to do next.
public typealias BoxError = CodedError<BoxErrorKind>

extension ErrorCode where Kind == BoxErrorKind {
    public static let notFound = Self("not-found")
    public static let alreadyExists = Self("already-exists")
    public static let invalidBox = Self("invalid-box")
    public static let locked = Self("locked")
    public static let io = Self("io")
    public static let invalidChecksum = Self("invalid-checksum")
    public static let checksumMismatch = Self("checksum-mismatch")
    public static let unsafeArchive = Self("unsafe-archive")
    public static let unsafeImage = Self("unsafe-image")
    public static let download = Self("download")
    public static let catalog = Self("catalog")
    public static let inUse = Self("in-use")
    public static let invalidSource = Self("invalid-source")
}
