import CMalloc
import Foundation
import Launch

/// The `nwsh` command line: reads the options and hands them to ``Launcher``, which plans the
/// run (``LaunchPlan``) and carries it out.
@main
struct NetworkWatcherShell {
    static func main() async {
        // Page faults are most of the kernel's share of a large command here: memory one stage
        // frees is reused by the next, and the heap asks for huge pages (`explain` of a
        // 10,000-hop result: 4,490 minor faults became 3,390, then about 1,700; BENCHMARKS.md).
        // First, on the main thread: the heap it tunes is the main thread's.
        _ = nwsh_tune_malloc()
        let options: Options
        do {
            options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            exit(64)
        }
        // --help, --version, --manual, --completion-script.
        if let text = options.printedText {
            FileHandle.standardOutput.write(Data(text.utf8))
            exit(0)
        }
        exit(await Launcher.run(options, environment: ProcessInfo.processInfo.environment))
    }
}
