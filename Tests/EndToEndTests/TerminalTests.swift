import Foundation
import Testing

/// nwsh in a real pseudo-terminal, driven through tmux as a person would type.
final class TmuxSession {
    private let socket = "nwsh-test-\(UUID().uuidString.prefix(8))"
    let historyPath: String

    convenience init(arguments: [String], historyPath: String, environment: [String: String] = [:]) throws {
        let command = ([Binary.nwsh] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)' " }.joined()
        try self.init(command: "env NWSH_HISTORY='\(historyPath)' TERM=xterm \(variables)\(command)", historyPath: historyPath)
    }

    /// A terminal running a shell command line (another shell, say), then `echo EXIT=$?`.
    init(command: String, historyPath: String = "") throws {
        self.historyPath = historyPath
        // Started with posix_spawn and waitpid: Foundation's Process does not notice this client
        // exiting (its daemonised server lingers), and would wait for ever.
        let status = Self.spawnAndWait([
            "tmux", "-L", socket, "new-session", "-d", "-s", "t", "-x", "160", "-y", "50", "\(command); echo EXIT=$?; sleep 60",
        ])
        guard status == 0 else { throw CocoaError(.executableLoad) }
    }

    static func spawnAndWait(_ arguments: [String]) -> Int32 {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        // Nothing else either: the tmux server this starts outlives it, and a pipe it inherited
        // from a test running beside it (Foundation's pipes are not close-on-exec) kept that test's
        // read waiting for an end of file until the server exited (a suite hung so). glibc's
        // closefrom action is not visible to Swift; marking the descriptors does the same, and a
        // child that Foundation starts gets its pipes by dup2, which clears the mark.
        markOpenDescriptorsCloseOnExec()
        // With no signal blocked and every one at its default: a child inherits the mask of the
        // thread that starts it, and a test's thread blocks SIGTERM, so a tmux server started
        // from one ignored `kill-server` (which signals itself) and every session's nwsh stayed.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        guard posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status
    }

    /// Sets FD_CLOEXEC on every descriptor of this process from 3 up.
    static func markOpenDescriptorsCloseOnExec() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for name in names {
            guard let descriptor = Int32(name), descriptor > 2 else { continue }
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let result = try Binary.run("/usr/bin/env", ["tmux", "-L", socket] + arguments, timeout: 20)
        return result.out
    }

    func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", "t"] + keys)
    }

    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", "t", "-l", text])
    }

    /// Pastes a file's text into the terminal, as a terminal emulator pastes a selection.
    func paste(file: String) throws {
        try tmux(["load-buffer", "-b", "paste", file])
        try tmux(["paste-buffer", "-b", "paste", "-t", "t"])
    }

    func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-J", "-t", "t", "-S", "-200"])
    }

    /// Waits until the screen satisfies `condition` (up to `timeout` seconds); returns the screen.
    @discardableResult
    func wait(timeout: Double = 15, until condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var text = try screen()
        while !condition(text), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            text = try screen()
        }
        return text
    }

    /// Presses Enter and waits for the next prompt, as a person waits before typing on: keys typed
    /// while a command runs reach the terminal in cooked mode, echoed before nwsh reads them.
    func enter(expectingPrompts count: Int) throws {
        try send("Enter")
        try wait { $0.components(separatedBy: "nwsh> ").count - 1 >= count }
    }

    func close() {
        _ = try? tmux(["kill-server"])
    }
}

@Suite(.serialized) struct TerminalTests {
    static var tmuxAvailable: Bool {
        (try? Binary.run("/usr/bin/env", ["tmux", "-V"], timeout: 10).status) == 0
    }

