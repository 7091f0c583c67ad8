import Testing
import Yams
@testable import Spec

@Suite struct ScalarKindTests {
    private func kind(_ yaml: String) throws -> ScalarKind? {
        let root = try #require(try Yams.compose(yaml: "v: \(yaml)", .basic))
        return ScalarKind(try #require(root.mapping?["v"]))
    }

    @Test(arguments: [
        ("", ScalarKind.null), ("~", .null), ("null", .null), ("NULL", .null),
        ("true", .bool(true)), ("yes", .bool(true)), ("On", .bool(true)), ("false", .bool(false)), ("no", .bool(false)),
        ("42", .int(42)), ("-7", .int(-7)), ("+3", .int(3)), ("1_000", .int(1000)), ("0x1F", .int(31)),
        ("0o17", .int(15)), ("0b101", .int(5)), ("99999999999999999999", .float),
        ("1.5", .float), ("1e3", .float), (".inf", .float), (".nan", .float),
        ("\"42\"", .string("42")), ("'true'", .string("true")), ("tiny", .string("tiny")), ("1.2.3", .string("1.2.3")),
        ("2GiB", .string("2GiB")), ("0.0.0.0", .string("0.0.0.0")), ("!!int 12", .int(12)), ("!!str yes", .string("yes")),
        ("1e", .string("1e")), ("e1", .string("e1")), ("0x", .string("0x")), ("-x", .string("-x")), ("! yes", .string("yes")),
    ])
    func classifies(yaml: String, expected: ScalarKind) throws {
        #expect(try kind(yaml) == expected)
    }

    @Test func collectionsAreNotScalars() throws {
        #expect(try kind("[1]") == nil)
        #expect(try kind("{a: 1}") == nil)
    }
}
