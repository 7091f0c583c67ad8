internal import CLibvirt
import HostSupport

/// The one error type of the Hypervisor module.
///
/// `code` is extensible: libvirt's own error numbers map to codes carrying the same `virErrorNumber`,
/// and vmfile adds a few of its own (above `Code.vmfileBase`). `message` says what vmfile was doing and
/// what libvirt answered; `cause` keeps an underlying error when there is one.
public struct HypervisorError: Error, Sendable, CustomStringConvertible {
    /// An error code: libvirt's `virErrorNumber`, or a vmfile-specific value at or above `vmfileBase`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// libvirt's `virErrorNumber`, or a vmfile value (≥ `vmfileBase`).
        public let rawValue: Int32

        /// Wraps a raw code.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        init(_ number: virErrorNumber) { self.rawValue = Int32(bitPattern: UInt32(number.rawValue)) }

        /// First value used for vmfile's own codes; libvirt's numbers stay far below it.
        public static let vmfileBase: Int32 = 100_000

        public static let internalError = Code(VIR_ERR_INTERNAL_ERROR)
        public static let noSupport = Code(VIR_ERR_NO_SUPPORT)
        public static let noConnect = Code(VIR_ERR_NO_CONNECT)
        public static let invalidArgument = Code(VIR_ERR_INVALID_ARG)
        public static let operationFailed = Code(VIR_ERR_OPERATION_FAILED)
        public static let operationInvalid = Code(VIR_ERR_OPERATION_INVALID)
        public static let operationTimeout = Code(VIR_ERR_OPERATION_TIMEOUT)
        public static let operationDenied = Code(VIR_ERR_OPERATION_DENIED)
        public static let authFailed = Code(VIR_ERR_AUTH_FAILED)
        public static let xmlError = Code(VIR_ERR_XML_ERROR)
        public static let systemError = Code(VIR_ERR_SYSTEM_ERROR)
        public static let noDomain = Code(VIR_ERR_NO_DOMAIN)
        public static let noNetwork = Code(VIR_ERR_NO_NETWORK)
        public static let noStoragePool = Code(VIR_ERR_NO_STORAGE_POOL)
        public static let noStorageVolume = Code(VIR_ERR_NO_STORAGE_VOL)
        public static let noDomainSnapshot = Code(VIR_ERR_NO_DOMAIN_SNAPSHOT)
        public static let noDomainMetadata = Code(VIR_ERR_NO_DOMAIN_METADATA)
        public static let storageVolumeExists = Code(VIR_ERR_STORAGE_VOL_EXIST)
        public static let storagePoolBuilt = Code(VIR_ERR_STORAGE_POOL_BUILT)

        /// A libvirt call failed without leaving an error behind.
        public static let unknown = Code(rawValue: vmfileBase + 0)
        /// An object with the requested name exists but was not made by vmfile.
        public static let notOwned = Code(rawValue: vmfileBase + 1)
        /// A wait ran out of time.
        public static let timeout = Code(rawValue: vmfileBase + 2)
        /// A host-local file operation failed (copying an image, creating a directory).
        public static let io = Code(rawValue: vmfileBase + 3)
        /// A spec handed to the Hypervisor module is invalid (bad CIDR, name too long, …).
        public static let invalidSpec = Code(rawValue: vmfileBase + 4)
        /// A helper process (qemu, cp) failed.
        public static let processFailed = Code(rawValue: vmfileBase + 5)
        /// libvirt returned data vmfile could not understand.
        public static let unexpectedData = Code(rawValue: vmfileBase + 6)

        public var description: String {
            switch self {
            case .noDomain: return "no-domain"
            case .noNetwork: return "no-network"
            case .noStoragePool: return "no-storage-pool"
            case .noStorageVolume: return "no-storage-volume"
            case .noDomainSnapshot: return "no-domain-snapshot"
            case .noDomainMetadata: return "no-domain-metadata"
            case .operationInvalid: return "operation-invalid"
            case .operationFailed: return "operation-failed"
            case .operationDenied: return "operation-denied"
            case .noConnect: return "no-connect"
            case .authFailed: return "auth-failed"
            case .notOwned: return "not-owned"
            case .timeout: return "timeout"
            case .io: return "io"
            case .invalidSpec: return "invalid-spec"
            case .processFailed: return "process-failed"
            case .unexpectedData: return "unexpected-data"
            case .unknown: return "unknown"
            default: return rawValue >= Code.vmfileBase ? "vmfile-\(rawValue)" : "libvirt-\(rawValue)"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// What vmfile was doing, libvirt's text, and what to do next.
    public var message: String
    /// libvirt's own message, when the error came from libvirt.
    public var libvirtMessage: String?
    /// An underlying error, if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, libvirtMessage: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.libvirtMessage = libvirtMessage
        self.cause = cause
    }

    /// True when the error says the requested object (domain, network, pool, volume, snapshot,
    /// metadata) does not exist.
    public var isNotFound: Bool {
        [.noDomain, .noNetwork, .noStoragePool, .noStorageVolume, .noDomainSnapshot, .noDomainMetadata]
            .contains(code)
    }

    public var description: String {
        var text = message
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}

extension HypervisorError: VmfileError {
    public var codeName: String { code.description }
    /// libvirt errors carry their advice in `message`.
    public var hint: String? { nil }
}

extension Error {
    /// True when this is a `HypervisorError` saying the requested object does not exist.
    public var isHypervisorNotFound: Bool {
        (self as? HypervisorError)?.isNotFound ?? false
    }
}
