import Testing
@testable import Spec

@Suite struct BootCommandTests {
    static func steps(_ text: String) -> [BootStep] {
        let parsed = BootCommandParser.parse(text)
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        return parsed.steps
    }

    static func text(_ literal: String) -> BootStep { .text(Template(literal: literal)) }

    @Test(arguments: BootKey.allCases)
    func everyKeyByItsPackerName(key: BootKey) {
        #expect(Self.steps("<\(key.rawValue)>") == [.key(key)])
        #expect(Self.steps("<\(key.rawValue.uppercased())>") == [.key(key)], "names match in any case, as Packer's")
    }

    @Test(arguments: BootKey.allCases.filter(\.isModifier))
    func everyModifierHeldAndReleased(key: BootKey) {
        #expect(Self.steps("<\(key.rawValue)On>x<\(key.rawValue)Off>") == [.press(key), Self.text("x"), .release(key)])
    }

    @Test func namedKeysOfPackersList() {
        let names = "<enter><return><esc><tab><spacebar><bs><del><f1><f12><up><down><left><right><home><end><pageUp><pageDown><insert>"
        #expect(Self.steps(names) == [
            .key(.enter), .key(.enter), .key(.escape), .key(.tab), .key(.space), .key(.backspace), .key(.delete),
            .key(.f1), .key(.f12), .key(.up), .key(.down), .key(.left), .key(.right), .key(.home), .key(.end),
            .key(.pageUp), .key(.pageDown), .key(.insert),
        ])
        #expect(BootKey.allCases.filter { !$0.isModifier }.count == 28)
    }

    @Test(arguments: [
        ("<wait>", Duration.seconds(1)), ("<wait5>", .seconds(5)), ("<wait10>", .seconds(10)), ("<wait10s>", .seconds(10)),
        ("<wait1m>", .seconds(60)), ("<wait250ms>", .milliseconds(250)), ("<wait1m30s>", .seconds(90)),
        ("<wait1.5s>", .milliseconds(1500)), ("<WAIT2h>", .seconds(7200)),
    ])
    func waits(text: String, duration: Duration) {
        #expect(Self.steps(text) == [.wait(duration)])
    }

    @Test(arguments: [
        (#"<waitFor "boot:">"#, BootStep.waitFor(pattern: "boot:", timeout: .seconds(300))),
        (#"<waitFor "login: *$" 120s>"#, .waitFor(pattern: "login: *$", timeout: .seconds(120))),
        (#"<waitFor "a\"b" 90>"#, .waitFor(pattern: "a\"b", timeout: .seconds(90))),
        (#"<waitFor "\d+ (MiB|GiB)" 2m>"#, .waitFor(pattern: #"\d+ (MiB|GiB)"#, timeout: .seconds(120))),
        (#"<waitfor "x">"#, .waitFor(pattern: "x", timeout: .seconds(300))),
    ])
    func waitFor(text: String, step: BootStep) {
        #expect(Self.steps(text) == [step])
    }

    @Test func textBetweenTokensIsTyped() {
        #expect(Self.steps("<esc><wait>linux auto=true<enter>") == [
            .key(.escape), .wait(.seconds(1)), Self.text("linux auto=true"), .key(.enter),
        ])
    }

    /// A `<` that does not start a token name is typed as text, as in Packer; `{{ "<x>" }}` types a key-like text.
    @Test(arguments: [
        ("a < b", "a < b"), ("cat <<EOF", "cat <<EOF"), ("x <file", "x <file"), ("<>", "<>"), ("< enter>", "< enter>"),
        ("1<2>3", "1<2>3"), (#"{{ "<enter>" }}"#, "<enter>"), (#"{{ "}}<enter>" }}"#, "}}<enter>"), ("a > b", "a > b"), ("<-x>", "<-x>"),
    ])
    func literalAngleBrackets(text: String, typed: String) throws {
        let steps = Self.steps(text)
        guard case .text(let template)? = steps.first, steps.count == 1 else {
            Issue.record("expected one text step, got \(steps)")
            return
        }
        #expect(template.expand(TemplateValues(name: "n")) == typed)
    }

    @Test func placeholdersStayInTheText() throws {
        let steps = Self.steps("url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/{{ user `file` }}<enter>")
        #expect(steps.count == 2)
        guard case .text(let template) = steps[0] else { Issue.record("\(steps)"); return }
        #expect(template.parts == [.literal("url=http://"), .httpIP, .literal(":"), .httpPort, .literal("/"), .variable("file")])
        #expect(template.offsets == [0, 11, 24, 25, 40, 41])
        let values = TemplateValues(httpIP: "10.0.2.2", httpPort: 8123, name: "n", variables: ["file": "<enter>"])
        #expect(template.expand(values) == "url=http://10.0.2.2:8123/<enter>", "expanded values are text, never keys")
    }

    @Test(arguments: [
        ("<entr>", 0, "unknown key `<entr>`"), ("ab<enter", 2, "`<enter` is not closed with `>`"),
        ("<wait5", 0, "`<wait5` is not closed"), ("x<waitFor \"a\"", 1, "`<waitFor` is not closed with `>`"),
        ("<waitFor \"a", 9, "pattern is not closed"), ("<waitFor \"\">", 9, "pattern is empty"),
        ("<waitFor \"[\">", 9, "not a valid regular expression"), ("<waitFor x>", 0, "needs a pattern in double quotes"),
        ("<wait-1>", 0, "`<wait` is not closed"), ("<wait5x>", 0, "is not a wait"), ("<menuOn>", 0, "unknown key `<menuOn>`"),
        ("ok\u{1B}", 2, "cannot be typed"), ("{{ .Name", 0, "not closed with `}}`"),
    ])
    func errorsAtTheirOffset(text: String, offset: Int, message: String) throws {
        let parsed = BootCommandParser.parse(text)
        let error = try #require(parsed.errors.first)
        #expect(parsed.errors.count == 1, "\(parsed.errors)")
        #expect(error.offset == offset)
        #expect(error.message.contains(message), "\(error)")
    }

    @Test func everyErrorOfOneStringAtOnce() {
        let parsed = BootCommandParser.parse("<entr> <tabb> <wait5>ok<escc>")
        #expect(parsed.errors.map(\.offset) == [0, 7, 23])
        #expect(parsed.errors.map(\.hint).allSatisfy { $0.hasPrefix("did you mean") })
    }

    @Test func typeableCharacters() {
        let typeable = (0...0x7F).compactMap(Unicode.Scalar.init).filter(BootCommandParser.isTypeable)
        #expect(typeable.count == 95 + 2)
    }
}
