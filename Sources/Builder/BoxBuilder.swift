import Boxes
import Foundation
import HostSupport
import Hypervisor
import Net
import Provisioner
import Spec

/// `vmfile build`: boots an installer ISO on a build network, types its boot command, serves its answer
/// files, waits for the install to finish (the installer's reboot powers the machine off), boots the
/// installed disk, provisions it over SSH, shuts it down and packages the disk as a vagrant-libvirt `.box`.
/// Everything it makes in libvirt is named after the Boxfile's path and removed at the end — also when the
/// build fails, unless asked to keep it — and a rerun first removes what a killed run left.
public struct BoxBuilder: Sendable {
    public let options: BuildOptions
    public let reporter: any BuildReporter

    public init(options: BuildOptions, reporter: any BuildReporter) {
        self.options = options
        self.reporter = reporter
    }

    /// Runs the whole build.
    /// - Throws: `BuilderError` (or the failing module's error) saying what failed and what to do.
    public func run() throws -> BuildResult {
        let clock = ContinuousClock()
        let started = clock.now
        var phaseStart = started
        var timings: [(name: String, duration: Duration)] = []
        func phase(_ message: String, timing: String? = nil) {
            let now = clock.now
            reporter.phase(message, elapsed: now - phaseStart)
            if let timing { timings.append((timing, now - phaseStart)) }
            phaseStart = now
        }

        // Load and check everything before anything is made.
        let boxfile: Boxfile
        do {
            boxfile = try BoxfileLoader.load(path: options.boxfilePath)
        } catch {
            throw BuilderError(.invalidBoxfile, error.description)
        }
        let variables: [String: String]
        do {
            variables = try boxfile.resolveVariables(overrides: try Boxfile.parseOverrides(options.variables))
        } catch {
            throw BuilderError(.invalidBoxfile, error.description)
        }
        try Self.checkSupported(boxfile)
        let plan = BuildPlan(boxfile: boxfile)
        let outputDirectory = options.outputDirectory.map {
            URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)).standardizedFileURL.path
        } ?? boxfile.output.directory
        let output = URL(fileURLWithPath: outputDirectory).appendingPathComponent(plan.boxFileName)
        if FileManager.default.fileExists(atPath: output.path), !options.force {
            throw BuilderError(.output, "\(output.path) exists already", hint: "pass --force to overwrite it, or --output DIR to write elsewhere")
        }
        let catalogURL = boxfile.output.catalog
            ? URL(fileURLWithPath: outputDirectory).appendingPathComponent(CatalogEntry.fileName(boxName: boxfile.box.name)) : nil
        let previousCatalog = try catalogURL.flatMap { try CatalogEntry.existing(at: $0, boxName: boxfile.box.name) }
        phase("Boxfile \(boxfile.path): box \(boxfile.box.name) \(boxfile.box.version), build \(plan.name)")

        let reporting = self.reporter
        let isoPath = try ISOVerifier.verify(boxfile.iso, cache: VmfileHome.directory(environment: options.environment).appendingPathComponent("cache/iso"),
                                             progress: { reporting.progress($0) })
        phase("ISO \(isoPath) verified (sha256)", timing: "iso-verify")

        // One build of a Boxfile at a time: its libvirt names are fixed.
        let lock: FileLock
        do {
            lock = try FileLock.acquire(at: VmfileHome.locks(environment: options.environment).appendingPathComponent("build-\(plan.id).lock").path,
                                        policy: .noWait, purpose: "the build of \(boxfile.path)")
        } catch {
            throw BuilderError(.busy, "another `vmfile build` of \(boxfile.path) is running", hint: "wait for it to finish", cause: error)
        }
        defer { lock.release() }

        let connection = try LibvirtConnection(resolved: ResolvedConnectionURI.resolve(.current(
            explicit: options.connect, vmfile: nil, environment: options.environment)))
        guard connection.uriInfo.isLocal else {
            throw BuilderError(.unsupported, "`vmfile build` needs a libvirt daemon on this host (\(connection.uri) is remote): the answer-file server, console log and disk are read here")
        }
        guard !connection.uriInfo.isSession else {
            throw BuilderError(.unsupported, "`vmfile build` on \(connection.uri) is not done yet: the build network needs the system daemon",
                               hint: "run it as root (qemu:///system)")
        }
        let choice = try AcceleratorDetector(environment: options.environment).detect()
        if choice.shouldWarn { reporter.notice("warning: \(choice.reason)") }
        let emulator = AcceleratorDetector.emulator(environment: options.environment)

        let resources = BuildResources(connection: connection, plan: plan)
        let abandoned = PartialOutputs.removeAbandoned(in: output.deletingLastPathComponent(), boxFileName: plan.boxFileName)
        if try resources.removeLeftovers() || !abandoned.isEmpty {
            reporter.notice("removed what an earlier, interrupted build of \(boxfile.path) left (\(plan.name))")
        }
        let work = try resources.makeWorkDirectory()
        let console = ConsoleLog(path: work + "/console.log")
        var succeeded = false
        var server: AnswerFileServer?
        let keep = options.keepOnError, buildReporter = self.reporter
        let interrupted = InterruptCleanup { signal in
            if keep {
                buildReporter.notice("interrupted (signal \(signal)); kept \(plan.name) (--on-error=abort); the next `vmfile build` of the Boxfile removes it")
            } else {
                buildReporter.notice("interrupted (signal \(signal)); removing the build machine, volumes and network")
                resources.removeAll()
            }
        }
        defer {
            interrupted.finish()
            server?.stop()
            if succeeded || !options.keepOnError {
                resources.removeAll()
            } else {
                reporter.notice("""
                    kept the failed build for inspection (--on-error=abort): domain \(plan.name) on network \(plan.name)\
                    \(resources.guestIP.map { " at \($0)" } ?? ""); `virsh -c \(connection.uri) console \(plan.name)`, \
                    console log \(console.path); the next `vmfile build \(boxfile.path)` removes it
                    """)
            }
        }
        phase("accelerator \(choice.accelerator.rawValue), connected to \(connection.uri)", timing: "connect")

        // Build network and answer files.
        let network = try resources.makeNetwork(metadata: ["role": "build", "boxfile": boxfile.path])
        let gateway = try network.ipv4Subnets().first?.gatewayAddress.description ?? ""
        phase("network \(plan.name) (\(try network.ipv4Subnets().first?.description ?? "?"), isolated)", timing: "network")
        var values = boxfile.templateValues(httpIP: gateway, httpPort: 0, variables: variables)
        if let http = boxfile.http {
            let answers = try AnswerFileServer(address: gateway)
            server = answers
            values = boxfile.templateValues(httpIP: gateway, httpPort: answers.port, variables: variables)
            switch http {
            case .content(let files):
                answers.start(files: files.mapValues { Data($0.expand(values).utf8) })
            case .directory(let directory):
                answers.start(files: [:], directory: directory)
            }
            phase("answer files at http://\(gateway):\(answers.port)/", timing: "http")
        }

        // Volumes and the build machine.
        let pool = try connection.ensureStoragePool()
        let isoVolume = try pool.importVolume(name: plan.isoVolume, fromFile: isoPath, format: .raw)
        let disk = try pool.createVolume(xml: StoragePool.emptyVolumeXML(name: plan.diskVolume, capacity: boxfile.diskBytes, format: .qcow2))
        let diskPath = try disk.path()
        var seedPath: String?
        if let cd = boxfile.cd {
            let image = work + "/cd.iso"
            try SeedCD.make(cd, values: values, staging: work + "/cd", output: image)
            seedPath = try pool.importVolume(name: plan.cdVolume, fromFile: image, format: .raw).path()
        }
        phase("volumes \(plan.isoVolume), \(plan.diskVolume) (\(ByteCount.text(boxfile.diskBytes)))\(seedPath == nil ? "" : ", \(plan.cdVolume) (label \(boxfile.cd?.label ?? ""))")", timing: "volumes")
        let installSpec = try plan.domainSpec(boxfile: boxfile, accelerator: choice.accelerator, diskPath: diskPath,
                                              isoPath: try isoVolume.path(), consoleLog: console.path, emulator: emulator, installing: true,
                                              seedCD: seedPath)
        let domain = try connection.defineDomain(installSpec)
        try domain.start()
        let poweredOn = clock.now
        let deadline = Date().addingTimeInterval(Self.seconds(boxfile.ssh.timeout))
        phase("build machine \(plan.name) started (\(choice.accelerator.rawValue), \(boxfile.cpus) CPU, \(boxfile.memoryMiB) MiB)", timing: "define-start")

        // Boot command.
        if boxfile.boot.wait > .zero { Thread.sleep(forTimeInterval: Self.seconds(boxfile.boot.wait)) }
        var waited = Duration.zero
        var firstWait: Duration?
        var held: [BootKey] = []
        let typingStart = clock.now
        for step in boxfile.boot.command {
            switch step {
            case .text(let template):
                try domain.type(template.expand(values), holding: held, holdTime: Self.keyHold)
            case .key(let key):
                try domain.sendKeys(LinuxKey.chord(for: key, holding: held), holdTime: Self.keyHold)
            case .press(let key):
                if !held.contains(key) { held.append(key) }
            case .release(let key):
                held.removeAll { $0 == key }
            case .wait(let duration):
                Thread.sleep(forTimeInterval: Self.seconds(duration))
                waited += duration
            case .waitFor(let pattern, let timeout):
                let waitStart = clock.now
                try console.waitFor(pattern, timeout: timeout, stillRunning: { (try? domain.state().isActive) ?? false })
                let took = clock.now - waitStart
                waited += took
                if firstWait == nil { firstWait = clock.now - poweredOn }
                reporter.phase("console showed \"\(pattern)\"", elapsed: took)
            }
        }
        let typed = clock.now
        if let firstWait { timings.append(("boot-to-prompt", firstWait)) }
        timings.append(("typing", typed - typingStart - waited))
        reporter.phase("boot command typed (\(boxfile.boot.command.count) steps; keys only, without the waits)", elapsed: typed - typingStart - waited)
        phaseStart = typed

        if boxfile.ssh.waitForReboot {
            // The install: ends with the installer's reboot, which powers the domain off.
            try Self.waitForShutoff(domain, until: deadline, console: console,
                                    what: "the installer to finish and reboot (ssh.timeout \(ConsoleLog.seconds(boxfile.ssh.timeout)) from power-on)")
            phase("installer finished and rebooted", timing: "install")

            // Boot the installed disk alone.
            let installedSpec = try plan.domainSpec(boxfile: boxfile, accelerator: choice.accelerator, diskPath: diskPath,
                                                    isoPath: nil, consoleLog: console.path, emulator: emulator, installing: false)
            _ = try connection.defineDomain(installedSpec)
            try domain.start()
        } else {
            // ssh.wait_for_reboot: false — whatever answers SSH first (the installer's own sshd included) is
            // what gets provisioned; the installer's reboot, if any, restarts the machine in place.
            reporter.notice("ssh.wait_for_reboot: false: trying SSH from power-on, without waiting for the installer's reboot")
        }
        let endpointHost = try resources.waitForLease(network: network, until: deadline, console: console)
        let endpoint = GuestEndpoint(host: endpointHost, port: boxfile.ssh.port, user: boxfile.ssh.username, password: boxfile.ssh.password)
        let keys = try Self.keys(boxfile.ssh)
        let connector = LibsshGuestConnector()
        var session: any GuestSession
        do {
            session = try connector.waitUntilReady(endpoint, keys: keys, pinnedHostKey: nil, deadline: deadline)
        } catch {
            throw BuilderError(.timeout, "the installed system at \(endpointHost) did not accept SSH as \(boxfile.ssh.username): \(error)\n\(ConsoleLog.quoted(console.tail()))",
                               hint: "check the answer file's user and key (ssh: in the Boxfile)", cause: error)
        }
        phase("SSH up at \(endpointHost):\(boxfile.ssh.port) as \(boxfile.ssh.username)\(session.authenticatedKeyText == nil && endpoint.password != nil ? " with the password" : "")",
              timing: "boot-to-ssh")
        // The key the guest took is the one the box must offer Vagrant.
        let loginKey = try Self.loginKey(boxfile.ssh, authenticatedWith: session.authenticatedKeyText)

        // Provision.
        if !boxfile.provision.isEmpty {
            let hostKey = session.hostKey
            let runner = ShellStepRunner(
                subject: "build '\(boxfile.box.name)'",
                hints: StepHints(
                    connectionFailed: { _ in "rerun `vmfile build` (add --on-error=abort to keep the machine for a look)" },
                    retry: { _ in "rerun `vmfile build`" },
                    hostKeyChanged: "the guest changed its host key during the build",
                    rebootTimedOut: "see the console log; rerun with --on-error=abort to keep the machine"),
                rebootTimeout: max(60, deadline.timeIntervalSinceNow), observer: ReporterObserver(reporter: reporter),
                connect: { until in try connector.waitUntilReady(endpoint, keys: keys, pinnedHostKey: hostKey, deadline: until) })
            do {
                session = try runner.run(boxfile.provision.map { PlannedStep(step: $0, scope: .machine) }, on: session)
            } catch {
                session.close()
                throw error
            }
            phase("provisioned (\(boxfile.provision.count) steps)", timing: "provision")
        }

        // Free blocks out of the disk before it is copied into the box.
        if boxfile.shutdown.trim { phase(Self.trimFreeSpace(session), timing: "trim") }

        // Shut down.
        let shutdownDeadline = Date().addingTimeInterval(Self.seconds(boxfile.shutdown.timeout))
        if let command = boxfile.shutdown.command {
            // The connection may drop as the guest powers off: that is not a failure.
            _ = try? session.run(ShellQuote.asRoot(command) + " </dev/null")
            session.close()
        } else {
            session.close()
            try domain.shutdown()
        }
        try Self.waitForShutoff(domain, until: shutdownDeadline, console: console,
                                what: "the guest to power off (shutdown.timeout \(ConsoleLog.seconds(boxfile.shutdown.timeout)))",
                                pressPowerButton: boxfile.shutdown.command == nil)
        phase("shut down (\(boxfile.shutdown.command.map { "`\($0)`" } ?? "ACPI power button"))", timing: "shutdown")

        // Package.
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let partial = PartialOutputs.path(in: output.deletingLastPathComponent(), boxFileName: plan.boxFileName)
        let partialSum = URL(fileURLWithPath: partial.path + ".sha256")
        defer {
            try? FileManager.default.removeItem(at: partial)
            try? FileManager.default.removeItem(at: partialSum)
        }
        do {
            try BoxExporter.export(image: URL(fileURLWithPath: diskPath), to: partial, vagrantfile: nil,
                                   loginKey: loginKey, compress: boxfile.compress)
        } catch {
            throw BuilderError(.output, "packaging the installed disk into \(output.path) failed: \(error)", cause: error)
        }
        let digest = try StreamingHasher.digest(of: partial, .sha256)
        try "\(digest)  \(plan.boxFileName)\n".write(to: partialSum, atomically: false, encoding: .utf8)
        let size = (try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? NSNumber)?.uint64Value ?? 0
        guard rename(partial.path, output.path) == 0, rename(partialSum.path, output.path + ".sha256") == 0 else {
            throw BuilderError(.output, "cannot move the box into place at \(output.path): \(String(cString: strerror(errno)))")
        }
        phase("box \(output.path) (\(ByteCount.text(size)), sha256 \(digest.prefix(12))…)", timing: "compaction")
        if let catalogURL {
            let catalog = CatalogEntry.merged(previousCatalog, box: boxfile.box, boxFileName: plan.boxFileName, sha256: digest)
            try CatalogEntry.write(catalog, to: catalogURL)
            phase("catalog \(catalogURL.path) (\(catalog.versions.count) version\(catalog.versions.count == 1 ? "" : "s"))")
        }

        var added = false
        if options.add {
            let installer = BoxInstaller(store: BoxStore(root: BoxStore.defaultRoot(environment: options.environment)),
                                         notice: { reporter.notice($0) })
            _ = try installer.add(BoxInstaller.Request(
                name: boxfile.box.name, source: .local(output), version: boxfile.box.version.description,
                checksum: try Checksum(algorithm: .sha256, hex: digest), force: options.force))
            added = true
            phase("added to the box store as \(boxfile.box.name) \(boxfile.box.version)", timing: "add")
        }

        succeeded = true
        server?.stop()
        resources.removeAll()
        phase("removed the build machine, volumes and network", timing: "cleanup")
        timings.append(("total", clock.now - started))
        return BuildResult(box: output.path, sha256: digest, size: size, added: added, timings: timings)
    }

    /// How long each key of a boot command is held (as `virsh send-key --holdtime 30`).
    static let keyHold = Duration.milliseconds(30)

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Refuses, before anything is made, what this builder does not do yet.
    static func checkSupported(_ boxfile: Boxfile) throws {
        if boxfile.firmware == .uefi {
            throw BuilderError(.unsupported, "\(boxfile.path): firmware: uefi is not built yet", hint: "use firmware: bios")
        }
    }

    /// The private keys to offer the installed system (none with `ssh.password`).
    static func keys(_ ssh: BuildSSH) throws -> [String] {
        switch ssh.credential {
        case .vagrantInsecureKey: return InsecureKeys.all
        case .privateKey(let path):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw BuilderError(.invalidBoxfile, "cannot read ssh.private_key \(path)")
            }
            return [text]
        case .password:
            return []
        }
    }

    /// The key the built box ships for Vagrant: the one the installed system accepted (`authenticatedWith`,
    /// else the Boxfile's), except Vagrant's insecure RSA key, which every Vagrant offers by itself. Its insecure
    /// ed25519 key is shipped: older Vagrants (Debian 12's 2.3.4) offer only the RSA one. A build that logged in
    /// with `ssh.password` ships no key: the guest must take Vagrant's insecure key (answer file or provision).
    static func loginKey(_ ssh: BuildSSH, authenticatedWith: String?) throws -> BoxLoginKey {
        guard let text = try authenticatedWith ?? keys(ssh).first else { return .vagrantInsecure }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed == InsecureKeys.rsa.trimmingCharacters(in: .whitespacesAndNewlines) ? .vagrantInsecure : .privateKey(text)
    }

    /// `fstrim` of the guest's filesystems as root (util-linux's `-a`; busybox's, which has no `-a`, on `/`):
    /// the discards reach the qcow2 (the disk has `discard='unmap'`), so `qemu-img convert` skips what the
    /// install freed. Best effort: a guest without fstrim, or one that refuses, gets a bigger box, not a
    /// failed build. Returns the phase line with what fstrim reported.
    static func trimFreeSpace(_ session: any GuestSession) -> String {
        let script = "command -v fstrim >/dev/null 2>&1 || { echo 'the guest has no fstrim'; exit 3; }; fstrim -av 2>/dev/null || fstrim -v /"
        let result: GuestCommandResult
        do {
            result = try session.run(ShellQuote.asRoot(script) + " </dev/null 2>&1")
        } catch {
            return "free space not trimmed (\(error)); the box may be larger"
        }
        let report = result.stdout.split(whereSeparator: \.isNewline).joined(separator: "; ")
        return result.status == 0
            ? "trimmed free space (\(report))"
            : "free space not trimmed (\(report.isEmpty ? "exit status \(result.status)" : report)); the box may be larger"
    }

    /// Polls every 100 ms until `domain` is shut off; with `pressPowerButton`, presses it again every 10 s.
    static func waitForShutoff(_ domain: Domain, until deadline: Date, console: ConsoleLog, what: String,
                               pressPowerButton: Bool = false) throws {
        var lastPress = Date()
        while try domain.state().isActive {
            if Date() >= deadline {
                throw BuilderError(.timeout, "timed out waiting for \(what); the console's last lines:\n\(ConsoleLog.quoted(console.tail()))",
                                   hint: "rerun with --on-error=abort to keep the machine and look at it (`virsh console \(domain.name)`)")
            }
            if pressPowerButton, Date().timeIntervalSince(lastPress) > 10 {
                try? domain.shutdown()
                lastPress = Date()
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}

/// Forwards provision steps' phases and output to the build's reporter.
struct ReporterObserver: StepObserver {
    let reporter: any BuildReporter

    func phase(_ message: String) {
        reporter.notice(message)
    }

    func output(_ stream: GuestStream, _ bytes: Data) {
        reporter.output(stream, bytes)
    }

    func outputFinished() {
        reporter.outputFinished()
    }
}
