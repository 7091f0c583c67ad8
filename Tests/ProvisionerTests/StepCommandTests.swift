import Foundation
import Spec
import Testing
@testable import Provisioner

/// The step command line runs for real in the host's /bin/sh (unprivileged), so quoting is checked by a shell.
@Suite struct StepCommandTests {
    static let tricky = ["plain", "two words", "$HOME", "it's", "\"dq\"", "a;b", "line1\nline2", "grüße ✓", "", "*", "\\n"]

    func runLocally(_ step: ProvisionStep, script: String, before: String = "") throws -> (status: Int32, stdout: String) {
        let invocation = StepCommand.invocation(for: step, script: Data(script.utf8))
        let command = before + invocation.command
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(invocation.stdin)
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func argumentsAndEnvironmentArriveByteForByte() throws {
        var env: [String: String] = [:]
        for (index, value) in Self.tricky.enumerated() { env["V\(index)"] = value }
        let step = ProvisionStep(name: "q", source: .inline(""), args: Self.tricky, env: env, privileged: false)
        let script = """
            for a in "$@"; do printf '[%s]' "$a"; done; echo
            i=0; while [ $i -lt \(Self.tricky.count) ]; do eval "printf '<%s>' \\"\\$V$i\\""; i=$((i+1)); done; echo
            """
        let result = try runLocally(step, script: script)
        #expect(result.status == 0)
        let expected = Self.tricky.map { "[\($0)]" }.joined() + "\n" + Self.tricky.map { "<\($0)>" }.joined() + "\n"
        #expect(result.stdout == expected)
    }

    @Test func argumentsAndEnvironmentArriveByteForByteThroughAFileToo() throws {
        var env: [String: String] = [:]
        for (index, value) in Self.tricky.enumerated() { env["V\(index)"] = value }
        let step = ProvisionStep(name: "q", source: .inline(""), args: Self.tricky, env: env, privileged: false)
        let script = "#!/bin/sh\n" + """
            for a in "$@"; do printf '[%s]' "$a"; done; echo
            i=0; while [ $i -lt \(Self.tricky.count) ]; do eval "printf '<%s>' \\"\\$V$i\\""; i=$((i+1)); done; echo
            """
        let result = try runLocally(step, script: script)
        #expect(result.status == 0)
        let expected = Self.tricky.map { "[\($0)]" }.joined() + "\n" + Self.tricky.map { "<\($0)>" }.joined() + "\n"
        #expect(result.stdout == expected)
    }

    @Test func plainScriptsRunFromTheCommandLineAndExitStatusPropagates() throws {
        let step = ProvisionStep(name: "x", source: .inline(""), privileged: false)
        let result = try runLocally(step, script: "read x || echo \"no input for $0\"; exit 42")
        #expect(result.status == 42)
        #expect(result.stdout == "no input for sh\n")
        let big = String(repeating: "#", count: StepCommand.inlineLimit + 1)
        #expect(StepCommand.invocation(for: step, script: Data(big.utf8)).stdin.count == big.utf8.count)
    }

    @Test func exitStatusPropagatesAndTheTempFileIsRemoved() throws {
        let step = ProvisionStep(name: "x", source: .inline(""), privileged: false)
        let result = try runLocally(step, script: "#!/bin/sh\necho \"$0\"; exit 42")
        #expect(result.status == 42)
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(path.hasPrefix("/tmp/vmfile-step."))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func theScriptKeepsTheLoginUmaskWhileItsTempFileIsOwnerOnly() throws {
        let step = ProvisionStep(name: "x", source: .inline(""), privileged: false)
        let result = try runLocally(step, script: "#!/bin/sh\numask; stat -c %a \"$0\"", before: "umask 027; ")
        #expect(result.stdout == "0027\n700\n")
    }

    @Test func aShebangPicksTheInterpreterAndTheScriptDoesNotEatItsOwnText() throws {
        let step = ProvisionStep(name: "x", source: .inline(""), args: ["a b"], privileged: false)
        let result = try runLocally(step, script: "#!/bin/sh -e\nread line || true\necho \"got:$line:$1\"\n")
        #expect(result.status == 0)
        #expect(result.stdout == "got::a b\n")
    }

    @Test func privilegedStepsGoThroughSudoWithTheirEnvironment() {
        let step = ProvisionStep(name: "x", source: .inline("id -u"), env: ["A": "1 2"])
        let command = StepCommand.invocation(for: step, script: Data("id -u".utf8)).command
        #expect(command == "read -r _; exec sudo -n env 'A=1 2' sh -c 'id -u' sh")
    }
}

@Suite struct OutputBufferTests {
    @Test func prefixerEmitsWholePrefixedLinesAndFlushesTheRest() {
        var prefixer = LinePrefixer(prefix: "web | ", maxPending: 8)
        #expect(prefixer.feed(Data("a\nb".utf8)) == Data("web | a\n".utf8))
        #expect(prefixer.feed(Data("c\n\n".utf8)) == Data("web | bc\nweb | \n".utf8))
        #expect(prefixer.feed(Data("0123456789".utf8)) == Data("web | 01234567\n".utf8))
        #expect(prefixer.finish() == Data("web | 89\n".utf8))
        #expect(prefixer.finish().isEmpty)
    }

    @Test func tailKeepsTheLastLinesCut() {
        var tail = OutputTail(maxLines: 3, maxLineBytes: 5)
        for index in 1...100 { tail.append(Data("line number \(index)\n".utf8)) }
        tail.append(Data("part".utf8))
        #expect(tail.text == ["line ", "line ", "part"])
    }
}
