import Testing
@testable import Spec

@Suite struct BoxfileErrorTests {
    static func boot(_ text: String, before: String = "") -> String {
        BoxfileLoad.minimal(before + "boot:\n  command:\n    - '\(text)'\n")
    }

    static func iso(_ body: String) -> String {
        "version: 1\nbox: {name: b}\niso: {\(body)}\n"
    }

    static let checksum = "checksum: \"sha256:\(BoxfileLoad.digest)\""

    static let cases: [ErrorCase] = [
        // Document and sections.
        ErrorCase("Boxfile version 2 is not supported", at: 1, 10, "version: 2\nbox: {name: b}\niso: {path: installer.iso, \(checksum)}\n"),
        ErrorCase("unknown key `memroy` in the Boxfile", at: 4, 1, BoxfileLoad.minimal("memroy: 1G")),
        ErrorCase("the Boxfile has no `iso`", at: 1, 1, "version: 1\nbox: {name: b}\n"),
        ErrorCase("`a/b/c` is not a valid box name", at: 2, 13, "version: 1\nbox: {name: a/b/c}\niso: {path: installer.iso, \(checksum)}\n"),
        ErrorCase("`box` has no `name`", at: 2, 6, "version: 1\nbox: {version: 1}\niso: {path: installer.iso, \(checksum)}\n"),
        ErrorCase("`1.x` is not a box version", at: 2, 25, "version: 1\nbox: {name: b, version: 1.x}\niso: {path: installer.iso, \(checksum)}\n"),
        ErrorCase("`firmware` cannot be `efi`", at: 4, 11, BoxfileLoad.minimal("firmware: efi")),
        ErrorCase("`memory` is 12 MiB, below the minimum", at: 4, 9, BoxfileLoad.minimal("memory: 12")),
        ErrorCase("`disk` 10 has no unit", at: 4, 7, BoxfileLoad.minimal("disk: 10")),
        ErrorCase("`cpus` is 0, outside the allowed range", at: 4, 7, BoxfileLoad.minimal("cpus: 0")),
        ErrorCase("`compress` must be true or false", at: 4, 11, BoxfileLoad.minimal("compress: maybe")),
        ErrorCase("`output.catalog` must be true or false", at: 4, 19, BoxfileLoad.minimal("output: {catalog: 1}")),
        ErrorCase("`shutdown.trim` must be true or false", at: 4, 18, BoxfileLoad.minimal("shutdown: {trim: yes please}")),
        // ISO and checksum.
        ErrorCase("`iso` has both `url` and `path`", at: 3, 31, iso("url: \"https://x/a.iso\", path: installer.iso, \(checksum)")),
        ErrorCase("`iso` has neither `url` nor `path`", at: 3, 6, iso(checksum)),
        ErrorCase("`iso` has no `checksum`", at: 3, 6, iso("path: installer.iso")),
        ErrorCase("ISO `missing.iso` does not exist", at: 3, 13, iso("path: missing.iso, \(checksum)")),
        ErrorCase("`iso.url` `ftp://x/a.iso` is not an http, https or file URL", at: 3, 12, iso("url: ftp://x/a.iso, \(checksum)")),
        ErrorCase("`iso.checksum` sha256 must be 64 hex digits, not 3 characters", at: 3, 46,
                  iso("path: installer.iso, checksum: \"sha256:abc\"")),
        ErrorCase("`iso.checksum` type `md5` is not supported", at: 3, 38, iso("path: installer.iso, checksum: \"md5:abc\"")),
        ErrorCase("`iso.checksum` `\(BoxfileLoad.digest)` does not say its type", at: 3, 38,
                  iso("path: installer.iso, checksum: \(BoxfileLoad.digest)")),
        ErrorCase("checksum list `SUMS` does not exist", at: 3, 38, iso("path: installer.iso, checksum: \"file:SUMS\"")),
        // Boot command tokens, at the offending character.
        ErrorCase("`boot.wait` cannot be `soon`", at: 4, 14, BoxfileLoad.minimal("boot: {wait: soon}")),
        ErrorCase("`boot.command`: unknown key `<entr>`", at: 6, 9, boot("a<entr>")),
        ErrorCase("`boot.command`: `<enter` is not closed with `>`", at: 6, 8, boot("<enter")),
        ErrorCase("`boot.command`: `<wait1x>` is not a wait", at: 6, 8, boot("<wait1x>")),
        ErrorCase("`boot.command`: `(` is not a valid regular expression", at: 6, 17, boot("<waitFor \"(\">")),
        ErrorCase("`boot.command`: `soon` is not a timeout", at: 6, 21, boot("<waitFor \"x\" soon>")),
        ErrorCase("`boot.command`: the `<waitFor>` pattern is not closed", at: 6, 17, boot("<waitFor \"x>")),
        ErrorCase("`boot.command`: `<waitFor>` needs a pattern in double quotes", at: 6, 8, boot("<waitFor>")),
        ErrorCase("`boot.command`: `\u{E9}` (U+00E9) cannot be typed", at: 6, 11, boot("caf\u{E9}")),
        // Templates.
        ErrorCase("`boot.command` uses {{ .HTTPIP }}, but the Boxfile has no `http:`", at: 6, 8, boot("{{ .HTTPIP }}")),
        ErrorCase("`boot.command` uses variable `nme`, which is not declared", at: 7, 11,
                  boot("hi {{ user `nme` }}", before: "variables: {name: x}\n")),
        ErrorCase("`boot.command`: unknown template field `.Nmae`", at: 6, 8, boot("{{ .Nmae }}")),
        ErrorCase("`boot.command`: `env` is not available in a Boxfile template", at: 6, 8, boot("{{ env `HOME` }}")),
        ErrorCase("`boot.command`: `{{` is not closed with `}}`", at: 6, 10, boot("x {{ .Name")),
        ErrorCase("`http.content.a` uses variable `v`", at: 4, 22, BoxfileLoad.minimal("http: {content: {a: \"{{ user `v` }}\"}}")),
        // http, cd, ssh, variables, provision.
        ErrorCase("`http` has both `directory` and `content`", at: 4, 25, BoxfileLoad.minimal("http: {directory: http, content: {a: b}}")),
        ErrorCase("http directory `nowhere` does not exist", at: 4, 19, BoxfileLoad.minimal("http: {directory: nowhere}")),
        ErrorCase("`../x` is not a file path for `http.content`", at: 6, 5, BoxfileLoad.minimal("http:\n  content:\n    ../x: hi")),
        ErrorCase("`cd.label` `bad label` is not a CD volume label", at: 4, 37,
                  BoxfileLoad.minimal("cd: {files: [installer.iso], label: \"bad label\"}")),
        ErrorCase("`cd` has neither `files` nor `content`", at: 4, 5, BoxfileLoad.minimal("cd: {label: x}")),
        ErrorCase("cd file `gone` does not exist", at: 4, 14, BoxfileLoad.minimal("cd: {files: [gone]}")),
        ErrorCase("`ssh` has both `password` and `private_key`", at: 4, 20, BoxfileLoad.minimal("ssh: {password: p, private_key: keys/build}")),
        ErrorCase("`ssh.timeout` cannot be `5 minutes`", at: 4, 16, BoxfileLoad.minimal("ssh: {timeout: 5 minutes}")),
        ErrorCase("unknown key `wait_for_rebot` in `ssh`", at: 4, 7, BoxfileLoad.minimal("ssh: {wait_for_rebot: false}")),
        ErrorCase("`1x` is not a valid variable name", at: 4, 13, BoxfileLoad.minimal("variables: {1x: a}")),
        ErrorCase("variable `v` must have a single value", at: 4, 16, BoxfileLoad.minimal("variables: {v: [a]}")),
        ErrorCase("a provision step has both `shell` and `path`", at: 5, 16, BoxfileLoad.minimal("provision:\n  - {shell: a, path: b}")),
    ]

