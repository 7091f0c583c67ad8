import Foundation
import Testing
@testable import Spec

@Suite struct ToolingTests {
    @Test(arguments: ["tiny", "debian/bookworm64", "odd: name"])
    func starterVmfileValidates(box: String) throws {
        let vmfile = try Load.vmfile(StarterVmfile.text(box: box))
        #expect(vmfile.machines.map(\.name) == ["default"])
        #expect(vmfile.machines.first?.box == box)
    }

    @Test func starterShowsTheMainKeys() {
        let text = StarterVmfile.text()
        for key in ["defaults:", "networks:", "box:", "cpus:", "memory:", "forwarded_ports:", "synced_folders:",
                    "provision:", "disk:"] {
            #expect(text.contains(key), "starter lacks \(key)")
        }
    }

    @Test func exampleHelloValidates() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/hello/Vmfile").path
        let vmfile = try VmfileLoader.load(path: path)
        let hello = try #require(vmfile.machine(named: "hello"))
        #expect(hello.box == "tiny" && hello.memoryMiB == 256 && hello.cpus == 1)
        #expect(hello.forwardedPorts.count == 1)
        #expect(hello.provision.first?.run == .always)
        #expect(vmfile.path == path)
    }

    @Test func validationReportJSON() throws {
        try TemporaryDirectory.with(files: ["Vmfile": "version: 1\nmachines:\n  m: {box: tiny, cpus: 0}\n"]) { directory in
            let report = ValidationReport.validate(path: directory.path + "/Vmfile")
            #expect(!report.valid)
            #expect(report.errors.count == 1)
            let json = try report.jsonText()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["valid"] as? Bool == false)
            #expect(object["file"] as? String == directory.path + "/Vmfile")
            let errors = try #require(object["errors"] as? [[String: Any]])
            #expect(errors.first?["line"] as? Int == 3)
            #expect(errors.first?["column"] as? Int == 24)
            #expect(Set(errors.first?.keys.map { $0 } ?? []) == ["path", "line", "column", "message", "hint"])
            #expect(report.humanText.contains("Vmfile:3:24: error: `cpus` is 0"))
        }
    }

    @Test func validationReportSummaryWhenValid() throws {
        let yaml = "version: 1\nnetworks:\n  n: {cidr: 10.0.0.0/24}\nmachines:\n  a: {box: t}\n  b: {box: t}\n  c: {box: t}\n"
        try TemporaryDirectory.with(files: ["Vmfile": yaml]) { directory in
            let report = ValidationReport.validate(path: directory.path + "/Vmfile")
            #expect(report.humanText == "Vmfile valid: 3 machines, 1 network (\(directory.path)/Vmfile)")
        }
    }

    @Test func unreadableFileIsOneDiagnostic() {
        let report = ValidationReport.validate(path: "/no/such/dir/Vmfile")
        #expect(!report.valid && report.errors.count == 1)
        #expect(report.errors.first?.hint.contains("/no/such/dir/Vmfile") == true)
    }

    @Test func configJSONUsesSnakeCaseSortedKeysAndRoundTrips() throws {
        let vmfile = try Load.vmfile(FuzzTests.bases[2], directories: [])
        let json = try ConfigRenderer.json(vmfile)
        #expect(json.contains("\"memory_mib\" : 512"))
        #expect(json.contains("\"host_ip\"") == false || json.contains("\"host_ip\" : \"127.0.0.1\""))
        #expect(json.contains("\"graceful_halt_timeout\" : 60"))
        #expect(json.contains("\"private\" : {"))
        #expect(json.contains("\"shell\" : \"true\""))
        #expect(json.contains("\"box_version\" : \"~> 1.2\""))
        let keys = json.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(keys == keys.sorted())
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        // `memory_mib` converts back to `memoryMib`; map it by hand like any consumer of the JSON would.
        let fixed = json.replacingOccurrences(of: "\"memory_mib\"", with: "\"memory_mi_b\"")
        #expect(try decoder.decode(Vmfile.self, from: Data(fixed.utf8)) == vmfile)
    }

    @Test func configYAMLReadsLikeAVmfile() throws {
        let vmfile = try Load.vmfile(DefaultsMergeTests.yaml)
        let yaml = try ConfigRenderer.yaml(vmfile)
        #expect(yaml.contains("memory_mib: 1024"))
        #expect(yaml.contains("username: admin"))
        #expect(yaml.contains("shell: echo own"))
        #expect(!yaml.contains("memoryMiB"))
    }

    @Test(arguments: [("memoryMiB", "memory_mib"), ("boxURL", "box_url"), ("hostIP", "host_ip"),
                      ("gracefulHaltTimeout", "graceful_halt_timeout"), ("cpus", "cpus")])
    func snakeCase(camel: String, snake: String) {
        #expect(ConfigRenderer.snakeCase(camel) == snake)
    }
}
