import Foundation
import Testing

/// `scripts/install` into a temporary prefix, and every part it installs used as a person would:
/// the binaries from PATH, `man nwsh`, and completion in bash, zsh (in a real terminal) and fish.
///
/// The install builds nwsh for release, minutes on two cores, so `scripts/test` runs this suite
/// on its own after the others (it would slow their timed waits), from the test binary: `swift
/// test` holds the build folder's lock for as long as tests run, and the installer's build would
/// wait for it for ever.
@Suite(.serialized) struct InstallTests {
    /// Whether another SwiftPM process (the `swift test` running this) holds the build folder's
    /// lock: SwiftPM `flock`s `$TMPDIR/<the folder's path with / as _>.lock` (`_work_main_.build.lock`)
    /// while it runs, and a second SwiftPM waits for it.
    static var buildFolderLocked: Bool {
        let folder = Binary.packageRoot.appendingPathComponent(".build").path
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let lock = directory + "/" + folder.replacingOccurrences(of: "/", with: "_") + ".lock"
        let descriptor = open(lock, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(descriptor, LOCK_UN)
        return false
    }

    static var script: String { Binary.packageRoot.appendingPathComponent("scripts/install").path }

    static func has(_ tool: String) -> Bool {
        ["/usr/bin", "/bin", "/usr/local/bin"].contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }

    /// A shell's environment with the install on PATH and the prefix's `share` where `~/.local/share`
    /// would be for the default prefix (`XDG_DATA_HOME`), and nothing of the user's own settings.
    static func environment(prefix: String, home: String) -> [String: String] {
        ["PATH": "\(prefix)/bin:/usr/bin:/bin", "HOME": home, "XDG_DATA_HOME": "\(prefix)/share", "MANPATH": "", "TERM": "xterm"]
    }

    /// Set by `scripts/test`, which runs this suite from the test binary: a skip is then a failure.
    static var required: Bool { ProcessInfo.processInfo.environment["NWSH_REQUIRE_INSTALL_TESTS"] == "1" }

    @Test(
        .enabled(
            if: required || !buildFolderLocked,
            "'swift test' holds the build folder's lock, which the installer's build needs; scripts/test runs this from the test binary"
        ))
    func theInstallWorksFromPATHWithItsManPageAndCompletion() async throws {
        guard !Self.buildFolderLocked else {
            Issue.record("another SwiftPM process holds the build folder's lock, and the installer's build would wait for it")
            return
        }
        let directory = try temporaryDirectory()
        let prefix = directory.appendingPathComponent("prefix").path
        let home = directory.appendingPathComponent("home").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let installed = try await Binary.runOffThePool("/bin/bash", [Self.script, prefix], timeout: 2400)
        #expect(installed.status == 0, "\(installed.err)")
        let files = [
            "bin/nwsh", "bin/nwsh-sandbox", "share/bash-completion/completions/nwsh", "share/fish/vendor_completions.d/nwsh.fish",
            "share/man/man1/nwsh.1", "share/nwsh/installed-files", "share/zsh/site-functions/_nwsh",
        ]
        #expect(
            installed.out.hasPrefix(
                "Installed nwsh 0.1 into \(prefix):\n" + files.map { "  \($0)\n" }.joined() + "  share/nwsh/Scenarios/ (2 files)\n"),
            "\(installed.out)")
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/nwsh/Scenarios/subscription.json"))
        // For a prefix of its own, each shell's line to add.
        #expect(
            installed.out.hasSuffix(
                """
                To complete nwsh's options, add to ~/.bashrc:  source '\(prefix)/share/bash-completion/completions/nwsh'
                  to ~/.zshrc, before compinit:  fpath=('\(prefix)/share/zsh/site-functions' $fpath)
                  to ~/.config/fish/config.fish:  set -p fish_complete_path '\(prefix)/share/fish/vendor_completions.d'

                """), "\(installed.out)")
        let environment = Self.environment(prefix: prefix, home: home)

        // The binaries, found on PATH; the Swift runtime is linked in.
        let version = try Binary.run("/usr/bin/env", ["nwsh", "--version"], environment: environment)
        #expect(version.out == "nwsh 0.1\n")
        let session = try await Binary.runOffThePool(
            "/usr/bin/env", ["nwsh", "--sandbox", "-c", "$r = get /subscriptions?api-version=2022-12-01; $r.value[0].displayName"],
            environment: environment)
        #expect(session.status == 0, "\(session.err)")
        #expect(session.out == "Contoso Sandbox (nwsh)\n")
        let sandbox = try Binary.run("/usr/bin/env", ["nwsh-sandbox", "--help"], environment: environment)
        #expect(sandbox.status == 0)
        #expect(sandbox.out.contains("--cloud <CLOUD>"))
        if Self.has("ldd") {
            let libraries = try Binary.run("/usr/bin/env", ["ldd", prefix + "/bin/nwsh"])
            #expect(!libraries.out.contains("libswiftCore"), "\(libraries.out)")
            #expect(!libraries.out.contains("libFoundation"), "\(libraries.out)")
        }