    private func historyFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nwsh-history-\(UUID().uuidString)").path
    }

    @Test(.enabled(if: tmuxAvailable)) func tabCompletesCommandsAndVariables() throws {
        let terminal = try TmuxSession(arguments: ["--sandbox"], historyPath: historyFile())
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        try terminal.type("$subscriptionId = '00000000-0000-0000-0000-000000000000'")
        try terminal.enter(expectingPrompts: 2)
        try terminal.type("ge")
        try terminal.send("Tab")
        try terminal.type("/subscriptions/$subs")
        try terminal.send("Tab")
        let screen = try terminal.wait { $0.contains("nwsh> get /subscriptions/$subscriptionId") }
        #expect(screen.contains("nwsh> get /subscriptions/$subscriptionId"))
        try terminal.type("/resourceGroups/ContosoRG?api-version=2021-04-01")
        try terminal.send("Enter")
        let result = try terminal.wait { $0.contains("\"name\": \"ContosoRG\"") }
        #expect(result.contains("\"name\": \"ContosoRG\""))
    }

    /// Members of a result complete from its value, also inside a subexpression in a string.
    @Test(.enabled(if: tmuxAvailable)) func tabCompletesMembersOfAResult() throws {
        let terminal = try TmuxSession(arguments: ["--sandbox"], historyPath: historyFile())
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        try terminal.type(
            "$vm = get /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0?api-version=2024-07-01"
        )
        try terminal.enter(expectingPrompts: 2)
        try terminal.type("\"$($vm.properties.netw")
        try terminal.send("Tab")
        try terminal.type(".")
        try terminal.send("Tab")
        try terminal.type("[0].")
        try terminal.send("Tab")
        let screen = try terminal.wait { $0.contains("$($vm.properties.networkProfile.networkInterfaces[0].id") }
        #expect(screen.contains("nwsh> \"$($vm.properties.networkProfile.networkInterfaces[0].id"))
        try terminal.type(")\"")
        try terminal.send("Enter")
        let result = try terminal.wait { $0.contains("/networkInterfaces/appNic0\n") }
        #expect(
            result.contains(
                "\n/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Network/networkInterfaces/appNic0\n"
            ))
    }

    @Test(.enabled(if: tmuxAvailable)) func secretsTypedAtThePromptNeverReachTheHistoryFile() throws {
        let history = historyFile()
        let terminal = try TmuxSession(arguments: ["--sandbox"], historyPath: history)
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        try terminal.type("$token = 'eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ0In0.secret-signature'")
        try terminal.enter(expectingPrompts: 2)
        try terminal.type("$sas = 'https://a.blob.core.windows.net/c?sv=1&sig=SECRETSIGNATURE'")
        try terminal.enter(expectingPrompts: 3)
        try terminal.type("exit")
        try terminal.send("Enter")
        try terminal.wait { $0.contains("EXIT=0") }
        let saved = try String(contentsOfFile: history, encoding: .utf8)
        #expect(saved.contains("sig=REDACTED"))
        #expect(!saved.contains("SECRETSIGNATURE"))
        #expect(!saved.contains("secret-signature"))
    }

    @Test(.enabled(if: tmuxAvailable)) func upRecallsHistoryAcrossSessionsAndTheFileIsPrivate() throws {
        let history = historyFile()
        let first = try TmuxSession(arguments: ["--sandbox"], historyPath: history)
        try first.wait { $0.contains("nwsh> ") }
        try first.type("$greeting = 'héllo wörld'")
        try first.enter(expectingPrompts: 2)
        try first.type("$greeting")
        try first.send("Enter")
        let echoed = try first.wait { $0.contains("\nhéllo wörld") }
        #expect(echoed.contains("\nhéllo wörld"))
        try first.wait { $0.components(separatedBy: "nwsh> ").count - 1 >= 3 }
        try first.send("C-d")
        let exited = try first.wait { $0.contains("EXIT=0") }
        #expect(exited.contains("EXIT=0"))
        first.close()

        let attributes = try FileManager.default.attributesOfItem(atPath: history)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let second = try TmuxSession(arguments: ["--sandbox"], historyPath: history)
        defer { second.close() }
        try second.wait { $0.contains("nwsh> ") }
        try second.send("Up")
        try second.send("Up")
        let recalled = try second.wait { $0.hasSuffix("nwsh> $greeting = 'héllo wörld'") || $0.contains("nwsh> $greeting = 'héllo wörld'") }
        #expect(recalled.contains("nwsh> $greeting = 'héllo wörld'"))
    }

    @Test(.enabled(if: tmuxAvailable)) func thePagesFirstExamplePastedIntoTheShellPrintsTheDocumentedResult() throws {
        let terminal = try TmuxSession(arguments: ["--sandbox", "--sandbox-retry-after", "0"], historyPath: historyFile())
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        try terminal.paste(file: Binary.fixtures.appendingPathComponent("page-example-1-vm-to-vm-nsg.nwsh").path)
        let screen = try terminal.wait { $0.contains("\"probesFailed\": 100") }
        #expect(screen.contains(">> \"@"))
        #expect(screen.contains("\"value\": \"UserRule_Port80\""))
        #expect(screen.contains("\"connectionStatus\": \"Unreachable\""))
        #expect(!screen.contains("error:"))
    }

    @Test(.enabled(if: tmuxAvailable)) func ctrlCCancelsASlowPollAndAbandonsALine() throws {
        let terminal = try TmuxSession(arguments: ["--sandbox", "--sandbox-retry-after", "30"], historyPath: historyFile())
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        try terminal.type("half a line")
        try terminal.wait { $0.contains("nwsh> half a line") }
        try terminal.send("C-c")
        try terminal.wait { $0.components(separatedBy: "nwsh> ").count == 3 }
        try terminal.type(
            "post /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westcentralus/connectivityCheck?api-version=2017-03-01 \"{source: {resourceId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines/MultiTierApp0'}, destination: {address: 'bing.com', port: 443}}\""
        )
        try terminal.send("Enter")
        let waiting = try terminal.wait { $0.contains("waiting for the long-running operation") }
        #expect(waiting.contains("waiting for the long-running operation"))
        try terminal.send("C-c")
        let interrupted = try terminal.wait { $0.contains("Interrupted.") }
        #expect(interrupted.contains("Interrupted."))
        try terminal.wait { $0.components(separatedBy: "nwsh> ").count - 1 >= 3 }
        try terminal.type("exit 4")
        try terminal.send("Enter")
        let exited = try terminal.wait { $0.contains("EXIT=4") }
        #expect(exited.contains("EXIT=4"))
        #expect(!exited.contains("Unknown command 'half'"))
    }

    /// The issue's walk: from `ls` at the top to ContosoAppNsg's security rules with `cd` and Tab
    /// alone, no api-version typed; each Tab completes one level from what the sandbox holds.
    @Test(.enabled(if: tmuxAvailable)) func tabWalksFromTheTopToTheRulesOfAGroup() throws {
        let terminal = try TmuxSession(arguments: ["--sandbox"], historyPath: historyFile())
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        try terminal.type("ls")
        try terminal.send("Enter")
        try terminal.wait { $0.contains("Contoso Sandbox (nwsh)  00000000-0000-0000-0000-000000000000  Enabled") }
        let subscription = "subscriptions/00000000-0000-0000-0000-000000000000/"
        // (typed, what the line then ends with), one level each.
        let steps: [(String, String)] = [
            ("cd s", "cd subscriptions/"),
            ("", "cd \(subscription)"),
            ("resourceG", "cd \(subscription)resourceGroups/"),
            ("ContosoR", "resourceGroups/ContosoRG/"),
            ("p", "ContosoRG/providers/"),
            ("Microsoft.N", "providers/Microsoft.Network/"),
            ("networkS", "Microsoft.Network/networkSecurityGroups/"),
            ("", "networkSecurityGroups/ContosoAppNsg/"),
            ("s", "ContosoAppNsg/securityRules/"),
        ]
        for (typed, shown) in steps {
            if !typed.isEmpty { try terminal.type(typed) }
            try terminal.send("Tab")
            let screen = try terminal.wait { $0.components(separatedBy: "\n").contains { $0.hasPrefix("nwsh> ") && $0.hasSuffix(shown) } }
            #expect(screen.components(separatedBy: "\n").contains { $0.hasPrefix("nwsh> ") && $0.hasSuffix(shown) }, "\(typed): \(screen)")
        }
        try terminal.send("Enter")
        try terminal.wait { $0.contains("nwsh …/ContosoAppNsg/securityRules> ") }
        try terminal.type("ls")
        try terminal.send("Enter")
        let listed = try terminal.wait { $0.contains("100       Port80  Outbound   Deny    Tcp       *       10.1.4.0/24  80") }
        #expect(listed.contains("PRIORITY  NAME    DIRECTION  ACCESS  PROTOCOL  SOURCE  DESTINATION  PORTS"))
        // A relative path, its api-version filled in.
        try terminal.type("$rule = get Port")
        try terminal.send("Tab")
        try terminal.wait { $0.contains("$rule = get Port80/") }
        try terminal.send("BSpace", "Enter")
        try terminal.type("$rule.properties.access")
        try terminal.send("Enter")
        let access = try terminal.wait { $0.contains("\nDeny\n") }
        #expect(access.contains("\nDeny\n"))
    }

    /// After `?api-version=`, Tab offers the versions the provider lists for the type, newest first.
    @Test(.enabled(if: tmuxAvailable)) func tabCompletesAPIVersions() throws {
        let terminal = try TmuxSession(arguments: ["--sandbox"], historyPath: historyFile())
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        // (A line longer than the terminal is wide loses libedit's list of matches: kept short.)
        try terminal.type("cd ~/resourceGroups/ContosoRG/providers/Microsoft.Compute/virtualMachines")
        try terminal.send("Enter")
        try terminal.wait { $0.contains("nwsh ContosoRG/virtualMachines> ") }
        try terminal.type("get MultiTierApp0?api-version=2024-0")
        try terminal.send("Tab")
        try terminal.send("Tab")
        let listed = try terminal.wait { $0.contains("\n2024-03-01  2024-07-01") }
        #expect(listed.contains("\n2024-03-01  2024-07-01"), "\(listed)")
        try terminal.type("7")
        try terminal.send("Tab")
        try terminal.wait { $0.contains("get MultiTierApp0?api-version=2024-07-01 ") }
        try terminal.send("Enter")
        let answered = try terminal.wait { $0.contains("\"name\": \"MultiTierApp0\"") }
        #expect(answered.contains("\"name\": \"MultiTierApp0\""))
    }

    /// A lookup slower than two seconds: no completion and a hint, and the prompt goes on at once;
    /// what is typed next runs. Against nwsh-sandbox with a delay fault, signed in as Azure is.
    @Test(.enabled(if: tmuxAvailable)) func aSlowLookupLeavesThePromptResponsive() throws {
        let server = try SandboxProcess.start()
        defer { server.stop() }
        try server.inject(#"{"kind": "delay", "seconds": 6, "path": "/resourceGroups", "method": "GET", "count": 1}"#)
        let cache = try temporaryDirectory()
        let terminal = try TmuxSession(
            arguments: ["--endpoint", server.baseURL], historyPath: historyFile(),
            environment: [
                "AZURE_TENANT_ID": "72f988bf-0000-0000-0000-000000000000", "AZURE_CLIENT_ID": "11111111-2222-3333-4444-555555555555",
                "AZURE_CLIENT_SECRET": "nwsh-sandbox-secret", "AZURE_AUTHORITY_HOST": server.baseURL, "XDG_CACHE_HOME": cache.path,
            ])
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        try terminal.type("cd /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/")
        let started = Date()
        try terminal.send("Tab")
        let hinted = try terminal.wait { $0.contains("(no completion: ARM did not answer within 2 s; press Tab to try again)") }
        let waited = Date().timeIntervalSince(started)
        #expect(hinted.contains("(no completion: ARM did not answer within 2 s; press Tab to try again)"), "\(hinted)")
        #expect(waited < 5, "the prompt was held \(waited) s")
        try terminal.type("ContosoRG")
        try terminal.send("Enter")
        let moved = try terminal.wait { $0.contains("nwsh ContosoRG> ") }
        #expect(moved.contains("nwsh ContosoRG> "), "\(moved)")
        // Ctrl-C while a lookup is slow stops the wait at once; the line is kept.
        try server.inject(#"{"kind": "delay", "seconds": 6, "path": "/resources", "method": "GET", "count": 1}"#)
        try terminal.type("ls providers/")
        try terminal.send("Tab")
        Thread.sleep(forTimeInterval: 0.3)
        let interrupted = Date()
        try terminal.send("C-c")
        try terminal.type("Microsoft.Network")
        try terminal.send("Enter")
        let listed = try terminal.wait { $0.contains("networkSecurityGroups  1") }
        #expect(listed.contains("networkSecurityGroups  1"), "\(listed)")
        #expect(listed.components(separatedBy: "(no completion").count == 2, "no second hint after Ctrl-C")
        #expect(Date().timeIntervalSince(interrupted) < 6)
        // A lookup that fails is said in a few words, and nothing is completed.
        try server.inject(#"{"kind": "status", "status": 403, "path": "/networkWatchers", "method": "GET", "count": 1}"#)
        try terminal.type("ls ~/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/")
        try terminal.send("Tab")
        let failed = try terminal.wait { $0.contains("(no completion: HTTP 403 InjectedFault)") }
        #expect(failed.contains("(no completion: HTTP 403 InjectedFault)"), "\(failed)")
    }

    /// Completion's lookups are recorded, marked `completion`, so a replay can answer them, and
    /// `--rerun` runs only the statements.
    @Test(.enabled(if: tmuxAvailable)) func completionLookupsAreRecordedAndMarked() throws {
        let cassette = try temporaryDirectory().appendingPathComponent("tab.cassette.json").path
        let terminal = try TmuxSession(arguments: ["--sandbox", "--record", cassette], historyPath: historyFile())
        defer { terminal.close() }
        try terminal.wait { $0.contains("nwsh> ") }
        try terminal.type("cd ~/resourceGroups/Contoso")
        try terminal.send("Tab")
        try terminal.send("Tab")
        try terminal.wait { $0.contains("ContosoExampleRG/") && $0.contains("ContosoRG/") }
        try terminal.type("RG")
        try terminal.send("Enter")
        try terminal.wait { $0.contains("nwsh ContosoRG> ") }
        try terminal.type("exit")
        try terminal.send("Enter")
        try terminal.wait { $0.contains("EXIT=0") }
        let text = try String(contentsOfFile: cassette, encoding: .utf8)
        #expect(text.contains(#""lookup": "completion""#), "\(text)")
        let rerun = try Binary.run(Binary.nwsh, ["--replay", cassette, "--rerun"])
        #expect(rerun.status == 0, "\(rerun.err)")
    }
}
