internal import CLibvirt
import Spec

extension Domain {
    /// The most keys libvirt sends in one chord (`VIR_DOMAIN_SEND_KEY_MAX_KEYS`).
    public static let maximumChordKeys = 16

    /// Presses the Linux key codes in `codes` together (a chord, e.g. `[LinuxKey.leftControl, 46]`), holds
    /// them for `holdTime` (zero: QEMU's default, 100 ms) and releases them.
    /// - Throws: `.invalidArgument` for an empty chord or one of more than 16 keys (before sending anything).
    public func sendKeys(_ codes: [UInt32], holdTime: Duration = .zero) throws(HypervisorError) {
        guard !codes.isEmpty, codes.count <= Self.maximumChordKeys else {
            throw HypervisorError(.invalidArgument, "Sending keys to domain \(name): a chord has 1 to \(Self.maximumChordKeys) keys, not \(codes.count)")
        }
        let components = holdTime.components
        let milliseconds = UInt32(clamping: components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
        var keys = codes
        try withPointer { domain throws(HypervisorError) in
            try Libvirt.check("Sending keys \(codes) to domain \(name)") {
                virDomainSendKey(domain, UInt32(VIR_KEYCODE_SET_LINUX.rawValue), milliseconds, &keys, Int32(keys.count), 0)
            }
        }
    }

    /// Types `text` on a US layout, one chord per character, with the modifiers in `held` down.
    /// - Throws: `.invalidArgument` for a character that has no key (before sending anything).
    public func type(_ text: String, holding held: [BootKey] = [], holdTime: Duration = .zero) throws(HypervisorError) {
        var chords: [[UInt32]] = []
        for character in text {
            guard let chord = LinuxKey.chord(for: character, holding: held) else {
                throw HypervisorError(.invalidArgument, "Typing into domain \(name): no key for \(character.debugDescription); use a key name such as <enter> instead")
            }
            chords.append(chord)
        }
        for chord in chords { try sendKeys(chord, holdTime: holdTime) }
    }
}