    @Test(arguments: cases)
    func reportsOneErrorAtItsPlace(_ example: ErrorCase) throws {
        let diagnostics = try BoxfileLoad.diagnostics(example.yaml)
        let diagnostic = try #require(diagnostics.first, "expected an error")
        #expect(diagnostics.count == 1, "\(diagnostics)")
        #expect(diagnostic.message.contains(example.message), "\(diagnostic)")
        #expect(diagnostic.line == example.line && diagnostic.column == example.column, "\(diagnostic)")
        #expect(diagnostic.path == "Boxfile")
    }

    @Test(arguments: [
        ("a<entr>", "did you mean `<enter>`?"),
        ("<leftCtrlOnn>", "did you mean `<leftCtrlOn>`?"),
        ("{{ .HTTPip }}", "did you mean {{ .HTTPIP }}?"),
        ("{{ usr `x` }}", "did you mean {{ user `name` }}?"),
    ])
    func suggestsTheNearestName(text: String, hint: String) throws {
        let diagnostics = try BoxfileLoad.diagnostics(Self.boot(text, before: "http: {directory: http}\n"))
        #expect(diagnostics.first?.hint.contains(hint) == true, "\(diagnostics)")
    }

    @Test func unknownVariableSuggestsDeclaredOne() throws {
        let diagnostics = try BoxfileLoad.diagnostics(Self.boot("{{ user `nme` }}", before: "variables: {name: x}\n"))
        #expect(diagnostics.first?.hint == "did you mean `name`?")
    }

    @Test func reportsEveryErrorAtOnceInFileOrder() throws {
        let yaml = """
            version: 1
            box: {name: "a b"}
            iso: {path: installer.iso, checksum: "md5:00"}
            memory: lots
            boot:
              wait: later
              command:
                - <entr><wait3q>
                - "{{ user `x` }}"
            http: {directory: http, content: {}}
            ssh: {port: 0}
            """
        let diagnostics = try BoxfileLoad.diagnostics(yaml)
        let places = diagnostics.map { [$0.line, $0.column] }
        #expect(places == [[2, 13], [3, 38], [4, 9], [6, 9], [8, 7], [8, 13], [9, 8], [10, 25], [11, 13]], "\(diagnostics)")
        #expect(places == places.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })
    }

    @Test func emptyBoxfile() throws {
        let diagnostics = try BoxfileLoad.diagnostics("")
        #expect(diagnostics.map(\.message) == ["the Boxfile is empty"])
    }
}
