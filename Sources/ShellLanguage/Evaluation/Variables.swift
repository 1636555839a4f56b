import JSON

/// The session's variables. Names are case-insensitive, as in PowerShell (`$SubscriptionId` and
/// `$subscriptionId` are one variable); the spelling of the latest assignment is kept for display.
public struct Variables: Sendable {
    private var storage: [String: (name: String, value: JSONValue)] = [:]
    private let environment: [String: String]

    /// Names that always exist and cannot be assigned: `$true`, `$false`, `$null`.
    public static let builtins: [String: JSONValue] = ["true": .bool(true), "false": .bool(false), "null": .null]

    /// Creates an empty store; `$env:NAME` reads `environment`.
    public init(environment: [String: String] = [:]) {
        self.environment = environment
    }

    /// The value of a variable, a built-in, or `env:NAME`.
    public subscript(name: String) -> JSONValue? {
        let key = name.lowercased()
        if let builtin = Self.builtins[key] { return builtin }
        if key.hasPrefix("env:") {
            let variable = String(name.dropFirst(4))
            return environment[variable].map(JSONValue.string)
        }
        return storage[key]?.value
    }

    /// Sets a variable.
    public mutating func set(_ name: String, to value: JSONValue) {
        storage[name.lowercased()] = (name, value)
    }

    /// Removes a variable; returns whether it existed.
    @discardableResult
    public mutating func remove(_ name: String) -> Bool {
        storage.removeValue(forKey: name.lowercased()) != nil
    }

    /// Whether `name` is a built-in that cannot be assigned.
    public static func isReadOnly(_ name: String) -> Bool {
        builtins[name.lowercased()] != nil || name.lowercased().hasPrefix("env:")
    }

    /// The assigned variables, sorted by name, as last spelled.
    public var all: [(name: String, value: JSONValue)] {
        storage.values.sorted { $0.name.lowercased() < $1.name.lowercased() }.map { ($0.name, $0.value) }
    }

    /// The names of the assigned variables, for completion and suggestions.
    public var names: [String] { all.map(\.name) }
}
