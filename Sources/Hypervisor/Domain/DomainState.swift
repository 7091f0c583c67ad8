internal import CLibvirt

/// A domain's run state, as libvirt reports it.
public enum DomainState: String, Sendable, Equatable, CaseIterable {
    case noState = "nostate"
    case running
    case blocked
    case paused
    case shuttingDown = "shutting-down"
    case shutOff = "shutoff"
    case crashed
    case suspendedToDisk = "pmsuspended"

    init(libvirt value: Int32) {
        switch UInt32(bitPattern: value) {
        case VIR_DOMAIN_RUNNING.rawValue: self = .running
        case VIR_DOMAIN_BLOCKED.rawValue: self = .blocked
        case VIR_DOMAIN_PAUSED.rawValue: self = .paused
        case VIR_DOMAIN_SHUTDOWN.rawValue: self = .shuttingDown
        case VIR_DOMAIN_SHUTOFF.rawValue: self = .shutOff
        case VIR_DOMAIN_CRASHED.rawValue: self = .crashed
        case VIR_DOMAIN_PMSUSPENDED.rawValue: self = .suspendedToDisk
        default: self = .noState
        }
    }

    /// True while QEMU runs the guest (running, blocked, paused, shutting down, PM-suspended).
    public var isActive: Bool {
        switch self {
        case .shutOff, .crashed, .noState: return false
        default: return true
        }
    }
}
