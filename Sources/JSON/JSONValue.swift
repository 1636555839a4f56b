/// A JSON value that keeps object members in the order they were written.
///
/// ARM responses are shown to people, so member order matters: a result printed by nwsh reads like
/// the one in Azure's documentation. Numbers keep their source text, so large integers and
/// decimals survive a round trip unchanged.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON number, stored as its canonical source text.
public struct JSONNumber: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The number as written in JSON (`42`, `-1.5e3`).
    public let text: String

    /// Creates a number from JSON number text; the caller guarantees the text is a valid JSON number.
    public init(text: String) { self.text = text }

    /// Creates a number from an integer.
    public init(_ value: Int) { self.text = String(value) }

    /// Creates a number from a double; integral values are written without a fraction.
    public init(_ value: Double) {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            self.text = String(Int64(value))
        } else {
            self.text = String(value)
        }
    }

    /// The number as a double (JSON numbers are always parseable as one).
    public var doubleValue: Double { Double(text) ?? .nan }

    /// The number as an integer, when it is one.
    public var intValue: Int? { Int(text) ?? (doubleValue == doubleValue.rounded() ? Int(exactly: doubleValue) : nil) }

    public var description: String { text }

    /// Two numbers are equal when they denote the same value (`1`, `1.0` and `1e0` are equal).
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        lhs.text == rhs.text || lhs.doubleValue == rhs.doubleValue
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(doubleValue) }
}

/// A JSON object: members in source order, looked up by exact name or case-insensitively.
public struct JSONObject: Sendable, Equatable {
    /// One member of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members, in order.
    public private(set) var members: [Member]

    /// Creates an object from members; a later member with the same key replaces an earlier one.
    public init(_ members: [Member] = []) {
        // Keys are almost always distinct: check that in linear time before merging one by one,
        // so building (and parsing) an object with many members is not quadratic.
        if Self.keysAreDistinct(members) {
            self.members = members
            return
        }
        self.members = []
        for member in members { self[member.key] = member.value }
    }

    private static func keysAreDistinct(_ members: [Member]) -> Bool {
        if members.count < 2 { return true }
        if members.count <= 8 {
            for later in 1..<members.count {
                for earlier in 0..<later where members[earlier].key == members[later].key { return false }
            }
            return true
        }
        var seen = Set<String>(minimumCapacity: members.count)
        return members.allSatisfy { seen.insert($0.key).inserted }
    }

    /// Creates an object from key-value pairs, in order.
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.init(pairs.map { Member(key: $0.key, value: $0.value) })
    }

    /// The member names, in order.
    public var keys: [String] { members.map(\.key) }

    /// The value of the member with exactly this name; setting appends or replaces it.
    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append(Member(key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// The member with this name, matched exactly first and then ignoring case, as PowerShell's
    /// property access does (`$response.ConnectionStatus` reads `connectionStatus`).
    public func member(named name: String) -> Member? {
        if let exact = members.first(where: { $0.key == name }) { return exact }
        return members.first { Self.equalIgnoringCase($0.key, name) }
    }

    /// Whether two names are equal ignoring case: ASCII names compared byte by byte in place,
    /// without allocating or a separate pass (a missing member is looked for in every object of a
    /// large result, and a lab reads a hundred thousand security rules), others lower-cased.
    static func equalIgnoringCase(_ left: String, _ right: String) -> Bool {
        var (left, right) = (left, right)
        let ascii = left.withUTF8 { l in right.withUTF8 { r in asciiEqualIgnoringCase(l, r) } }
        return ascii ?? (left.lowercased() == right.lowercased())
    }

    /// Equal ignoring ASCII case, or nil when a byte is not ASCII (then Unicode's rules decide).
    private static func asciiEqualIgnoringCase(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool? {
        func hasNonASCII(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
            var index = start
            while index < bytes.count {
                if bytes[index] >= 0x80 { return true }
                index += 1
            }
            return false
        }
        guard left.count == right.count else {
            return hasNonASCII(left, from: 0) || hasNonASCII(right, from: 0) ? nil : false
        }
        var index = 0
        while index < left.count {
            let (a, b) = (left[index], right[index])
            if a | b >= 0x80 { return nil }
            if !sameLetterIgnoringCase(a, b) { return hasNonASCII(left, from: index) || hasNonASCII(right, from: index) ? nil : false }
            index += 1
        }
        return true
    }

    /// Whether two ASCII bytes are the same, or the same letter in either case.
    static func sameLetterIgnoringCase(_ a: UInt8, _ b: UInt8) -> Bool {
        a == b || (a | 0x20 == b | 0x20 && (0x61...0x7A).contains(a | 0x20))
    }

    /// Objects are equal when they have the same members, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        return lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }
}

extension JSONValue {
    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The array's elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The number, when this is a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The member with this name (see ``JSONObject/member(named:)``), when this is an object.
    public subscript(key: String) -> JSONValue? {
        objectValue?.member(named: key)?.value
    }

    /// A word for this value's kind, for error messages ("an object", "a string").
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
