import Foundation
import HTTPCore
import JSON

/// Settings of the sandbox.
public struct SandboxOptions: Sendable {
    /// `Retry-After` seconds on long-running-operation answers (Azure says 10; the sandbox
    /// defaults to 1 so demos are quick, and tests set 0).
    public var retryAfter: Int
    /// How many polls answer 202 before the result is ready.
    public var pollsBeforeDone: Int
    /// Items per page of a list; more are reached through `nextLink`.
    public var pageSize: Int
    /// Lifetime of the tokens it issues, in seconds.
    public var tokenLifetime: Double
    /// Device-code polls answered `authorization_pending` before the sign-in counts as done.
    public var deviceCodePendingPolls: Int

    public init(
        retryAfter: Int = 1, pollsBeforeDone: Int = 2, pageSize: Int = 2, tokenLifetime: Double = 3600, deviceCodePendingPolls: Int = 1
    ) {
        self.retryAfter = retryAfter
        self.pollsBeforeDone = pollsBeforeDone
        self.pageSize = pageSize
        self.tokenLifetime = tokenLifetime
        self.deviceCodePendingPolls = deviceCodePendingPolls
    }
}

/// The ARM emulator: answers requests for the sandbox subscription the way ARM does (bearer
/// tokens, case-insensitive paths, `api-version`, error envelopes, paging, long-running
/// connectivity checks) and the Entra ID token endpoints nwsh's `login` uses.
public actor SandboxARM {
    public nonisolated let data: SandboxData
    public var options: SandboxOptions
    private var resources: [String: JSONValue] = [:]
    private var operations: [String: Operation] = [:]
    /// The sign-in endpoints, and the tokens they issued.
    private var identity: SandboxIdentity
    private var faults = FaultInjection()
    private var counter = 0
    /// Every request received, in order (method and path), for tests.
    public private(set) var log: [String] = []
    /// The body of the last ARM request that had one, as text, for tests.
    public private(set) var lastBody: String?

    private struct Operation {
        var remainingPolls: Int
        var result: JSONValue
    }

    public init(data: SandboxData, options: SandboxOptions = SandboxOptions()) {
        self.data = data
        self.options = options
        self.identity = SandboxIdentity(data: data)
        for resource in data.resources {
            if let id = resource["id"]?.stringValue { resources[Self.key(id)] = resource }
        }
    }

    /// Adds a fault for the next matching requests.
    public func inject(_ fault: Fault) { faults.inject(fault) }

    /// Removes all pending faults.
    public func clearFaults() { faults.clear() }

    /// Changes the options while running.
    public func setOptions(_ options: SandboxOptions) { self.options = options }

    /// Answers one request.
    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        log.append("\(request.method) \(request.path)")
        let lowered = request.path.lowercased()
        if lowered.hasPrefix("/sandbox/") { return faults.control(request) }
        if lowered.contains("/oauth2/") { return identity.answer(request, options: options, sequence: &counter) }
        if !request.body.isEmpty { lastBody = String(decoding: request.body, as: UTF8.self) }

        var delivery = SandboxResponse.Delivery.normal
        var neverComplete = false
        if let fault = faults.take(for: request) {
            if let answer = fault.answer { return answer }
            switch fault {
            case .delay(let seconds): delivery = .delayed(seconds)
            case .neverComplete: neverComplete = true
            case .status, .dropConnection, .malformedJSON: break
            }
        }
        var response = arm(request, neverComplete: neverComplete)
        if delivery != .normal { response.delivery = delivery }
        // Like ARM, every answer carries IDs to quote to support.
        counter += 1
        let requestID = response.headers["x-ms-request-id"] ?? Self.uuid(seed: "request-\(counter)")
        response.headers.replace("x-ms-request-id", requestID)
        response.headers.add(
            "x-ms-correlation-request-id", request.headers["x-ms-correlation-request-id"] ?? Self.uuid(seed: "correlation-\(counter)"))
        return response
    }

    // MARK: ARM

    private func arm(_ request: SandboxRequest, neverComplete: Bool) -> SandboxResponse {
        if let failure = authenticate(request) { return failure }
        guard request.queryValue("api-version") != nil else {
            return Self.error(
                400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
        }
        var path = request.path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let key = Self.key(path)
        let segments = path.split(separator: "/").map(String.init)

        if request.method == "POST", let action = segments.last?.lowercased(), segments.count > 1 {
            let parent = String(path.dropLast(action.count + 1))
            switch action {
            case "connectivitycheck":
                return connectivityCheck(request, watcherPath: parent, neverComplete: neverComplete)
            case "ipflowverify", "nexthop":
                return networkQuestion(request, watcherPath: parent, neverComplete: neverComplete) {
                    model, body throws(NetworkModel.Refusal) in
                    action == "ipflowverify" ? try model.ipFlowVerify(body) : try model.nextHop(body)
                }
            case "effectivenetworksecuritygroups", "effectiveroutetable":
                return networkInterfaceQuestion(request, path: parent, neverComplete: neverComplete) { model throws(NetworkModel.Refusal) in
                    action == "effectiveroutetable"
                        ? try model.effectiveRoutes(networkInterface: parent) : try model.effectiveSecurityGroups(networkInterface: parent)
                }
            default:
                break
            }
        }
        if segments.count >= 2, segments[segments.count - 2].lowercased() == "operationresults" {
            return operationResult(request, id: segments.last ?? "")
        }
        switch request.method {
        case "GET":
            if let resource = resources[key] { return Self.json(200, resource) }
            if let list = list(path: key) { return page(list, request: request, path: path) }
            return notFound(path)
        case "PUT":
            guard let body = try? JSONParser.parse(bytes: request.body, mode: .relaxed), case .object(var object) = body else {
                return Self.error(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.")
            }
            let existed = resources[key] != nil
            object["id"] = .string(path)
            object["name"] = .string(segments.last ?? "")
            resources[key] = .object(object)
            return Self.json(existed ? 200 : 201, .object(object))
        case "PATCH":
            guard case .object(var object)? = resources[key] else { return notFound(path) }
            if let patch = try? JSONParser.parse(bytes: request.body, mode: .relaxed), case .object(let changes) = patch {
                for member in changes.members { object[member.key] = member.value }
            }
            resources[key] = .object(object)
            return Self.json(200, .object(object))
        case "DELETE":
            return resources.removeValue(forKey: key) == nil ? SandboxResponse(status: 204) : SandboxResponse(status: 200)
        default:
            return Self.error(405, "MethodNotAllowed", "The sandbox does not support \(request.method) on \(path).")
        }
    }

    private func authenticate(_ request: SandboxRequest) -> SandboxResponse? {
        guard let header = request.headers["authorization"] else {
            return Self.error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        }
        guard header.lowercased().hasPrefix("bearer ") else {
            return Self.error(
                401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.")
        }
        var token = header.dropFirst(7)
        while token.first == " " || token.first == "\t" { token.removeFirst() }
        while token.last == " " || token.last == "\t" { token.removeLast() }
        guard let expiry = identity.expiry(of: String(token)) else {
            return Self.error(401, "InvalidAuthenticationToken", "The access token is invalid.")
        }
        guard expiry > Date() else {
            return Self.error(401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.")
        }
        return nil
    }

    /// The resources whose ID is `collection/NAME`, or of a provider type across a subscription
    /// (`/subscriptions/S/providers/Microsoft.Compute/virtualMachines`); nil when the path is not a collection.
    private func list(path key: String) -> [JSONValue]? {
        let segments = key.split(separator: "/")
        // The subscriptions the caller can see: the sandbox's own.
        if segments == ["subscriptions"] {
            return sortedResources.filter { Self.key($0["id"]?.stringValue ?? "").split(separator: "/").count == 2 }
        }
        guard segments.count >= 2, segments[0] == "subscriptions" else { return nil }
        let subscriptionKey = Self.key("/subscriptions/\(segments[1])")
        guard resources[subscriptionKey] != nil else { return nil }
        let items: [JSONValue]
        if segments.count >= 5, segments[2] == "providers" {
            let type = segments[3...].joined(separator: "/")
            items = sortedResources.filter {
                ($0["type"]?.stringValue?.lowercased() ?? "") == type
                    && Self.key($0["id"]?.stringValue ?? "").hasPrefix(subscriptionKey + "/")
            }
        } else {
            let prefix = key + "/"
            items = sortedResources.filter {
                let id = Self.key($0["id"]?.stringValue ?? "")
                return id.hasPrefix(prefix) && !id.dropFirst(prefix.count).contains("/")
            }
            if items.isEmpty {
                // An empty collection exists only under something that exists.
                let parent = String(key[..<(key.lastIndex(of: "/") ?? key.endIndex)])
                guard resources[parent] != nil, segments.count % 2 == 1 || segments.last == "resourcegroups" else { return nil }
            }
        }
        return items
    }

    private var sortedResources: [JSONValue] {
        resources.values.sorted { ($0["id"]?.stringValue ?? "").lowercased() < ($1["id"]?.stringValue ?? "").lowercased() }
    }

    private func page(_ items: [JSONValue], request: SandboxRequest, path: String) -> SandboxResponse {
        let start = request.queryValue("$skiptoken").flatMap(Int.init) ?? 0
        let size = max(1, options.pageSize)
        let slice = Array(items.dropFirst(start).prefix(size))
        var body = JSONObject(["value": .array(slice)])
        if start + size < items.count {
            let apiVersion = request.queryValue("api-version") ?? ""
            body["nextLink"] = .string("\(request.baseURL)\(path)?api-version=\(apiVersion)&$skiptoken=\(start + size)")
        }
        return Self.json(200, .object(body))
    }

    private func notFound(_ path: String) -> SandboxResponse {
        let segments = path.split(separator: "/").map(String.init)
        if segments.count >= 4, segments[2].lowercased() == "resourcegroups",
            resources[Self.key("/subscriptions/\(segments[1])/resourceGroups/\(segments[3])")] == nil
        {
            return Self.error(404, "ResourceGroupNotFound", "Resource group '\(segments[3])' could not be found.")
        }
        if segments.count >= 8, segments[4].lowercased() == "providers" {
            let type = "\(segments[5])/\(segments[6])"
            return Self.error(
                404, "ResourceNotFound",
                "The Resource '\(type)/\(segments[7])' under resource group '\(segments[3])' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            )
        }
        if segments.count >= 2, resources[Self.key("/subscriptions/\(segments[1])")] == nil {
            return Self.error(404, "SubscriptionNotFound", "The subscription '\(segments[1])' could not be found.")
        }
        return Self.error(404, "NotFound", "The sandbox has nothing at \(path).")
    }

    // MARK: Connectivity checks

    private func connectivityCheck(_ request: SandboxRequest, watcherPath: String, neverComplete: Bool) -> SandboxResponse {
        guard let watcher = resources[Self.key(watcherPath)] else { return notFound(watcherPath) }
        let body: JSONValue
        do {
            body = try JSONParser.parse(bytes: request.body, mode: .relaxed)
        } catch {
            return Self.error(400, "InvalidRequestFormat", "Cannot parse the request: \(error).")
        }
        guard let sourceID = body["source"]?["resourceId"]?.stringValue else {
            return Self.error(400, "InvalidRequestFormat", "Source resource ID is missing in the request.")
        }
        guard let sourceVM = resources[Self.key(sourceID)] else {
            return Self.error(404, "NotFound", "Resource \(sourceID) not found.")
        }
        let destination = body["destination"]
        let destinationID = destination?["resourceId"]?.stringValue
        let destinationAddress = destination?["address"]?.stringValue
        guard destinationID != nil || destinationAddress != nil else {
            return Self.error(400, "InvalidRequestFormat", "Destination address or resource ID is missing in the request.")
        }
        if let destinationID, resources[Self.key(destinationID)] == nil {
            return Self.error(404, "NotFound", "Resource \(destinationID) not found.")
        }
        let result = ConnectivityScenarios(data: data, resources: resources).answer(
            request: body, sourceVM: sourceVM, destinationID: destinationID, destinationAddress: destinationAddress)
        return accepted(
            request, result: result, scope: watcherPath, seed: sourceID, location: watcher["location"]?.stringValue,
            neverComplete: neverComplete)
    }

    /// `ipFlowVerify` and `nextHop` on a watcher: answered from the network model, long-running
    /// like every Network Watcher action.
    private func networkQuestion(
        _ request: SandboxRequest, watcherPath: String, neverComplete: Bool,
        answer: (NetworkModel, JSONValue) throws(NetworkModel.Refusal) -> JSONValue
    ) -> SandboxResponse {
        guard let watcher = resources[Self.key(watcherPath)],
            watcher["type"]?.stringValue?.lowercased() == "microsoft.network/networkwatchers"
        else {
            return notFound(watcherPath)
        }
        let body: JSONValue
        do {
            body = try JSONParser.parse(bytes: request.body, mode: .relaxed)
        } catch {
            return Self.error(400, "InvalidRequestFormat", "Cannot parse the request: \(error).")
        }
        do {
            let result = try answer(NetworkModel(resources: resources), body)
            return accepted(
                request, result: result, scope: watcherPath, location: watcher["location"]?.stringValue, neverComplete: neverComplete)
        } catch {
            return Self.error(error.status, error.code, error.message)
        }
    }

    /// `effectiveNetworkSecurityGroups` and `effectiveRouteTable` on a network interface.
    private func networkInterfaceQuestion(
        _ request: SandboxRequest, path: String, neverComplete: Bool, answer: (NetworkModel) throws(NetworkModel.Refusal) -> JSONValue
    ) -> SandboxResponse {
        guard let nic = resources[Self.key(path)] else { return notFound(path) }
        do {
            let result = try answer(NetworkModel(resources: resources))
            return accepted(request, result: result, scope: path, location: nic["location"]?.stringValue, neverComplete: neverComplete)
        } catch {
            return Self.error(error.status, error.code, error.message)
        }
    }

    /// `202 Accepted` with `Location` and `Retry-After`; polling the location gives `result` after
    /// ``SandboxOptions/pollsBeforeDone`` polls (never, for the `neverComplete` fault).
    private func accepted(
        _ request: SandboxRequest, result: JSONValue, scope: String, seed: String? = nil, location: String?, neverComplete: Bool
    ) -> SandboxResponse {
        counter += 1
        let operationID = Self.uuid(seed: "operation-\(counter)-\(seed ?? request.path)")
        operations[operationID] = Operation(remainingPolls: neverComplete ? Int.max : options.pollsBeforeDone, result: result)
        let subscription = scope.split(separator: "/").dropFirst().first.map(String.init) ?? data.subscriptionID
        let apiVersion = request.queryValue("api-version") ?? ""
        let locationURL =
            "\(request.baseURL)/subscriptions/\(subscription)/providers/Microsoft.Network/locations/\(location ?? "westcentralus")/operationResults/\(operationID)?api-version=\(apiVersion)"
        var headers: HTTPHeaders = ["Location": locationURL, "Retry-After": String(options.retryAfter), "x-ms-request-id": operationID]
        headers.add(contentsOf: Self.jsonHeaders)
        return SandboxResponse(status: 202, headers: headers, body: Array("null".utf8))
    }

    private func operationResult(_ request: SandboxRequest, id: String) -> SandboxResponse {
        guard var operation = operations[id.lowercased()] else {
            return Self.error(404, "OperationNotFound", "The operation '\(id)' was not found.")
        }
        if operation.remainingPolls > 0 {
            if operation.remainingPolls != Int.max { operation.remainingPolls -= 1 }
            operations[id.lowercased()] = operation
            let pathAndQuery = request.path + "?" + request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
            var headers: HTTPHeaders = ["Location": request.baseURL + pathAndQuery, "Retry-After": String(options.retryAfter)]
            headers.add(contentsOf: Self.jsonHeaders)
            return SandboxResponse(status: 202, headers: headers, body: Array("null".utf8))
        }
        return Self.json(200, operation.result)
    }

    // MARK: Helpers

    static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache"]

    static func key(_ path: String) -> String {
        var lowered = path.lowercased()
        while lowered.count > 1, lowered.hasSuffix("/") { lowered.removeLast() }
        return lowered
    }

    static func json(_ status: Int, _ value: JSONValue) -> SandboxResponse {
        SandboxResponse(status: status, headers: jsonHeaders, body: Array(JSONFormatter(indent: 2).format(value).utf8))
    }

    static func envelope(code: String, message: String) -> [UInt8] {
        Array(
            JSONFormatter(indent: 2).format(
                .object(JSONObject(["error": .object(JSONObject(["code": .string(code), "message": .string(message)]))]))
            ).utf8)
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> SandboxResponse {
        SandboxResponse(status: status, headers: jsonHeaders, body: envelope(code: code, message: message))
    }

    static func oauthError(_ status: Int, _ code: String, _ description: String) -> SandboxResponse {
        json(status, .object(JSONObject(["error": .string(code), "error_description": .string(description)])))
    }

    static func parseForm(_ body: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let key = parts.first { result[key] = parts.count > 1 ? parts[1] : "" }
        }
        return result
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A deterministic UUID-shaped identifier, so repeated sandbox sessions give the same IDs.
    static func uuid(seed: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        var second: UInt64 = 0x84222325cbf29ce4
        for byte in seed.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100000001b3
            second = (second ^ UInt64(byte)) &* 0x100000001b3 &+ 7
        }
        let hex = String(format: "%016llx%016llx", hash, second)
        let characters = Array(hex)
        return
            "\(String(characters[0..<8]))-\(String(characters[8..<12]))-4\(String(characters[13..<16]))-a\(String(characters[17..<20]))-\(String(characters[20..<32]))"
    }
}
