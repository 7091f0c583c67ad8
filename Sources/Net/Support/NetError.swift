import HostSupport

/// The kind of `NetError`.
public enum NetErrorKind {}

/// A failure in host networking (nftables, Open vSwitch, sysctls): what failed and what to do.
public typealias NetError = CodedError<NetErrorKind>

extension ErrorCode where Kind == NetErrorKind {
    /// A host tool failed or refused (nft, ovs-vsctl).
    public static let hostTool = Self("host-tool")
    /// A host facility is missing: a tool is not installed, a daemon not running.
    public static let unavailable = Self("unavailable")
}

extension CodedError where Kind == NetErrorKind {
    /// An error with code `.hostTool`.
    public init(_ message: String, hint: String? = nil, cause: (any Error)? = nil) {
        self.init(.hostTool, message, hint: hint, cause: cause)
    }
}
