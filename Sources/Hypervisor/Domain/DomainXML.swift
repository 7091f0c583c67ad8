/// Writes libvirt domain XML for a `DomainSpec`. Pure: same spec, same text.
public enum DomainXML {
    /// The domain XML for `spec`.
    public static func make(_ spec: DomainSpec) -> String {
        let e = XMLText.escape
        let userArguments = userModeArguments(spec)
        var xml = "<domain type='\(spec.accelerator.domainType)'"
        if !userArguments.isEmpty { xml += " xmlns:qemu='\(qemuNamespace)'" }
        xml += ">\n"
        xml += "  <name>\(e(spec.name))</name>\n"
        if let uuid = spec.uuid { xml += "  <uuid>\(e(uuid))</uuid>\n" }
        xml += "  <metadata>\n    \(metadataElement(spec.metadata))\n  </metadata>\n"
        xml += "  <memory unit='MiB'>\(spec.memoryMiB)</memory>\n"
        xml += "  <currentMemory unit='MiB'>\(spec.memoryMiB)</currentMemory>\n"
        if spec.filesystems.contains(where: \.needsSharedMemory) {
            xml += "  <memoryBacking>\n    <source type='memfd'/>\n    <access mode='shared'/>\n  </memoryBacking>\n"
        }
        xml += "  <vcpu placement='static'>\(spec.cpus)</vcpu>\n"
        xml += "  <os>\n    <type arch='x86_64' machine='\(spec.machine.rawValue)'>hvm</type>\n"
        if let boot = spec.directKernelBoot {
            xml += "    <kernel>\(e(boot.kernel))</kernel>\n"
            if let initrd = boot.initrd { xml += "    <initrd>\(e(initrd))</initrd>\n" }
            xml += "    <cmdline>\(e(boot.cmdline))</cmdline>\n"
        } else {
            if spec.cdromPath != nil && spec.bootFromCDROM { xml += "    <boot dev='cdrom'/>\n" }
            xml += "    <boot dev='hd'/>\n"
            if spec.cdromPath != nil && !spec.bootFromCDROM { xml += "    <boot dev='cdrom'/>\n" }
        }
        if spec.hostname != nil { xml += "    <smbios mode='sysinfo'/>\n" }
        xml += "  </os>\n"
        if let hostname = spec.hostname {
            xml += "  <sysinfo type='smbios'>\n    <oemStrings>\n"
            xml += "      <entry>\(e(hostnameCredential + hostname))</entry>\n"
            xml += "    </oemStrings>\n  </sysinfo>\n"
        }
        xml += "  <features>\n    <acpi/>\n    <apic/>\n  </features>\n"
        switch spec.accelerator {
        case .kvm: xml += "  <cpu mode='host-passthrough' check='none' migratable='on'/>\n"
        // Nehalem is x86-64-v2 (SSE4.2, POPCNT: what RHEL 9 and friends require) without the AVX
        // family, which `max` adds and TCG emulates slowly: the tiny box reaches sshd with ~15 % less
        // CPU time than under `max`.
        case .tcg: xml += "  <cpu mode='custom' match='exact' check='none'><model fallback='allow'>Nehalem</model></cpu>\n"
        }
        xml += "  <clock offset='utc'/>\n"
        xml += "  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>\(spec.onReboot.rawValue)</on_reboot>\n  <on_crash>destroy</on_crash>\n"
        xml += "  <devices>\n"
        if let emulator = spec.emulator { xml += "    <emulator>\(e(emulator))</emulator>\n" }
        xml += "    <disk type='file' device='disk'>\n"
        xml += "      <driver name='qemu' type='\(e(spec.diskFormat.rawValue))' cache='\(spec.diskCache.rawValue)' discard='unmap'/>\n"
        xml += "      <source file='\(e(spec.diskPath))'/>\n"
        xml += "      <target dev='vda' bus='virtio'/>\n"
        xml += "    </disk>\n"
        for (index, disk) in spec.additionalDisks.enumerated() {
            let letter = Character(Unicode.Scalar(UInt8(ascii: "b") + UInt8(min(index, 24))))
            xml += "    <disk type='file' device='disk'>\n"
            xml += "      <driver name='qemu' type='\(e(disk.format.rawValue))' cache='\(spec.diskCache.rawValue)' discard='unmap'/>\n"
            xml += "      <source file='\(e(disk.path))'/>\n"
            xml += "      <target dev='vd\(letter)' bus='virtio'/>\n"
            xml += "    </disk>\n"
        }
        if let cdrom = spec.cdromPath {
            let bus = spec.machine == .q35 ? "sata" : "ide"
            xml += "    <disk type='file' device='cdrom'>\n"
            xml += "      <driver name='qemu' type='raw'/>\n"
            xml += "      <source file='\(e(cdrom))'/>\n"
            xml += "      <target dev='\(bus == "sata" ? "sda" : "hdc")' bus='\(bus)'/>\n"
            xml += "      <readonly/>\n"
            xml += "    </disk>\n"
        }
        for (index, cdrom) in spec.additionalCDROMs.enumerated() {
            let sata = spec.machine == .q35
            let target = sata ? "sd" + String(Character(Unicode.Scalar(UInt8(ascii: "b") + UInt8(min(index, 24))))) : ["hdd", "hdb"][min(index, 1)]
            xml += "    <disk type='file' device='cdrom'>\n"
            xml += "      <driver name='qemu' type='raw'/>\n"
            xml += "      <source file='\(e(cdrom))'/>\n"
            xml += "      <target dev='\(target)' bus='\(sata ? "sata" : "ide")'/>\n"
            xml += "      <readonly/>\n"
            xml += "    </disk>\n"
        }
        for filesystem in spec.filesystems { xml += self.filesystem(filesystem) }
        for nic in spec.nics where !nic.isUserMode { xml += interface(nic) }
        xml += "    <serial type='pty'>\n"
        if let log = spec.serialLogPath { xml += "      <log file='\(e(log))' append='off'/>\n" }
        xml += "      <target port='0'/>\n"
        xml += "    </serial>\n"
        xml += "    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n"
        xml += "    <rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>\n    </rng>\n"
        // No USB controller: nothing vmfile attaches uses it, and the firmware's USB scan costs a
        // TCG guest about a second of boot.
        xml += "    <controller type='usb' model='none'/>\n"
        xml += "    <memballoon model='none'/>\n"
        xml += "  </devices>\n"
        if spec.qemuAsRoot {
            xml += "  <seclabel type='static' model='dac' relabel='no'>\n    <label>+0:+0</label>\n  </seclabel>\n"
        }
        if !userArguments.isEmpty {
            xml += "  <qemu:commandline>\n"
            for argument in userArguments { xml += "    <qemu:arg value='\(e(argument))'/>\n" }
            xml += "  </qemu:commandline>\n"
        }
        xml += "</domain>\n"
        return xml
    }

