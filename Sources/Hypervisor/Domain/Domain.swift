internal import CLibvirt
import Foundation

/// A libvirt domain (virtual machine). Owns its `virDomainPtr`, freed exactly once in `deinit`.
///
/// `@unchecked Sendable`: immutable pointer; libvirt objects are thread-safe and errors are read in
/// the failing call (see `LibvirtConnection`).
public final class Domain: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// Keeps the connection open for as long as this handle lives.
    public let connection: LibvirtConnection
    /// The domain name.
    public let name: String

    init(adopting pointer: OpaquePointer, connection: LibvirtConnection) {
        self.pointer = pointer
        self.connection = connection
        self.name = virDomainGetName(pointer).map { String(cString: $0) } ?? ""
    }

    deinit { virDomainFree(pointer) }

    @discardableResult
    func withPointer<T, E: Error>(_ body: (OpaquePointer) throws(E) -> T) throws(E) -> T {
        try body(pointer)
    }

    private func call(_ doing: String, hint: String? = nil, _ body: (OpaquePointer) -> Int32) throws(HypervisorError) {
        try withPointer { domain throws(HypervisorError) in
            try Libvirt.check("\(doing) domain \(name)", hint: hint) { body(domain) }
        }
    }

    /// The domain UUID as text.
    public func uuid() throws(HypervisorError) -> String {
        try withPointer { domain throws(HypervisorError) in
            var buffer = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
            try Libvirt.check("Reading the UUID of domain \(name)") { virDomainGetUUIDString(domain, &buffer) }
            return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Boots the defined domain. A domain that is already running once libvirt settles (another
    /// caller's start, e.g. a killed vmfile's that libvirtd finished) is the wanted outcome.
    public func start() throws(HypervisorError) {
        let log = connection.uriInfo.isSession ? "~/.cache/libvirt/qemu/log/\(name).log" : "/var/log/libvirt/qemu/\(name).log"
        do {
            try call("Starting", hint: "See the QEMU log \(log) on the libvirt host") { virDomainCreate($0) }
        } catch where error.code == .operationInvalid {
            guard try settledState().isActive else { throw error }
        }
    }

    /// Asks the guest to power off (ACPI power button). Returns immediately; see `waitForState`.
    public func shutdown() throws(HypervisorError) {
        try call("Shutting down") { virDomainShutdownFlags($0, UInt32(VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN.rawValue)) }
    }

    /// Powers the domain off at once, like pulling the plug. A domain that is not running is not an error.
    public func destroy() throws(HypervisorError) {
        do {
            try call("Forcing off") { virDomainDestroy($0) }
        } catch where error.code == .operationInvalid {
            if try state().isActive { throw error }
        }
    }

    /// Pauses the vCPUs (state `paused`; memory stays in QEMU).
    public func suspend() throws(HypervisorError) {
        try call("Pausing") { virDomainSuspend($0) }
    }

    /// Continues a paused domain. One that is running once libvirt settles is the wanted outcome.
    public func resume() throws(HypervisorError) {
        do {
            try call("Resuming") { virDomainResume($0) }
        } catch where error.code == .operationInvalid {
            guard try settledState() == .running else { throw error }
        }
    }

    /// Asks the guest to reboot (ACPI).
    public func reboot() throws(HypervisorError) {
        try call("Rebooting") { virDomainReboot($0, UInt32(VIR_DOMAIN_REBOOT_ACPI_POWER_BTN.rawValue)) }
    }

    /// Resets the virtual hardware without guest cooperation.
    public func reset() throws(HypervisorError) {
        try call("Resetting") { virDomainReset($0, 0) }
    }

    /// Removes the persistent definition together with snapshot/checkpoint metadata, managed-save
    /// images and NVRAM. A running domain keeps running (transient) until destroyed.
    public func undefine() throws(HypervisorError) {
        let flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE.rawValue | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA.rawValue
            | VIR_DOMAIN_UNDEFINE_NVRAM.rawValue | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA.rawValue
        try call("Undefining") { virDomainUndefineFlags($0, UInt32(flags)) }
    }

    /// The current run state.
    public func state() throws(HypervisorError) -> DomainState {
        try withPointer { domain throws(HypervisorError) in
            var state: Int32 = 0
            var reason: Int32 = 0
            try Libvirt.check("Reading the state of domain \(name)") { virDomainGetState(domain, &state, &reason, 0) }
            return DomainState(libvirt: state)
        }
    }

    /// True when the domain has a persistent definition.
    public func isPersistent() throws(HypervisorError) -> Bool {
        try withPointer { domain throws(HypervisorError) in
            try Libvirt.check("Checking whether domain \(name) is persistent") { virDomainIsPersistent(domain) } == 1
        }
    }

    /// The domain XML; `inactive` gives the persistent definition instead of the live one.
    public func xml(inactive: Bool = false) throws(HypervisorError) -> String {
        try withPointer { domain throws(HypervisorError) in
            try Libvirt.string("Reading the XML of domain \(name)") {
                virDomainGetXMLDesc(domain, inactive ? UInt32(VIR_DOMAIN_XML_INACTIVE.rawValue) : 0)
            }
        }
    }

    /// The vmfile metadata attributes, or nil when the domain carries none (not made by vmfile).
    public func vmfileMetadata() throws(HypervisorError) -> [String: String]? {
        let element: String
        do {
            element = try withPointer { domain throws(HypervisorError) in
                try Libvirt.string("Reading the vmfile metadata of domain \(name)") {
                    virDomainGetMetadata(domain, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue), VmfileMetadata.namespace, 0)
                }
            }
        } catch where error.code == .noDomainMetadata {
            return nil
        }
        // libvirt returns the element stripped of its namespace (`<machine a="…"/>`); it is ours
        // because it was looked up by vmfile's namespace URI.
        return XMLText.elements(VmfileMetadata.machineElement, in: element).first?.filter { !$0.key.hasPrefix("xmlns") }
            ?? DomainXML.parseMetadata(element) ?? [:]
    }

    /// Replaces the vmfile metadata in the live domain (when running) and its persistent definition.
    public func setVmfileMetadata(_ metadata: [String: String]) throws(HypervisorError) {
        // libvirt wants the element without a namespace; it binds `key` to `uri` itself.
        var element = "<\(VmfileMetadata.machineElement)"
        for key in metadata.keys.sorted() { element += " \(key)='\(XMLText.escape(metadata[key] ?? ""))'" }
        element += "/>"
        try call("Writing vmfile metadata of") { domain in
            var flags = UInt32(VIR_DOMAIN_AFFECT_CONFIG.rawValue)
            if virDomainIsActive(domain) == 1 {
                flags = UInt32(VIR_DOMAIN_AFFECT_LIVE.rawValue)
                if virDomainIsPersistent(domain) == 1 { flags |= UInt32(VIR_DOMAIN_AFFECT_CONFIG.rawValue) }
            }
            return virDomainSetMetadata(
                domain, Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue), element, VmfileMetadata.prefix, VmfileMetadata.namespace, flags
            )
        }
    }

    /// MAC addresses of the domain's network interfaces, with the network each is on.
    public func interfaces() throws(HypervisorError) -> [(network: String, mac: String)] {
        let description = try xml()
        var result: [(String, String)] = []
        var rest = Substring(description)
        while let open = rest.range(of: "<interface "), let close = rest[open.upperBound...].range(of: "</interface>") {
            let body = String(rest[open.lowerBound..<close.upperBound])
            let network = XMLText.elements("source", in: body).first?["network"] ?? ""
            if let mac = XMLText.elements("mac", in: body).first?["address"] { result.append((network, mac)) }
            rest = rest[close.upperBound...]
        }
        return result
    }

    /// Polls the state every `interval` until `predicate` holds or `timeout` passes.
    /// - Throws: `.timeout` with the last state seen.
    @discardableResult
    public func waitForState(
        timeout: Duration, interval: Duration = .milliseconds(100), _ predicate: @Sendable (DomainState) -> Bool
    ) async throws -> DomainState {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let current = try state()
            if predicate(current) { return current }
            if clock.now >= deadline {
                throw HypervisorError(.timeout, "Waiting for domain \(name): still \(current.rawValue) after \(timeout). Try `vmfile halt --force`")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Waits until the domain is no longer active (shut off or crashed).
    public func waitUntilStopped(timeout: Duration) async throws {
        try await waitForState(timeout: timeout) { !$0.isActive }
    }
}

extension LibvirtConnection {
    /// Defines (persistently) or redefines a domain from `spec`. Without a UUID in `spec` the domain
    /// gets its name-based one (`DomainUUID`), so two defines of one name never conflict. A vmfile
    /// domain of that name with another UUID (made before UUIDs were name-based, or by an earlier
    /// define of a `spec` with its own UUID) is redefined under its UUID; someone else's is refused.
    @discardableResult
    public func defineDomain(_ spec: DomainSpec) throws(HypervisorError) -> Domain {
        var spec = spec
        if spec.uuid == nil { spec.uuid = DomainUUID.named(spec.name) }
        do {
            return try defineDomain(xml: DomainXML.make(spec), name: spec.name)
        } catch where error.code == .operationFailed {
            guard let existing = try domainIfPresent(named: spec.name), let uuid = try? existing.uuid(), uuid != spec.uuid else {
                throw error
            }
            guard try existing.vmfileMetadata() != nil else {
                throw HypervisorError(.notOwned, "Domain \(spec.name) exists on \(uri) but was not created by vmfile. Rename it or remove it with `virsh undefine \(spec.name)`")
            }
            spec.uuid = uuid
            return try defineDomain(xml: DomainXML.make(spec), name: spec.name)
        }
    }

    /// Defines (persistently) or redefines a domain from raw XML.
    @discardableResult
    public func defineDomain(xml: String, name: String = "(from XML)") throws(HypervisorError) -> Domain {
        try withPointer { connection throws(HypervisorError) in
            let raw = try Libvirt.pointer("Defining domain \(name) on \(uri)") { virDomainDefineXML(connection, xml) }
            return Domain(adopting: raw, connection: self)
        }
    }

    /// The domain called `name`.
    /// - Throws: `.noDomain` when there is none.
    public func domain(named name: String) throws(HypervisorError) -> Domain {
        try withPointer { connection throws(HypervisorError) in
            let raw = try Libvirt.pointer("Looking up domain \(name) on \(uri)") { virDomainLookupByName(connection, name) }
            return Domain(adopting: raw, connection: self)
        }
    }

    /// The domain called `name`, or nil when there is none.
    public func domainIfPresent(named name: String) throws(HypervisorError) -> Domain? {
        do { return try domain(named: name) } catch where error.isNotFound { return nil }
    }

    /// All domains, active and inactive.
    public func listAllDomains() throws(HypervisorError) -> [Domain] {
        try withPointer { connection throws(HypervisorError) in
            var list: UnsafeMutablePointer<OpaquePointer?>?
            let count = try Libvirt.check("Listing domains on \(uri)") { virConnectListAllDomains(connection, &list, 0) }
            defer { free(list) }
            return (0..<Int(count)).compactMap { index in
                list?[index].map { Domain(adopting: $0, connection: self) }
            }
        }
    }

    /// Domains carrying vmfile metadata, with it (for `global-status`). Domains that vanish while
    /// listing are skipped.
    public func listVmfileDomains() throws(HypervisorError) -> [(domain: Domain, metadata: [String: String])] {
        var result: [(Domain, [String: String])] = []
        for domain in try listAllDomains() {
            do {
                if let metadata = try domain.vmfileMetadata() { result.append((domain, metadata)) }
            } catch where error.isNotFound {
                continue
            }
        }
        return result
    }
}
