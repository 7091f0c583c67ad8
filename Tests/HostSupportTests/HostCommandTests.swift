import Foundation
import HostSupport
import Testing

@Suite("HostCommand: one way to run host programs")
struct HostCommandTests {
    @Test("stdout, stderr and the exit status come back apart")
    func separatesStreams() throws {
        let result = try HostCommand.run("sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.stdoutText == "out\n")
        #expect(result.stderrText == "err")
    }

    @Test("input larger than a pipe buffer reaches the child whole")
    func feedsLargeInput() throws {
        let input = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let result = try HostCommand.run("wc", ["-c"], stdin: input)
        #expect(result.status == 0)
        #expect(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "300000")
    }

    @Test("a child that exits without reading its input does not take vmfile down")
    func childIgnoringInput() throws {
        let result = try HostCommand.run("true", [], stdin: Data(repeating: 0x41, count: 1 << 20))
        #expect(result.status == 0)
    }

    @Test("large output on both streams at once does not deadlock")
    func drainsBothStreams() throws {
        let script = "head -c 200000 /dev/zero; head -c 200000 /dev/zero >&2"
        let result = try HostCommand.run("sh", ["-c", script])
        #expect(result.stdout.count == 200_000)
        #expect(result.stderr.count == 200_000)
    }

    @Test("a program that is not installed is a SpawnError naming it")
    func missingProgram() {
        #expect {
            _ = try HostCommand.run("vmfile-no-such-program", [])
        } throws: { error in
            guard let spawn = error as? SpawnError else { return false }
            return spawn.isMissing && spawn.description.contains("vmfile-no-such-program")
        }
    }

    @Test("a killed child reports 128 + the signal")
    func signalStatus() throws {
        let result = try HostCommand.run("sh", ["-c", "kill -9 $$"])
        #expect(result.status == 128 + 9)
    }

    @Test("children start with no blocked signals, whatever the spawning thread blocks")
    func cleanSignalMask() throws {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let result = try HostCommand.run("sh", ["-c", "grep '^SigBlk' /proc/self/status"])
        #expect(result.stdoutText.contains("0000000000000000"))
    }
}

@Suite("ChildProcess")
struct ChildProcessTests {
    @Test("exitStatus is nil while the child runs; kill reaps it")
    func runningAndKilled() throws {
        let child = try ChildProcess("sleep", ["30"])
        #expect(child.exitStatus() == nil)
        child.kill()
        #expect(kill(child.pid, 0) != 0)
    }

    @Test("a piped stdout is readable by the parent")
    func pipedStdout() throws {
        let child = try ChildProcess("echo", ["hello"], stdout: .pipe)
        let fd = try #require(child.stdoutPipe)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        #expect(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self) == "hello\n")
        #expect(child.waitForExit() == 0)
    }
}
