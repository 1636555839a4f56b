import Foundation
import Testing

/// nwsh in a real pseudo-terminal, driven through tmux as a person would type.
final class TmuxSession {
    private let socket = "nwsh-test-\(UUID().uuidString.prefix(8))"
    let historyPath: String

    init(arguments: [String], historyPath: String) throws {
        self.historyPath = historyPath
        let command = ([Binary.nwsh] + arguments).map { "'\($0)'" }.joined(separator: " ")
        // Started with posix_spawn and waitpid: Foundation's Process does not notice this client
        // exiting (its daemonised server lingers), and would wait for ever.
        let status = Self.spawnAndWait([
            "tmux", "-L", socket, "new-session", "-d", "-s", "t", "-x", "160", "-y", "50",
            "env NWSH_HISTORY='\(historyPath)' TERM=xterm \(command); echo EXIT=$?; sleep 60",
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
}
