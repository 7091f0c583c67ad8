import Testing
@testable import Spec

@Suite struct VersionConstraintTests {
    @Test(arguments: [
        (">= 1.2, < 2", "1.2", true),
        (">= 1.2, < 2", "1.9.9", true),
        (">= 1.2, < 2", "2.0", false),
        (">= 1.2, < 2", "1.1", false),
        ("~> 1.4", "1.9", true),
        ("~> 1.4", "2.0", false),
        ("~> 1.4.2", "1.4.9", true),
        ("~> 1.4.2", "1.5.0", false),
        ("!= 1.0", "1.0.0", false),
        ("1.0", "1", true),
        ("> 1", "1.0.1", true),
        ("<= 3", "3.0", true),
    ])
    func matches(constraint: String, version: String, expected: Bool) throws {
        let parsed = try #require(VersionConstraint(constraint))
        let candidate = try #require(BoxVersion(version))
        #expect(parsed.matches(candidate) == expected)
    }

    @Test(arguments: ["", ">=", "1.x", ">= 1,", "abc", "1..2"])
    func rejectsMalformed(text: String) {
        #expect(VersionConstraint(text) == nil)
    }
}