    /// The SMBIOS OEM string prefix systemd reads the hostname credential from.
    public static let hostnameCredential = "io.systemd.credential:system.hostname="

    /// libvirt's namespace for QEMU pass-through arguments.
    static let qemuNamespace = "http://libvirt.org/schemas/domain/qemu/1.0"

    /// The QEMU arguments of the spec's user-mode NICs, in NIC order.
    static func userModeArguments(_ spec: DomainSpec) -> [String] {
        var arguments: [String] = []
        var index = 0
        for nic in spec.nics {
            guard case .user(let forwards) = nic.source else { continue }
            arguments += UserModeArguments.arguments(for: nic, forwards: forwards, index: index, machine: spec.machine)
            index += 1
        }
        return arguments
    }

    /// `xml` (a domain's definition as libvirt returns it) with the first user-mode NIC's forwards
    /// replaced by `forwards`; nil when the domain has no user-mode NIC written by vmfile.
    public static func replacingUserForwards(in xml: String, with forwards: [UserForward]) -> String? {
        let id = UserModeArguments.netdevID(0)
        for quote in ["'", "\""] {
            let opener = "value=\(quote)user,id=\(id)"
            guard let start = xml.range(of: opener) else { continue }
            let valueStart = xml.index(start.lowerBound, offsetBy: "value=\(quote)".count)
            guard let end = xml[valueStart...].firstIndex(of: Character(quote)) else { return nil }
            var netdev = "user,id=\(id)"
            for forward in forwards { netdev += ",hostfwd=\(forward.option)" }
            return String(xml[..<valueStart]) + XMLText.escape(netdev) + String(xml[end...])
        }
        return nil
    }

    /// The host forwards of a domain's user-mode NICs, read back from its XML.
    public static func userForwards(in xml: String) -> [UserForward] {
        UserModeArguments.forwards(inDomainXML: xml)
    }

