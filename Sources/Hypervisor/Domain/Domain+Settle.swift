internal import CLibvirt
import Foundation

extension Domain {
    /// True while libvirt is in the middle of changing this domain: a start still in progress (paused
    /// with reason "starting up") or any background job on it. What a caller sees then is someone
    /// else's operation half-way (often a killed vmfile's, which libvirtd finishes on its own), not a
    /// state to act on.
    public func isInTransition() throws(HypervisorError) -> Bool {
        try withPointer { domain throws(HypervisorError) in
            var state: Int32 = 0
            var reason: Int32 = 0
            try Libvirt.check("Reading the state of domain \(name)") { virDomainGetState(domain, &state, &reason, 0) }
            if UInt32(bitPattern: state) == VIR_DOMAIN_PAUSED.rawValue
                && UInt32(bitPattern: reason) == VIR_DOMAIN_PAUSED_STARTING_UP.rawValue {
                return true
            }
            // Only a running QEMU has a monitor to report jobs on; an inactive domain is settled.
            guard DomainState(libvirt: state).isActive else { return false }
            var info = virDomainControlInfo()
            do throws(HypervisorError) {
                try Libvirt.check("Reading the control state of domain \(name)") { virDomainGetControlInfo(domain, &info, 0) }
            } catch where error.code == .operationInvalid {
                return false  // stopped since the state was read
            }
            return info.state == UInt32(VIR_DOMAIN_CONTROL_JOB.rawValue)
        }
    }

    /// The state once no operation is in flight on the domain, waiting up to `timeout` for one to
    /// finish (then the state as it is). Blocks the calling thread.
    public func settledState(timeout: TimeInterval = 120, interval: TimeInterval = 0.1) throws(HypervisorError) -> DomainState {
        let deadline = Date().addingTimeInterval(timeout)
        while try isInTransition(), Date() < deadline {
            Thread.sleep(forTimeInterval: interval)
        }
        return try state()
    }
}