        // man finds the page from PATH (prefix/bin gives prefix/share/man), and renders it.
        var manual = environment
        manual["MANPATH"] = nil
        let location = try Binary.run("/usr/bin/env", ["-u", "MANPATH", "man", "-w", "nwsh"], environment: manual)
        #expect(location.out == prefix + "/share/man/man1/nwsh.1\n", "\(location.err)")
        manual["MANPAGER"] = "cat"
        manual["MANWIDTH"] = "80"
        let page = try Binary.run("/usr/bin/env", ["-u", "MANPATH", "man", "nwsh"], environment: manual)
        // Without a terminal, man may still overstrike bold text (a character, a backspace, again).
        let plain = page.out.replacingOccurrences(of: ".\u{8}", with: "", options: .regularExpression)
        #expect(plain.hasPrefix("NWSH(1)"), "\(page.status) \(page.err)")
        #expect(plain.contains("--completion-script SHELL"))

        // bash: bash-completion's loader finds it under XDG_DATA_HOME (~/.local/share by default).
        let bash = try Binary.run(
            "/bin/bash",
            [
                "-c",
                #"source /usr/share/bash-completion/bash_completion; __load_completion nwsh && complete -p nwsh; COMP_WORDS=(nwsh --cloud ""); COMP_CWORD=2; _nwsh; printf '%s\n' "${COMPREPLY[@]}""#,
            ], environment: environment)
        #expect(bash.out == "complete -F _nwsh nwsh\nAzureCloud\nAzureUSGovernment\nAzureChinaCloud\n", "\(bash.err)")

        // fish: its own completer, from XDG_DATA_HOME/fish/vendor_completions.d.
        let fish = try Binary.run("/usr/bin/env", ["fish", "-c", "complete -C 'nwsh --color '"], environment: environment)
        #expect(
            fish.out
                == "always\tColour: auto, always or never (NO_COLOR also turns it off)\nauto\tColour: auto, always or never (NO_COLOR also turns it off)\nnever\tColour: auto, always or never (NO_COLOR also turns it off)\n",
            "\(fish.err)")

        // zsh, in a real terminal, with the prefix's site-functions on fpath as the installer says.
        let variables = environment.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }
        let terminal = try TmuxSession(command: "env -i \(variables.joined(separator: " ")) zsh -f")
        defer { terminal.close() }
        try terminal.type("fpath=(\(prefix)/share/zsh/site-functions $fpath); autoload -Uz compinit; compinit -u -D; PS1='zsh> '")
        try terminal.send("Enter")
        try terminal.wait { $0.contains("zsh> ") }
        try terminal.type("nwsh --record-mode ")
        try terminal.send("Tab")
        let modes = try terminal.wait { $0.contains("new_episodes") }
        #expect(modes.contains("all           new_episodes  none          once"), "\(modes)")
        try terminal.send("C-u")
        try terminal.type("nwsh --vers")
        try terminal.send("Tab")
        let completed = try terminal.wait { $0.contains("zsh> nwsh --version") }
        #expect(completed.contains("zsh> nwsh --version"), "\(completed)")

        // Installing again while the installed sandbox runs replaces the files beside it.
        let running = Process()
        running.executableURL = URL(fileURLWithPath: prefix + "/bin/nwsh-sandbox")
        running.arguments = ["--port", "0"]
        running.standardOutput = FileHandle.nullDevice
        running.standardError = FileHandle.nullDevice
        try running.run()
        let again = try await Binary.runOffThePool("/bin/bash", [Self.script, prefix], timeout: 2400)
        #expect(again.status == 0, "\(again.err)")
        #expect(again.out.hasPrefix("Installed nwsh 0.1 into \(prefix):\n"))
        #expect(running.isRunning)
        running.terminate()
        Binary.wait(for: running)

        // A prefix that cannot be written stops the install with a message.
        try "a file".write(toFile: directory.path + "/file", atomically: true, encoding: .utf8)
        let refused = try await Binary.runOffThePool("/bin/bash", [Self.script, directory.path + "/file/prefix"], timeout: 2400)
        #expect(refused.status == 1)
        #expect(
            refused.err.hasSuffix(
                "scripts/install: cannot write \(directory.path)/file/prefix/bin/nwsh; install into a PREFIX of yours, or run it with sudo.\n"
            ),
            "\(refused.err)")

        // --uninstall removes what was installed and nothing else.
        try "mine".write(toFile: prefix + "/bin/other-tool", atomically: true, encoding: .utf8)
        let removed = try Binary.run("/bin/bash", [Self.script, "--uninstall", prefix])
        #expect(removed.status == 0, "\(removed.err)")
        #expect(removed.out == "Removed nwsh from \(prefix).\n")
        for file in files { #expect(!FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file)") }
        #expect(!FileManager.default.fileExists(atPath: prefix + "/share/nwsh"))
        #expect(FileManager.default.fileExists(atPath: prefix + "/bin/other-tool"))
    }

    @Test(arguments: [
        (["a", "b"], 64, "scripts/install: give one PREFIX, not 'a b'.\n"),
        (["--prefix"], 64, "scripts/install: unknown option '--prefix'.\n"),
        (["--uninstall"], 1, "scripts/install: nothing to remove: HOME/.local/share/nwsh/installed-files does not exist.\n"),
    ])
    func badRequestsAreRefusedBeforeAnythingIsBuilt(arguments: [String], status: Int32, message: String) throws {
        let home = try temporaryDirectory().path
        let result = try Binary.run("/bin/bash", [Self.script] + arguments, environment: ["HOME": home])
        #expect(result.status == status)
        #expect(result.err.hasPrefix(message.replacingOccurrences(of: "HOME/", with: home + "/")), "\(result.err)")
    }
}
