import Testing
@testable import Hypervisor
@testable import Spec

@Suite struct KeyCodeTableTests {
    static let printable = (0x20...0x7E).compactMap(Unicode.Scalar.init).map(Character.init)

    @Test func everyBootKeyHasItsOwnLinuxCode() {
        let codes = BootKey.allCases.map(LinuxKey.code(for:))
        #expect(Set(codes).count == BootKey.allCases.count, "two keys share a code: \(codes)")
        #expect(codes.allSatisfy { (1...0x2FF).contains($0) })
    }

    @Test(arguments: [
        (BootKey.enter, 28 as UInt32), (.escape, 1), (.tab, 15), (.space, 57), (.backspace, 14), (.delete, 111),
        (.f1, 59), (.f10, 68), (.f11, 87), (.f12, 88), (.up, 103), (.down, 108), (.left, 105), (.right, 106),
        (.home, 102), (.end, 107), (.pageUp, 104), (.pageDown, 109), (.insert, 110), (.menu, 127),
        (.leftCtrl, 29), (.leftShift, 42), (.leftAlt, 56), (.leftSuper, 125),
        (.rightCtrl, 97), (.rightShift, 54), (.rightAlt, 100), (.rightSuper, 126),
    ])
    func linuxCodes(key: BootKey, code: UInt32) {
        #expect(LinuxKey.code(for: key) == code)
    }

    @Test func functionKeysAgreeWithTheNumberedTable() {
        for number in 1...12 {
            let key = BootKey(rawValue: "f\(number)")
            #expect(key.map(LinuxKey.code(for:)) == LinuxKey.function(number))
        }
    }

    @Test(arguments: printable)
    func everyPrintableASCIICharacterHasAKey(character: Character) throws {
        let stroke = try #require(LinuxKey.keystroke(for: character))
        #expect(LinuxKey.chord(for: character) == (stroke.shift ? [LinuxKey.leftShift, stroke.code] : [stroke.code]))
    }

    @Test func distinctCharactersAreDistinctKeystrokes() {
        let strokes = Self.printable.compactMap(LinuxKey.keystroke(for:))
        #expect(Set(strokes).count == Self.printable.count)
    }

    @Test(arguments: [
        ("a", 30, false), ("A", 30, true), ("z", 44, false), ("Z", 44, true), (":", 39, true), (";", 39, false),
        ("|", 43, true), ("\\", 43, false), ("~", 41, true), ("`", 41, false), ("\"", 40, true), ("'", 40, false),
        ("<", 51, true), (">", 52, true), ("?", 53, true), ("_", 12, true), ("+", 13, true), ("{", 26, true),
        ("}", 27, true), ("0", 11, false), (")", 11, true), (" ", 57, false), ("\n", 28, false), ("\t", 15, false),
    ] as [(Character, UInt32, Bool)])
    func shiftFlags(character: Character, code: UInt32, shift: Bool) {
        #expect(LinuxKey.keystroke(for: character) == LinuxKeystroke(code: code, shift: shift))
    }

    /// What the Spec loader accepts as typeable text is exactly what the table can type.
    @Test func specAndTableAgreeOnWhatCanBeTyped() {
        for value in UInt32(0)...0xFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(BootCommandParser.isTypeable(scalar) == (LinuxKey.keystroke(for: Character(scalar)) != nil),
                    "U+\(String(value, radix: 16))")
        }
    }

    @Test func heldModifiersJoinEveryChord() {
        #expect(LinuxKey.chord(for: "c", holding: [.leftCtrl]) == [29, 46])
        #expect(LinuxKey.chord(for: "C", holding: [.leftCtrl, .leftAlt]) == [29, 56, 42, 46])
        #expect(LinuxKey.chord(for: "C", holding: [.rightShift]) == [54, 46], "no second shift")
        #expect(LinuxKey.chord(for: .delete, holding: [.leftCtrl, .leftAlt]) == [29, 56, 111])
        #expect(LinuxKey.chord(for: .leftAlt, holding: [.leftAlt]) == [56])
        #expect(LinuxKey.chord(for: .f2) == [60])
        #expect(LinuxKey.chord(for: "é", holding: [.leftCtrl]) == nil)
    }
}
