import JSON

/// ARM's error envelope: `{"error": {"code": ..., "message": ...}}`.
public struct ARMErrorEnvelope: Sendable, Equatable {
    public var code: String?
    public var message: String?
    public var details: [ARMErrorEnvelope]

    /// Reads the envelope from a response body; nil when the body has none.
    public init?(body: [UInt8]) {
        guard let json = try? JSONParser.parse(bytes: body) else { return nil }
        self.init(json: json["error"] ?? json)
    }

    init?(json: JSONValue) {
        guard case .object = json else { return nil }
        code = json["code"]?.stringValue
        message = json["message"]?.stringValue
        details = json["details"]?.arrayValue?.compactMap { ARMErrorEnvelope(json: $0) } ?? []
        if code == nil, message == nil { return nil }
    }
}
