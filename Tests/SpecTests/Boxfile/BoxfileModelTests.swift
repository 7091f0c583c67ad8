import Foundation
import Testing
@testable import Spec

/// A complete Boxfile, as the tiny installer's build would write one, decodes to the expected model.
@Suite struct BoxfileModelTests {
    static let complete = """
        version: 1
        box:
          name: vmfile/tiny
          version: 1.2.0
          description: Tiny test box built from the tiny installer
        iso:
          path: installer.iso
          checksum: file:SHA256SUMS
        cpus: 2
        memory: 1GiB
        disk: 4GiB
        firmware: bios
        variables:
          user: vagrant
          password:
        boot:
          wait: 2s
          command:
            - <waitFor "boot:" 60s><esc><wait250ms>
            - install auto url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/answers host={{ .Name }}<enter>
            - <leftCtrlOn>c<leftCtrlOff><wait5>
        http:
          content:
            answers: |
              user={{ user `user` }}
              password={{ user `password` }}
        cd:
          files: [keys/build]
          label: extra
        ssh:
          username: "{{ not templated }}"
          private_key: keys/build
          timeout: 20m
          wait_for_reboot: false
        provision:
          - name: greet
            shell: echo built > /etc/motd
        shutdown:
          command: poweroff
          timeout: 90s
          trim: false
        compress: false
        output:
          directory: out
          catalog: true
        """

    @Test func completeBoxfileDecodes() throws {
        let (boxfile, directory) = try BoxfileLoad.boxfile(Self.complete)
        let tpl = { (text: String) throws -> Template in try Template(parsing: text) }
        let expected = Boxfile(
            path: "Boxfile",
            box: BoxInfo(name: "vmfile/tiny", version: BoxVersion(components: [1, 2, 0]),
                         description: "Tiny test box built from the tiny installer"),
            iso: ISOSource(location: .path(directory + "/installer.iso"), checksum: .list(.path(directory + "/SHA256SUMS"))),
            cpus: 2, memoryMiB: 1024, diskBytes: 4 << 30, firmware: .bios,
            boot: BootSettings(wait: .seconds(2), command: [
                .waitFor(pattern: "boot:", timeout: .seconds(60)), .key(.escape), .wait(.milliseconds(250)),
                .text(try tpl("install auto url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/answers host={{ .Name }}")),
                .key(.enter), .press(.leftCtrl), .text(Template(literal: "c")), .release(.leftCtrl), .wait(.seconds(5)),
            ]),
            http: .content(["answers": try tpl("user={{ user `user` }}\npassword={{ user `password` }}\n")]),
            cd: CDFiles(files: [directory + "/keys/build"], label: "extra"),
            variables: [BoxfileVariable(name: "user", defaultValue: "vagrant"), BoxfileVariable(name: "password", defaultValue: nil)],
            ssh: BuildSSH(username: "{{ not templated }}", credential: .privateKey(directory + "/keys/build"),
                          timeout: .seconds(20 * 60), waitForReboot: false),
            provision: [ProvisionStep(name: "greet", source: .inline("echo built > /etc/motd"))],
            shutdown: ShutdownSettings(command: "poweroff", timeout: .seconds(90), trim: false),
            compress: false,
            output: OutputSettings(directory: directory + "/out", catalog: true))
        #expect(boxfile == expected)
        #expect(boxfile.buildName == "vmfile-tiny")
        #expect(boxfile.iso.fileName == "installer.iso")
    }

    @Test func defaults() throws {
        let (boxfile, directory) = try BoxfileLoad.boxfile(BoxfileLoad.minimal())
        #expect(boxfile.box.version == BoxVersion(components: [0]))
        #expect(boxfile.cpus == 1)
        #expect(boxfile.memoryMiB == 512)
        #expect(boxfile.diskBytes == 40 << 30)
        #expect(boxfile.firmware == .bios)
        #expect(boxfile.boot == BootSettings(wait: .seconds(10), command: []))
        #expect(boxfile.http == nil)
        #expect(boxfile.cd == nil)
        #expect(boxfile.ssh == BuildSSH(username: "vagrant", credential: .vagrantInsecureKey, port: 22,
                                        timeout: .seconds(1800), waitForReboot: true))
        #expect(boxfile.shutdown == ShutdownSettings(command: nil, timeout: .seconds(300), trim: true))
        #expect(boxfile.compress)
        #expect(boxfile.output == OutputSettings(directory: directory + "/output", catalog: false))
        #expect(boxfile.iso.checksum == .sha256(BoxfileLoad.digest))
    }

    @Test(arguments: [
        ("iso: {url: \"https://example.org/d/netinst.iso?x=1\", checksum: \"file:https://example.org/d/SHA256SUMS\"}",
         ISOSource(location: .url("https://example.org/d/netinst.iso?x=1"), checksum: .list(.url("https://example.org/d/SHA256SUMS")))),
        ("iso: {url: \"file:///srv/a.iso\", checksum: \"SHA256:\(String(repeating: "AB", count: 32))\"}",
         ISOSource(location: .url("file:///srv/a.iso"), checksum: .sha256(BoxfileLoad.digest))),
    ])
    func isoSources(yaml: String, expected: ISOSource) throws {
        let (boxfile, _) = try BoxfileLoad.boxfile("version: 1\nbox: {name: b}\n" + yaml + "\n")
        #expect(boxfile.iso == expected)
        #expect(["netinst.iso", "a.iso"].contains(boxfile.iso.fileName))
    }

    @Test func otherSectionForms() throws {
        let yaml = BoxfileLoad.minimal("""
            http: {directory: http}
            cd: {content: {user-data: "#cloud-config", meta-data: }}
            ssh: {password: 1234, port: 2222, timeout: 600}
            boot: {command: "<enter>", wait: 0}
            """)
        let (boxfile, directory) = try BoxfileLoad.boxfile(yaml)
        #expect(boxfile.http == .directory(directory + "/http"))
        #expect(boxfile.cd == CDFiles(content: ["user-data": Template(literal: "#cloud-config"), "meta-data": Template(literal: "")],
                                      label: "cidata"))
        #expect(boxfile.ssh.credential == .password("1234"))
        #expect(boxfile.ssh.port == 2222)
        #expect(boxfile.ssh.timeout == .seconds(600))
        #expect(boxfile.boot == BootSettings(wait: .zero, command: [.key(.enter)]))
    }

    @Test func encodesAsReadableJSON() throws {
        let (boxfile, _) = try BoxfileLoad.boxfile(Self.complete)
        let data = try JSONEncoder().encode(boxfile)
        let decoded = try JSONDecoder().decode(Boxfile.self, from: data)
        #expect(decoded == boxfile)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("{{ .HTTPIP }}"))
    }
}
