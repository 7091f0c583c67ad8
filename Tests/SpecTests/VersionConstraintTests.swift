import Foundation
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

@Suite struct VersionCodingTests {
    @Test func versionsEncodeAsText() throws {
        let encoder = JSONEncoder()
        #expect(String(decoding: try encoder.encode(try #require(BoxVersion("1.4.2"))), as: UTF8.self) == "\"1.4.2\"")
        let constraint = try #require(VersionConstraint(">= 1.2, < 2"))
        #expect(String(decoding: try encoder.encode(constraint), as: UTF8.self) == "\">= 1.2, < 2\"")
    }

    @Test func versionsDecodeFromTextAndTheOlderKeyedForm() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode(BoxVersion.self, from: Data("\"2.0.1\"".utf8)) == BoxVersion("2.0.1"))
        #expect(try decoder.decode(BoxVersion.self, from: Data("{\"components\":[3,1]}".utf8)) == BoxVersion("3.1"))
        #expect(try decoder.decode(VersionConstraint.self, from: Data("\"~> 1.4\"".utf8)) == VersionConstraint("~> 1.4"))
        #expect(throws: DecodingError.self) { try decoder.decode(BoxVersion.self, from: Data("\"x\"".utf8)) }
    }
}