    /// One `<filesystem>` element.
    static func filesystem(_ filesystem: FilesystemSpec) -> String {
        let e = XMLText.escape
        var xml: String
        switch filesystem.driver {
        case .virtiofs(let binary):
            xml = "    <filesystem type='mount' accessmode='passthrough'>\n      <driver type='virtiofs'/>\n"
            xml += "      <binary path='\(e(binary))'/>\n"
        case .ninep(let accessMode):
            xml = "    <filesystem type='mount' accessmode='\(e(accessMode))'>\n      <driver type='path'/>\n"
        }
        xml += "      <source dir='\(e(filesystem.source))'/>\n"
        xml += "      <target dir='\(e(filesystem.tag))'/>\n"
        xml += "    </filesystem>\n"
        return xml
    }

    /// One `<interface>` element.
    static func interface(_ nic: NICSpec) -> String {
        let e = XMLText.escape
        var xml: String
        switch nic.source {
        case .network(let name):
            xml = "    <interface type='network'>\n      <source network='\(e(name))'/>\n"
        case .bridge(let bridge):
            xml = "    <interface type='bridge'>\n      <source bridge='\(e(bridge))'/>\n"
        case .direct(let device, let mode):
            xml = "    <interface type='direct'>\n      <source dev='\(e(device))' mode='\(e(mode))'/>\n"
        case .user:
            // Not reached from `make` (user-mode NICs are QEMU arguments); plain slirp without forwards.
            xml = "    <interface type='user'>\n"
        }
        if let mac = nic.mac { xml += "      <mac address='\(e(mac))'/>\n" }
        xml += "      <model type='\(e(nic.model))'/>\n"
        if !nic.checksumOffload { xml += "      <driver>\n        <host csum='off'/>\n        <guest csum='off'/>\n      </driver>\n" }
        if nic.openvswitch {
            if case .direct = nic.source {} else { xml += "      <virtualport type='openvswitch'/>\n" }
        }
        if let vlan = nic.vlan { xml += "      <vlan>\n        <tag id='\(vlan)'/>\n      </vlan>\n" }
        xml += "    </interface>\n"
        return xml
    }

    /// The `<vmfile:machine …/>` element with attributes sorted by name.
    public static func metadataElement(_ metadata: [String: String]) -> String {
        var element = "<\(VmfileMetadata.prefix):\(VmfileMetadata.machineElement) xmlns:\(VmfileMetadata.prefix)='\(VmfileMetadata.namespace)'"
        for key in metadata.keys.sorted() {
            element += " \(key)='\(XMLText.escape(metadata[key] ?? ""))'"
        }
        return element + "/>"
    }

    /// The attributes of the `machine` element in `xml` (a domain's XML or the metadata element
    /// alone), whatever namespace prefix libvirt chose; nil when absent.
    public static func parseMetadata(_ xml: String) -> [String: String]? {
        metadataAttributes(element: VmfileMetadata.machineElement, in: xml)
    }

    /// Attributes of `element` in vmfile's namespace: prefixed (`<vmfile:machine …>`, as defined) or
    /// with a default namespace (`<machine xmlns='…'>`, as `virDomainGetMetadata` returns it).
    static func metadataAttributes(element: String, in xml: String) -> [String: String]? {
        guard xml.contains(VmfileMetadata.namespace) else { return nil }
        for prefix in [VmfileMetadata.prefix] + prefixes(boundTo: VmfileMetadata.namespace, in: xml) {
            if let attributes = XMLText.elements("\(prefix):\(element)", in: xml).first {
                return attributes.filter { !$0.key.hasPrefix("xmlns") }
            }
        }
        for attributes in XMLText.elements(element, in: xml) where attributes["xmlns"] == VmfileMetadata.namespace {
            return attributes.filter { !$0.key.hasPrefix("xmlns") }
        }
        return nil
    }

    /// The prefixes bound to `namespace` by `xmlns:prefix='namespace'` declarations in `xml`.
    static func prefixes(boundTo namespace: String, in xml: String) -> [String] {
        var found: [String] = []
        var rest = Substring(xml)
        while let range = rest.range(of: "xmlns:") {
            rest = rest[range.upperBound...]
            guard let equals = rest.firstIndex(of: "=") else { break }
            let prefix = String(rest[..<equals])
            let value = rest[rest.index(after: equals)...].dropFirst()
            if value.hasPrefix(namespace + "'") || value.hasPrefix(namespace + "\"") { found.append(prefix) }
        }
        return found
    }
}
