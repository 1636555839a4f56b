import Foundation

/// Where the sandbox's scenario files (`subscription.json`, `providers.json`) are found, in order:
///
/// 1. `PREFIX/share/nwsh/Scenarios`, when the executable is in `PREFIX/bin` (as `scripts/install`
///    lays nwsh out);
/// 2. SwiftPM's resource bundle beside the executable (`nwsh_Sandbox.resources` in a build folder);
/// 3. the `Scenarios` folder of the sources the binary was built from.
///
/// Not `Bundle.module`: its accessor stops the process when the bundle is in neither of the two
/// places it knows, and it does not know the installed layout; a missing folder must be an error
/// that says where nwsh looked, not a crash.
enum ScenarioFiles {
    /// The folders to look in, first first, for an executable at `executable` (symbolic links
    /// resolved) built from sources whose Scenarios folder is `sources`.
    static func directories(executable: String?, sources: String = defaultSources) -> [String] {
        var directories: [String] = []
        if let executable {
            let folder = (executable as NSString).deletingLastPathComponent
            if (folder as NSString).lastPathComponent == "bin" {
                directories.append((folder as NSString).deletingLastPathComponent + "/share/nwsh/Scenarios")
            }
            directories.append(folder + "/nwsh_Sandbox.resources/Scenarios")
            directories.append(folder + "/nwsh_Sandbox.bundle/Contents/Resources/Scenarios")
        }
        directories.append(sources)
        return directories
    }

    /// The sources' Scenarios folder, beside this file.
    static var defaultSources: String { (#filePath as NSString).deletingLastPathComponent + "/Scenarios" }

    /// The running executable, symbolic links resolved (`/proc/self/exe` on Linux).
    static var executable: String? { Bundle.main.executableURL?.resolvingSymlinksInPath().path }

    /// The contents of the scenario file `name`, from the first folder that has it.
    static func contents(of name: String) throws(SandboxDataError) -> Data {
        let searched = directories(executable: executable)
        for directory in searched {
            if let data = FileManager.default.contents(atPath: directory + "/" + name) { return data }
        }
        throw .missingFile(name, searched: searched)
    }
}
