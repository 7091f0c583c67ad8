import Foundation
import Provisioner
import Testing

@Suite("Keys, pins and quoting (no server)")
struct KeyAndQuoteTests {
    @Test(arguments: [
        ("plain", "'plain'"), ("", "''"), ("it's", #"'it'\''s'"#), ("$HOME; rm -rf /", "'$HOME; rm -rf /'"),
        ("a\nb", "'a\nb'"), ("ü ✓", "'ü ✓'"), ("'", #"''\'''"#),
    ])
    func quote(value: String, expected: String) {
        #expect(ShellQuote.quote(value) == expected)
    }

    @Test func quotedValuesRoundTripThroughALocalShell() throws {
        for value in ["a 'b' \"c\" $d `e` \\f; g\nh ü", "", "'''", "-e", "*"] {
            let output = try runTool("/bin/sh", ["-c", "printf '%s' \(ShellQuote.quote(value))"])
            #expect(output == value)
        }
    }

    @Test func asRootRunsTheWholeScriptUnderSudoWithoutAPrompt() throws {
        let script = "echo 'it''s' $HOME; fstrim -av || fstrim -v /"
        #expect(ShellQuote.asRoot(script) == "sudo -n sh -c " + ShellQuote.quote(script))
        // What sudo hands to sh -c is the script byte for byte.
        let echoed = try runTool("/bin/sh", ["-c", ShellQuote.asRoot(script).replacingOccurrences(of: "sudo -n sh -c ", with: "printf '%s' ")])
        #expect(echoed == script)
    }

    @Test func exportPrefixValidatesNames() throws {
        #expect(try ShellQuote.exportPrefix([:]) == "")
        #expect(try ShellQuote.exportPrefix(["B": "2", "A_1": "x y"]) == "export A_1='x y'; export B='2'; ")
        for bad in ["1A", "A-B", "", "A B", "É"] {
            #expect(throws: SSHError.self) { try ShellQuote.exportPrefix([bad: "x"]) }
        }
    }

    @Test func generatedKeyPairIsUsableByOpenSSHTools() throws {
        let pair = try SSHKeyPair.generateEd25519(comment: "machine web")
        #expect(pair.privateKeyOpenSSH.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----"))
        #expect(pair.publicKeyLine.hasPrefix("ssh-ed25519 AAAA"))
        #expect(pair.publicKeyLine.hasSuffix(" machine web"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmfile-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("id_ed25519").path
        let oldMask = umask(0)  // even with a permissive umask the key must be 0600
        defer { umask(oldMask) }
        try pair.writePrivateKey(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // ssh-keygen derives the same public key from the written private key.
        let derived = try runTool("/usr/bin/ssh-keygen", ["-y", "-f", path])
        #expect(derived.split(whereSeparator: \.isWhitespace).prefix(2) == pair.publicKeyLine.split(separator: " ").prefix(2))
        let fingerprint = try runTool("/usr/bin/ssh-keygen", ["-l", "-f", path])
        #expect(fingerprint.contains(pair.fingerprintSHA256))
        try pair.writePublicKey(to: path + ".pub")
        #expect(try String(contentsOfFile: path + ".pub", encoding: .utf8) == pair.publicKeyLine + "\n")
    }

    @Test func hostKeyPinParsesOpenSSHLines() throws {
        let pub = try String(contentsOf: vagrantKeysDirectory.appendingPathComponent("vagrant.pub.ed25519"), encoding: .utf8)
        let pin = try HostKeyPin(openSSHLine: pub)
        #expect(pin.algorithm == "ssh-ed25519")
        #expect(pin.openSSHLine == pub.split(separator: " ").prefix(2).joined(separator: " "))
        let expected = try runTool("/usr/bin/ssh-keygen", ["-l", "-f", vagrantKeysDirectory.appendingPathComponent("vagrant.pub.ed25519").path])
        #expect(expected.contains(pin.fingerprintSHA256))
        #expect(throws: SSHError.self) { try HostKeyPin(openSSHLine: "ssh-ed25519") }
        #expect(throws: SSHError.self) { try HostKeyPin(openSSHLine: "ssh-ed25519 notbase64!!") }
    }

    @Test func mismatchMessageSaysWhatToDo() throws {
        let a = try HostKeyPin(openSSHLine: SSHKeyPair.generateEd25519().publicKeyLine)
        let b = try HostKeyPin(openSSHLine: SSHKeyPair.generateEd25519().publicKeyLine)
        let error = SSHError.hostKeyMismatch(expected: a, actual: b, machine: "db", host: "10.0.0.5", port: 22)
        #expect(error.description.contains("machine db's host key changed"))
        #expect(error.description.contains("10.0.0.5:22"))
        #expect(error.description.contains(a.fingerprintSHA256))
        #expect(error.description.contains(b.fingerprintSHA256))
        #expect(error.description.contains("vmfile destroy db"))
        #expect(error.description.contains(".vmfile/machines/db/host_key"))
    }

    @Test func exitStatusForSignals() {
        #expect(ExitStatus.killed(by: "KILL") == ExitStatus(code: 137, signal: "KILL"))
        #expect(ExitStatus.killed(by: "TERM").description == "killed by SIGTERM")
        #expect(!ExitStatus.killed(by: "TERM").succeeded)
        #expect(ExitStatus(code: 0).succeeded)
    }
}
