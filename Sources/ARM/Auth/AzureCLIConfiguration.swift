import Foundation

/// The cloud the Azure CLI is set to (`az cloud set --name ...`), which nwsh follows when it
/// borrows the CLI's sign-in.
///
/// The CLI keeps it in the `name` option of the `[cloud]` section of its configuration file,
/// `config` in `AZURE_CONFIG_DIR` (else `~/.azure`), and, like every option of that file, an
/// environment variable named `AZURE_<SECTION>_<OPTION>` (here `AZURE_CLOUD_NAME`) overrides it
/// (https://learn.microsoft.com/cli/azure/azure-cli-configuration). No name means `AzureCloud`.
public enum AzureCLIConfiguration {
    /// The cloud name the CLI is set to, as written; nil when it names none.
    public static func cloudName(environment: [String: String]) -> String? {
        if let name = environment["AZURE_CLOUD_NAME"]?.trimmingCharacters(in: .whitespaces), !name.isEmpty { return name }
        let directory =
            environment["AZURE_CONFIG_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"].map { $0 + "/.azure" } ?? "")
        guard !directory.isEmpty, let data = FileManager.default.contents(atPath: directory + "/config") else { return nil }
        return cloudName(configuration: String(decoding: data, as: UTF8.self))
    }

    /// The `name` option of the `[cloud]` section of an INI file as Python's `configparser` reads
    /// it (which the CLI uses): `name = X` or `name: X`, option names in any case, `#` and `;`
    /// starting comment lines.
    public static func cloudName(configuration text: String) -> String? {
        var inCloud = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                inCloud = line == "[cloud]"
                continue
            }
            guard inCloud, let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            if key == "name", !value.isEmpty { return value }
        }
        return nil
    }
}
