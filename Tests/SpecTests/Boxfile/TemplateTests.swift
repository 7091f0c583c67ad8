import Foundation
import Testing
@testable import Spec

@Suite struct TemplateTests {
    static let values = TemplateValues(httpIP: "192.168.121.1", httpPort: 8000, name: "debian-12",
                                       variables: ["user": "vagrant", "empty": ""])

    @Test(arguments: [
        ("plain", "plain"), ("{{ .HTTPIP }}:{{.HTTPPort}}", "192.168.121.1:8000"), ("host={{ .Name }}", "host=debian-12"),
        ("{{ user `user` }}/{{user \"user\"}}", "vagrant/vagrant"), ("[{{ user `empty` }}]", "[]"),
        (#"{{ "{{" }} jinja }}"#, "{{ jinja }}"), ("a }} b", "a }} b"), ("{{ `}}` }}", "}}"), ("", ""),
    ])
    func expands(text: String, expected: String) throws {
        #expect(try Template(parsing: text).expand(Self.values) == expected)
    }

    @Test func reportsWhatItNames() throws {
        let template = try Template(parsing: "{{ user `a` }}{{ user `b` }}{{ user `a` }}{{ .Name }}")
        #expect(template.variableNames == ["a", "b"])
        #expect(!template.usesHTTP)
        #expect(try Template(parsing: "{{ .HTTPPort }}").usesHTTP)
        #expect(try Template(parsing: "a{{ \"b\" }}c").parts == [.literal("abc")])
    }

    @Test(arguments: [
        ("{{ .Nmae }}", 0, "unknown template field `.Nmae`"), ("ab {{ .HTTPIP", 3, "not closed"),
        ("{{ }}", 0, "empty placeholder"), ("{{ user }}", 0, "needs a variable name"), ("{{ user `` }}", 0, "needs a variable name"),
        ("x{{ timestamp }}", 1, "`timestamp` is not available"), ("{{ \"open }}", 0, "not closed"),
    ])
    func syntaxErrors(text: String, offset: Int, message: String) {
        let error = #expect(throws: TextSyntaxError.self) { try Template(parsing: text) }
        #expect(error?.offset == offset)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test func everyErrorIsCollected() {
        #expect(TemplateScanner.scan("{{ .A }} {{ .B }} {{ .Name }}").errors.map(\.offset) == [0, 9])
    }

    @Test func roundTripsAsItsSource() throws {
        let template = try Template(parsing: "u={{ user `u` }}")
        let data = try JSONEncoder().encode([template])
        #expect(String(decoding: data, as: UTF8.self) == #"["u={{ user `u` }}"]"#)
        #expect(try JSONDecoder().decode([Template].self, from: data) == [template])
    }
}
