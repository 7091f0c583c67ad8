import Testing
@testable import Spec

@Suite struct BoxfileVariableTests {
    static func boxfile() throws -> Boxfile {
        try BoxfileLoad.boxfile(BoxfileLoad.minimal("variables: {mirror: deb.debian.org, password: , locale: en_US}")).0
    }

    @Test func defaultsAndOverrides() throws {
        let values = try Self.boxfile().resolveVariables(overrides: ["password": "s3cret", "locale": "de_DE"])
        #expect(values == ["mirror": "deb.debian.org", "password": "s3cret", "locale": "de_DE"])
    }

    @Test func unknownOverrideAndMissingRequiredAreReportedTogether() throws {
        let boxfile = try Self.boxfile()
        let error = #expect(throws: BoxfileVariableError.self) {
            try boxfile.resolveVariables(overrides: ["mirorr": "x", "zzz": "y"])
        }
        #expect(error?.problems == [
                "--var mirorr: Boxfile declares no variable `mirorr`; did you mean `mirror`?",
                "--var zzz: Boxfile declares no variable `zzz`; declared variables: mirror, password, locale",
                "variable `password` has no default; pass --var password=VALUE",
            ])
    }

    @Test func parsesVarArguments() throws {
        #expect(try Boxfile.parseOverrides(["a=1", "b=x=y", "c=", "a=2"]) == ["a": "2", "b": "x=y", "c": ""])
        #expect(throws: BoxfileVariableError(problems: ["--var nope: write --var name=value", "--var =v: write --var name=value"])) {
            try Boxfile.parseOverrides(["nope", "=v"])
        }
    }

    @Test func templateValuesUseTheBuildName() throws {
        let boxfile = try BoxfileLoad.boxfile("version: 1\nbox: {name: Debian/Bookworm_64}\niso: {path: installer.iso, checksum: \"sha256:\(BoxfileLoad.digest)\"}\n").0
        let values = boxfile.templateValues(httpIP: "10.0.0.1", httpPort: 80, variables: [:])
        #expect(values.name == "debian-bookworm-64")
    }
}
