/// The one error type of the box store: a code to branch on, a message saying what and where,
/// and a hint saying what to do next.
public struct BoxError: Error, CustomStringConvertible, Sendable {
    /// Extensible error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let notFound = Code("not-found")
        public static let alreadyExists = Code("already-exists")
        public static let invalidBox = Code("invalid-box")
        public static let locked = Code("locked")
        public static let io = Code("io")
        public static let invalidChecksum = Code("invalid-checksum")
        public static let checksumMismatch = Code("checksum-mismatch")
        public static let unsafeArchive = Code("unsafe-archive")
        public static let unsafeImage = Code("unsafe-image")
        public static let download = Code("download")
        public static let catalog = Code("catalog")
        public static let inUse = Code("in-use")
        public static let invalidSource = Code("invalid-source")
    }

    public let code: Code
    public let message: String
    public let hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String {
        hint.map { "\(message)\n  hint: \($0)" } ?? message
    }
}
