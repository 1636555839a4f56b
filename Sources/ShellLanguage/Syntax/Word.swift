import JSON

/// One shell word: text that may contain variable references, with how it was quoted.
public struct Word: Sendable, Equatable {
    /// How a word, or its first segment, was written.
    public enum Quoting: Sendable, Equatable {
        /// Unquoted: interpolates `$name`, `${name}` and `$($name.path)`, and `$name.path` when
        /// the word starts with it.
        case bare
        /// `"..."`: interpolates `$name`, `${name}` and `$($name.path)`; backtick escapes.
        case double
        /// `'...'`: literal.
        case single
        /// `@"` … `"@` over several lines: interpolates.
        case hereDouble
        /// `@'` … `'@` over several lines: literal.
        case hereSingle
    }

    /// A run of literal text or a variable reference.
    public enum Part: Sendable, Equatable {
        case literal(String)
        case variable(VariableReference)
    }

    public var parts: [Part]
    public var quoting: Quoting
    public var location: SourceLocation

    public init(parts: [Part], quoting: Quoting, location: SourceLocation) {
        self.parts = parts
        self.quoting = quoting
        self.location = location
    }

    /// The text, when the word contains no variable references.
    public var literalText: String? {
        var text = ""
        for part in parts {
            guard case .literal(let literal) = part else { return nil }
            text += literal
        }
        return text
    }

    /// The variable, when the whole word is one unquoted reference such as `$r` or `$r.hops[0]`:
    /// such a word stands for the variable's value itself (an object stays an object).
    public var soleVariable: VariableReference? {
        guard quoting == .bare, parts.count == 1, case .variable(let reference) = parts[0] else { return nil }
        return reference
    }

    /// Whether the word was written without quotes.
    public var isBare: Bool { quoting == .bare }
}

/// A reference to a variable, with an optional member path: `$r.hops[2].issues`.
public struct VariableReference: Sendable, Equatable {
    public var name: String
    public var path: [PathComponent]
    public var location: SourceLocation

    public init(name: String, path: [PathComponent] = [], location: SourceLocation) {
        self.name = name
        self.path = path
        self.location = location
    }

    /// The reference as written: `$r.hops[2]`.
    public var displayText: String {
        "$" + name + path.map(\.displayText).joined()
    }
}

/// One step into a value: `.member` or `[index]`.
public enum PathComponent: Sendable, Equatable {
    case member(String)
    case index(Int)

    /// The step as written: `.hops` or `[2]`.
    public var displayText: String {
        switch self {
        case .member(let name): "." + name
        case .index(let index): "[\(index)]"
        }
    }
}
