import Testing
@testable import Hypervisor

@Suite struct LinuxKeyTests {
    @Test(arguments: [
        ("a", [30]), ("A", [42, 30]), ("1", [2]), ("!", [42, 2]), (" ", [57]), ("\n", [28]),
        ("/", [53]), ("?", [42, 53]), ("=", [13]), ("~", [42, 41]), ("|", [42, 43]), ("z", [44]),
    ] as [(Character, [UInt32])])
    func chords(character: Character, expected: [UInt32]) {
        #expect(LinuxKey.chord(for: character) == expected)
    }

    @Test func unknownCharacterHasNoChord() {
        #expect(LinuxKey.chord(for: "é") == nil)
        #expect(LinuxKey.function(12) == 88)
        #expect(LinuxKey.function(13) == nil)
    }
}
