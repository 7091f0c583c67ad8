/// One step of a boot command, parsed from Packer's key syntax when the Boxfile is loaded.
public enum BootStep: Codable, Sendable, Equatable {
    /// Characters typed as keys on a US layout (shift where needed), after template expansion.
    /// Expanded values are typed as they are: a `<` in a variable is a `<`, never a key name.
    case text(Template)
    /// A named key pressed and released (`<enter>`, `<f2>`, or a modifier alone such as `<leftAlt>`).
    case key(BootKey)
    /// A modifier held down (`<leftCtrlOn>`) and added to every key until its `release`.
    case press(BootKey)
    /// A held modifier let go (`<leftCtrlOff>`).
    case release(BootKey)
    /// `<wait>` (1 s), `<wait5>` (seconds), `<wait250ms>`, `<wait1m30s>` (Go durations, as Packer).
    case wait(Duration)
    /// `<waitFor "regex">` or `<waitFor "regex" 120s>`: wait until the serial console shows text matching
    /// `pattern` (a Swift `Regex`, checked at load), or fail after `timeout` (default 300 s).
    case waitFor(pattern: String, timeout: Duration)

    /// The timeout of a `<waitFor>` that names none.
    public static let defaultWaitForTimeout = Duration.seconds(300)
}

/// The named keys of a boot command; `rawValue` is Packer's spelling (matched case-insensitively).
/// Hypervisor maps every case to a Linux input key code.
public enum BootKey: String, Codable, Sendable, CaseIterable {
    case enter, escape = "esc", tab, space = "spacebar", backspace = "bs", delete = "del"
    case f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12
    case up, down, left, right, home, end, pageUp, pageDown, insert, menu
    case leftAlt, leftCtrl, leftShift, leftSuper, rightAlt, rightCtrl, rightShift, rightSuper

    /// Whether the key can be held with `<…On>` / `<…Off>`.
    public var isModifier: Bool {
        switch self {
        case .leftAlt, .leftCtrl, .leftShift, .leftSuper, .rightAlt, .rightCtrl, .rightShift, .rightSuper: true
        default: false
        }
    }

    /// Other spellings Packer accepts for a key.
    static let aliases: [String: BootKey] = ["return": .enter]

    /// The key called `name` (any case; `return` is `enter`), or nil.
    init?(named name: String) {
        let lowered = name.lowercased()
        if let alias = Self.aliases[lowered] {
            self = alias
            return
        }
        guard let key = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = key
    }
}
