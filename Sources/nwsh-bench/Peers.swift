import Foundation

/// The Python peers (Azure CLI, HTTPie, vcrpy with requests and PyYAML), installed with pip into a
/// virtual environment under `.build/` when missing. A peer that cannot be installed is reported
/// with the reason, never skipped silently.
struct PythonPeers {
    let environment: String
    let scratch: String

    var python: String { environment + "/bin/python" }
    var az: String { environment + "/bin/az" }
    var http: String { environment + "/bin/http" }

    /// Why each peer is missing after trying to install it: keys "az", "http", "vcrpy".
    func install(log: (String) -> Void) -> [String: String] {
        var missing: [String: String] = [:]
        if !FileManager.default.isExecutableFile(atPath: python) {
            guard let system = Runner.which("python3") else {
                return ["az": "python3 not found", "http": "python3 not found", "vcrpy": "python3 not found"]
            }
            log("Creating a Python virtual environment in \(environment) for the peers...")
            let created = try? Runner.output(of: [system, "-m", "venv", environment], scratch: scratch)
            if created?.status != 0 {
                let reason = "python3 -m venv failed: " + lastLine(created?.err ?? "could not run it")
                return ["az": reason, "http": reason, "vcrpy": reason]
            }
        }
        let wanted: [(peer: String, packages: [String], present: () -> Bool)] = [
            ("az", ["azure-cli"], { FileManager.default.isExecutableFile(atPath: az) }),
            ("http", ["httpie"], { FileManager.default.isExecutableFile(atPath: http) }),
            (
                "vcrpy", ["vcrpy", "requests", "pyyaml"],
                { (try? Runner.output(of: [python, "-c", "import vcr, requests, yaml"], scratch: scratch).status) == 0 }
            ),
        ]
        for (peer, packages, present) in wanted where !present() {
            log("Installing \(packages.joined(separator: ", ")) with pip (once; it can take a few minutes)...")
            let result = try? Runner.output(
                of: [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + packages, scratch: scratch)
            if result?.status != 0 || !present() {
                missing[peer] = "pip install \(packages.joined(separator: " ")) failed: " + lastLine(result?.err ?? "could not run pip")
            }
        }
        return missing
    }

    private func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last.map(String.init) ?? "no message"
    }
}
