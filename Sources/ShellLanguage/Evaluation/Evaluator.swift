import JSON

/// Evaluates words and variable references against a set of ``Variables``.
public struct Evaluator: Sendable {
    public var variables: Variables

    public init(variables: Variables) {
        self.variables = variables
    }

    /// The value a reference denotes, following its member path.
    public func value(of reference: VariableReference) throws(LanguageError) -> JSONValue {
        guard var value = variables[reference.name] else {
            let suggestion = Suggestion.closest(to: reference.name, in: variables.names + ["true", "false", "null"])
            throw .undefinedVariable(name: reference.name, at: reference.location, suggestion: suggestion)
        }
        var walked = "$" + reference.name
        for step in reference.path {
            value = try Self.navigate(value, step: step, walked: walked, location: reference.location)
            walked += step.displayText
        }
        return value
    }

    /// One step into a value. A member of an array reads that member of every element, as
    /// PowerShell's member enumeration does (`$r.hops.type` lists every hop's type).
    static func navigate(
        _ value: JSONValue, step: PathComponent, walked: String, location: SourceLocation
    ) throws(LanguageError) -> JSONValue {
        switch (step, value) {
        case (.member(let name), .object(let object)):
            if let member = object.member(named: name) { return member.value }
            throw .noSuchMember(
                reference: walked, member: name, available: object.keys,
                suggestion: Suggestion.closest(to: name, in: object.keys), at: location)
        case (.member(let name), .array(let elements)):
            if name.lowercased() == "count" || name.lowercased() == "length" {
                return .number(JSONNumber(elements.count))
            }
            var mapped: [JSONValue] = []
            for element in elements {
                if case .object(let object) = element, let member = object.member(named: name) {
                    mapped.append(member.value)
                }
            }
            if mapped.isEmpty, !elements.isEmpty {
                let keys = elements.first?.objectValue?.keys ?? []
                throw .noSuchMember(
                    reference: walked, member: name, available: keys,
                    suggestion: Suggestion.closest(to: name, in: keys), at: location)
            }
            return .array(mapped)
        case (.index(let index), .array(let elements)):
            let position = index < 0 ? elements.count + index : index
            guard elements.indices.contains(position) else {
                throw .indexOutOfRange(reference: walked, index: index, count: elements.count, at: location)
            }
            return elements[position]
        default:
            throw .notNavigable(reference: walked, step: step.displayText, kind: value.kindDescription, at: location)
        }
    }

    /// The word as text: variables interpolated, objects and arrays as compact JSON.
    public func string(_ word: Word) throws(LanguageError) -> String {
        var text = ""
        for part in word.parts {
            switch part {
            case .literal(let literal): text += literal
            case .variable(let reference): text += Self.interpolated(try value(of: reference))
            }
        }
        return text
    }

    /// The word as a value: an unquoted `$var` keeps its value (an object stays an object), an
    /// unquoted number is a number, anything else is a string.
    public func value(_ word: Word) throws(LanguageError) -> JSONValue {
        if let reference = word.soleVariable { return try value(of: reference) }
        if word.isBare, let text = word.literalText, let number = try? JSONParser.parse(text), case .number = number {
            return number
        }
        return .string(try string(word))
    }

    /// How a value reads inside a string: strings as they are, numbers and booleans as JSON,
    /// `$null` as nothing, objects and arrays as compact JSON.
    public static func interpolated(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): string
        case .null: ""
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): number.text
        case .array, .object: JSONFormatter.compact.format(value)
        }
    }
}
