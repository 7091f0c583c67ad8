internal import CLibvirt
import Foundation

extension DomainSnapshot {
    /// Reverts as `revert(running:)` does, inside the domain's QEMU process when `revertInPlace` can
    /// (0.3 s instead of libvirt's new QEMU process, 2 s more for a tiny TCG guest). A failed in-place
    /// load is logged and replaced by libvirt's revert, which starts a fresh QEMU from the snapshot.
    public func revertPreferringInPlace(running: Bool? = nil) throws(HypervisorError) {
        do {
            if try revertInPlace(running: running) { return }
        } catch {
            domain.connection.logger.info("in-place revert failed, reverting through libvirt",
                                          metadata: ["domain": "\(domain.name)", "snapshot": "\(name)", "error": "\(error)"])
        }
        try revert(running: running)
    }

    /// Reverts a running or paused domain to this snapshot inside its QEMU process (the monitor's
    /// `loadvm`: memory, device state and the disks' internal snapshot), when `SnapshotInPlaceLoad`
    /// allows it. `running` forces the domain running (true) or paused (false) afterwards; nil restores
    /// the state the snapshot recorded. Returns false, having changed nothing, when it cannot be done
    /// in place (domain not active, snapshot without memory, definition changed since): then `revert`.
    ///
    /// The domain is paused through libvirt first, so libvirt's view of its state stays true. libvirt
    /// marks a domain that had a monitor command as tainted (`custom-monitor`, in its logs only).
    /// - Throws: when `loadvm` fails after the pause; the guest's state is then undefined and the
    ///   caller must `revert`, which starts a fresh QEMU from the snapshot.
    public func revertInPlace(running: Bool? = nil) throws(HypervisorError) -> Bool {
        let state = try domain.state()
        guard SnapshotInPlaceLoad.isPlainName(name), state.isActive else { return false }
        let description = try xml()
        guard SnapshotInPlaceLoad.allows(snapshotXML: description, inactiveDomainXML: try domain.xml(inactive: true)) else {
            return false
        }
        if state != .paused { try domain.suspend() }
        let reply = try domain.humanMonitorCommand("loadvm \(name)")
        let trimmed = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.isEmpty else {
            throw HypervisorError(.operationFailed, "Loading snapshot \(name) into the running domain \(domain.name): \(trimmed)")
        }
        let saved = XMLText.text(of: "state", in: description)
        if running ?? (saved == "running") { try domain.resume() }
        domain.connection.logger.debug("reverted in place", metadata: ["domain": "\(domain.name)", "snapshot": "\(name)"])
        return true
    }
}

extension Domain {
    /// Runs `command` on the domain's QEMU human monitor and returns its reply (empty for success of
    /// most commands). libvirt marks the domain tainted (`custom-monitor`); use only where libvirt has no API
    /// for what is needed, with commands that leave libvirt's view of the domain true.
    func humanMonitorCommand(_ command: String) throws(HypervisorError) -> String {
        try withPointer { domain throws(HypervisorError) in
            var result: UnsafeMutablePointer<CChar>?
            _ = try Libvirt.check("Running `\(command)` on the monitor of domain \(name)") {
                virDomainQemuMonitorCommand(domain, command, &result, UInt32(VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP.rawValue))
            }
            defer { free(result) }
            return result.map { String(cString: $0) } ?? ""
        }
    }
}
