import Spec

/// One key press that types a character: a Linux input key code, with or without Shift.
public struct LinuxKeystroke: Sendable, Hashable {
    /// `KEY_*` from `linux/input-event-codes.h`.
    public var code: UInt32
    /// Whether Shift is held (US layout).
    public var shift: Bool

    public init(code: UInt32, shift: Bool) {
        self.code = code
        self.shift = shift
    }
}

/// Linux input key codes (`linux/input-event-codes.h`) for typing boot commands into a guest through
/// `virDomainSendKey` with `VIR_KEYCODE_SET_LINUX`: scan codes, so the guest's keymap cannot garble them.
public enum LinuxKey {
    public static let escape: UInt32 = 1
    public static let backspace: UInt32 = 14
    public static let tab: UInt32 = 15
    public static let enter: UInt32 = 28
    public static let leftControl: UInt32 = 29
    public static let leftShift: UInt32 = 42
    public static let rightShift: UInt32 = 54
    public static let leftAlt: UInt32 = 56
    public static let space: UInt32 = 57
    public static let f1: UInt32 = 59
    public static let rightControl: UInt32 = 97
    public static let rightAlt: UInt32 = 100
    public static let home: UInt32 = 102
    public static let up: UInt32 = 103
    public static let pageUp: UInt32 = 104
    public static let left: UInt32 = 105
    public static let right: UInt32 = 106
    public static let end: UInt32 = 107
    public static let down: UInt32 = 108
    public static let pageDown: UInt32 = 109
    public static let insert: UInt32 = 110
    public static let delete: UInt32 = 111
    public static let leftMeta: UInt32 = 125
    public static let rightMeta: UInt32 = 126
    /// `KEY_COMPOSE`, the PC "menu" key (what QEMU sends for `menu`).
    public static let compose: UInt32 = 127

    /// F1…F10 are 59…68; F11, F12 are 87, 88.
    public static func function(_ number: Int) -> UInt32? {
        switch number {
        case 1...10: return UInt32(58 + number)
        case 11: return 87
        case 12: return 88
        default: return nil
        }
    }

    /// The key code of a boot command's named key; every `BootKey` has one.
    public static func code(for key: BootKey) -> UInt32 {
        switch key {
        case .enter: enter
        case .escape: escape
        case .tab: tab
        case .space: space
        case .backspace: backspace
        case .delete: delete
        case .f1: 59
        case .f2: 60
        case .f3: 61
        case .f4: 62
        case .f5: 63
        case .f6: 64
        case .f7: 65
        case .f8: 66
        case .f9: 67
        case .f10: 68
        case .f11: 87
        case .f12: 88
        case .up: up
        case .down: down
        case .left: left
        case .right: right
        case .home: home
        case .end: end
        case .pageUp: pageUp
        case .pageDown: pageDown
        case .insert: insert
        case .menu: compose
        case .leftAlt: leftAlt
        case .leftCtrl: leftControl
        case .leftShift: leftShift
        case .leftSuper: leftMeta
        case .rightAlt: rightAlt
        case .rightCtrl: rightControl
        case .rightShift: rightShift
        case .rightSuper: rightMeta
        }
    }

    private static let unshifted: [Character: UInt32] = {
        var map: [Character: UInt32] = [:]
        for (row, start) in [("1234567890-=", 2), ("qwertyuiop[]", 16), ("asdfghjkl;'`", 30), ("\\zxcvbnm,./", 43)] as [(String, UInt32)] {
            for (offset, character) in row.enumerated() { map[character] = start + UInt32(offset) }
        }
        map[" "] = space
        map["\n"] = enter
        map["\t"] = tab
        return map
    }()

    private static let shifted: [Character: Character] = {
        let pairs = Array(zip("!@#$%^&*()_+{}:\"~|<>?", "1234567890-=[];'`\\,./"))
        var map = Dictionary(uniqueKeysWithValues: pairs)
        for letter in "abcdefghijklmnopqrstuvwxyz" { map[Character(letter.uppercased())] = letter }
        return map
    }()

    /// The key that types `character` on a US layout: every printable US-ASCII character, newline
    /// (Enter) and tab; nil for anything else.
    public static func keystroke(for character: Character) -> LinuxKeystroke? {
        if let code = unshifted[character] { return LinuxKeystroke(code: code, shift: false) }
        if let base = shifted[character], let code = unshifted[base] { return LinuxKeystroke(code: code, shift: true) }
        return nil
    }

    /// The chord (keys pressed together) that types `character` on a US layout, or nil.
    public static func chord(for character: Character) -> [UInt32]? {
        chord(for: character, holding: [])
    }

    /// The chord typing `character` while the modifiers in `held` are down (`<leftCtrlOn>c`), or nil.
    public static func chord(for character: Character, holding held: [BootKey]) -> [UInt32]? {
        guard let stroke = keystroke(for: character) else { return nil }
        var codes = held.map(code(for:))
        if stroke.shift, !codes.contains(leftShift), !codes.contains(rightShift) { codes.append(leftShift) }
        return codes + [stroke.code]
    }

    /// The chord pressing `key` while the modifiers in `held` are down.
    public static func chord(for key: BootKey, holding held: [BootKey] = []) -> [UInt32] {
        let codes = held.map(code(for:))
        let own = code(for: key)
        return codes.contains(own) ? codes : codes + [own]
    }
}
