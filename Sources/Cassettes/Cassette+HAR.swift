import Foundation
import HTTPCore
import JSON

extension Cassette {
    /// The interactions as a HAR 1.2 document, which browsers' developer tools open.
    ///
    /// Everything in it comes from the cassette, which is already redacted. Entries start at
    /// `metadata.recordedAt` plus each interaction's offset.
    public func har(creatorVersion: String = NWSHVersion.number) -> JSONValue {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let start = ISO8601DateFormatter().date(from: metadata.recordedAt) ?? Date(timeIntervalSince1970: 0)
        let entries: [JSONValue] = interactions.map { interaction in
            let time = JSONValue.number(JSONNumber(interaction.durationMilliseconds))
            var request = JSONObject([
                "method": .string(interaction.request.method), "url": .string(interaction.request.url), "httpVersion": .string("HTTP/1.1"),
                "cookies": .array([]), "headers": Self.harHeaders(interaction.request.headers),
                "queryString": .array(
                    URLParts.split(interaction.request.url).query.map {
                        .object(JSONObject(["name": .string($0.name), "value": .string($0.value)]))
                    }),
                "headersSize": .number(JSONNumber(-1)), "bodySize": .number(JSONNumber(interaction.request.body?.count ?? 0)),
            ])
            if let body = interaction.request.body, !body.isEmpty {
                request["postData"] = .object(
                    JSONObject([
                        "mimeType": .string(interaction.request.headers["Content-Type"] ?? "application/octet-stream"),
                        "text": .string(String(decoding: body, as: UTF8.self)),
                    ]))
            }
            var content = JSONObject([
                "size": .number(JSONNumber(interaction.response.body.count)),
                "mimeType": .string(interaction.response.headers["Content-Type"] ?? "application/json"),
            ])
            if let text = String(bytes: interaction.response.body, encoding: .utf8) {
                content["text"] = .string(text)
            } else {
                content["text"] = .string(Data(interaction.response.body).base64EncodedString())
                content["encoding"] = .string("base64")
            }
            let response = JSONObject([
                "status": .number(JSONNumber(interaction.response.status)),
                "statusText": .string(reasonPhrase(for: interaction.response.status)),
                "httpVersion": .string("HTTP/1.1"), "cookies": .array([]), "headers": Self.harHeaders(interaction.response.headers),
                "content": .object(content), "redirectURL": .string(interaction.response.headers["Location"] ?? ""),
                "headersSize": .number(JSONNumber(-1)), "bodySize": .number(JSONNumber(interaction.response.body.count)),
            ])
            return .object(
                JSONObject([
                    "startedDateTime": .string(formatter.string(from: start.addingTimeInterval(interaction.at))),
                    "time": time, "request": .object(request), "response": .object(response), "cache": .object(JSONObject()),
                    "timings": .object(JSONObject(["send": .number(JSONNumber(0)), "wait": time, "receive": .number(JSONNumber(0))])),
                ]))
        }
        var log = JSONObject([
            "version": .string("1.2"),
            "creator": .object(JSONObject(["name": .string("nwsh"), "version": .string(creatorVersion)])),
            "entries": .array(entries),
        ])
        log["comment"] = .string("Exported from an nwsh cassette (source: \(metadata.source)); secrets were redacted.")
        return .object(JSONObject(["log": .object(log)]))
    }

    private static func harHeaders(_ headers: HTTPHeaders) -> JSONValue {
        .array(headers.fields.map { .object(JSONObject(["name": .string($0.name), "value": .string($0.value)])) })
    }
}
