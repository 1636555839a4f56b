/// Why a cassette could not be read, written or replayed. ``description`` is the sentence shown.
public enum CassetteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is missing or unreadable.
    case unreadable(file: String, reason: String)
    /// The file is not JSON; the location is in the file.
    case notJSON(file: String, reason: String, line: Int, column: Int)
    /// The file is not YAML; the location is in the file.
    case notYAML(file: String, reason: String, line: Int, column: Int)
    /// The file is JSON but not a cassette this build understands.
    case invalid(file: String, location: String, reason: String)
    /// A version this build does not read.
    case unsupportedVersion(file: String, version: Int)
    /// The cassette or its journal cannot be written.
    case unwritable(file: String, reason: String)
    /// No recorded interaction answers a request.
    case noMatch(method: String, url: String, file: String, closest: String?)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "Cannot read the cassette \(file): \(reason)."
        case .notJSON(let file, let reason, let line, let column):
            return
                "The cassette \(file) is not valid JSON: \(reason) at line \(line), column \(column). Was it truncated? A recording interrupted by a crash is recovered from its .journal file the next time nwsh records or replays it."
        case .notYAML(let file, let reason, let line, let column):
            return "\(file) is not valid YAML: \(reason) at line \(line), column \(column)."
        case .invalid(let file, let location, let reason):
            return "The cassette \(file) is not a valid nwsh cassette: \(location): \(reason)."
        case .unsupportedVersion(let file, let version):
            return
                "The cassette \(file) has format version \(version); this nwsh reads version \(Cassette.formatVersion). Record it again, or use a newer nwsh."
        case .unwritable(let file, let reason):
            return "Cannot write the cassette \(file): \(reason). The session goes on without recording."
        case .noMatch(let method, let url, let file, let closest):
            var message = "No recorded interaction matches \(method) \(url) in '\(file)'"
            if let closest { message += " (closest: \(closest))" }
            message += ". Record it with --record-mode new_episodes (or record the session again with --record)."
            return message
        }
    }
}
