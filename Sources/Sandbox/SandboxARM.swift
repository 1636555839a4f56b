import Foundation
import HTTPCore
import JSON
import NetworkLab

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
    /// The Azure cloud the sandbox stands in for: tokens are issued only for its Resource
    /// Manager, as that cloud's Entra ID issues them.
    public var cloud: AzureCloud

    public init(
        retryAfter: Int = 1, pollsBeforeDone: Int = 2, pageSize: Int = 2, tokenLifetime: Double = 3600, deviceCodePendingPolls: Int = 1,
        cloud: AzureCloud = .azureCloud
    ) {
        self.retryAfter = retryAfter
        self.pollsBeforeDone = pollsBeforeDone
        self.pageSize = pageSize
        self.tokenLifetime = tokenLifetime
        self.deviceCodePendingPolls = deviceCodePendingPolls
        self.cloud = cloud
    }
}

/// The ARM emulator: answers requests for the sandbox subscription the way ARM does (bearer
/// tokens, case-insensitive paths, `api-version`, error envelopes, paging, long-running
/// operations) and the Entra ID token endpoints nwsh's `login` uses.
///
/// It is a network lab: resources live in a ``ResourceStore`` with ARM's semantics, and every
/// Network Watcher answer is worked out from them by NetworkLab's engine, so a change made with
/// `put`, `patch` or `delete` shows in the next check.
public actor SandboxARM {
    public nonisolated let data: SandboxData
    public var options: SandboxOptions
    private var store: ResourceStore
    /// What ARM does not hold (name resolution, guests), changed through `/sandbox/lab/...`.
    private var facts: LabFacts
    /// The network read from the store, until the next write.
    private var network: LabNetwork?
    private var operations: [String: Operation] = [:]
    /// The sign-in endpoints, and the tokens they issued.
    private var identity: SandboxIdentity
    private var faults = FaultInjection()
    private var counter = 0
    /// Every request received, in order (method and path), for tests.
    public private(set) var log: [String] = []
    /// The body of the last ARM request that had one, as text, for tests.
    public private(set) var lastBody: String?

    /// A long-running operation: polls left, then its outcome.
    private struct Operation {
        /// `Location` polls answer 202 until done, then the result; `Azure-AsyncOperation`
        /// polls answer a status body (`InProgress`, then `Succeeded`).
        enum Style { case location, asyncOperation }
        var style: Style
        var remainingPolls: Int
        var result: JSONValue?
    }

    public init(data: SandboxData, options: SandboxOptions = SandboxOptions()) {
        self.data = data
        self.options = options
        self.identity = SandboxIdentity(data: data)
        self.store = ResourceStore(resources: data.resources)
        self.facts = data.facts
    }

    /// Adds a fault for the next matching requests.
    public func inject(_ fault: Fault) { faults.inject(fault) }

    /// Removes all pending faults.
    public func clearFaults() { faults.clear() }

    /// Changes the options while running.
    public func setOptions(_ options: SandboxOptions) { self.options = options }

    /// A token for the sandbox's own service principal, issued by its token endpoint as a
    /// client-credentials sign-in would get it: for tools that call ``handle(_:)`` directly (the
    /// benchmark, the fuzzer). Nil only if the endpoint refused, which its own credentials never are.
    public func servicePrincipalToken() -> String? {
        let form =
            "grant_type=client_credentials&client_id=\(data.clientID)&client_secret=\(data.clientSecret)&scope=\(options.cloud.resourceManagerScope)"
        let request = SandboxRequest(
            method: "POST", path: "/\(data.tenantID)/oauth2/v2.0/token", body: Array(form.utf8), baseURL: "http://127.0.0.1:1")
        let issued = identity.answer(request, options: options, sequence: &counter)
        return (try? JSONParser.parse(bytes: issued.body))?["access_token"]?.stringValue
    }

    /// Answers one request.
    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        log.append("\(request.method) \(request.path)")
        let lowered = request.path.lowercased()
        if lowered.hasPrefix("/sandbox/lab") { return labControl(request) }
        if lowered.hasPrefix("/sandbox/") { return faults.control(request) }
        if lowered.contains("/oauth2/") { return identity.answer(request, options: options, sequence: &counter) }
        if !request.body.isEmpty { lastBody = String(decoding: request.body, as: UTF8.self) }

        var delivery = SandboxResponse.Delivery.normal
        var neverComplete = false
        if let fault = faults.take(for: request) {
            if let answer = fault.answer(to: request) { return answer }
            switch fault {
            case .delay(let seconds): delivery = .delayed(seconds)
            case .neverComplete: neverComplete = true
            case .status, .dropConnection, .malformedJSON, .refuseAPIVersion: break
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
        let segments = path.split(separator: "/").map(String.init)

        if request.method == "POST", let action = segments.last?.lowercased(), segments.count > 1 {
            let parent = String(path.dropLast(action.count + 1))
            if let response = networkWatcherAction(action, request: request, target: parent, neverComplete: neverComplete) {
                return response
            }
        }
        if segments.count >= 2 {
            switch segments[segments.count - 2].lowercased() {
            case "operationresults": return operationResult(request, id: segments[segments.count - 1])
            case "operations" where segments.count >= 4 && segments[segments.count - 4].lowercased() == "locations":
                return operationResult(request, id: segments[segments.count - 1])
            default: break
            }
        }
        switch request.method {
        case "GET":
            if let metadata = ProviderCatalog(providers: data.providers).answer(
                segments, subscriptionExists: { store.contains("/subscriptions/\($0)") })
            {
                return metadata
            }
            if let resource = store.get(path) { return Self.json(200, resource) }
            if segments.last?.lowercased() == "instanceview", let vm = store.get(String(path.dropLast("/instanceView".count))),
                vm["type"]?.stringValue?.lowercased() == "microsoft.compute/virtualmachines"
            {
                return Self.json(200, Self.instanceView(of: vm))
            }
            if let list = list(path: path) { return page(list, request: request, path: path) }
            return notFound(path)
        case "PUT", "PATCH":
            let body: JSONValue
            do {
                body = try JSONParser.parse(bytes: request.body, mode: .relaxed)
            } catch {
                return Self.error(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: \(error).")
            }
            do {
                let created: Bool
                let resource: JSONValue
                if request.method == "PUT" {
                    (resource, created) = try store.put(path, body: body)
                } else {
                    (resource, created) = (try store.patch(path, body: body), false)
                }
                network = nil
                return written(request, resource: resource, created: created, neverComplete: neverComplete)
            } catch {
                return Self.error(error)
            }
        case "DELETE":
            do {
                // The deleted resource's location (its top-level parent's, for a child) names the
                // operation's region.
                let type = store.record(path)?["type"]?.stringValue ?? ""
                let location = store.location(of: path)
                guard try store.delete(path) else { return SandboxResponse(status: 204) }
                network = nil
                guard ResourcePath.isModelled(type) else { return SandboxResponse(status: 200) }
                return deleted(request, path: path, type: type, location: location, neverComplete: neverComplete)
            } catch {
                return Self.error(error)
            }
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

    /// The resources under a collection path, or of a provider type across a subscription
    /// (`/subscriptions/S/providers/Microsoft.Compute/virtualMachines`); nil when the path is not a collection.
    private func list(path: String) -> [JSONValue]? {
        let segments = path.lowercased().split(separator: "/")
        // The subscriptions the caller can see: the sandbox's own.
        if segments == ["subscriptions"] { return store.topLevel.filter { $0["type"] == nil } }
        guard segments.count >= 2, segments[0] == "subscriptions", store.contains("/subscriptions/\(segments[1])") else { return nil }
        // A group's or the subscription's resources (`.../resources`).
        if segments.last == "resources", segments.count == 3 || (segments.count == 5 && segments[2] == "resourcegroups") {
            return store.resources(in: "/" + segments.dropLast().joined(separator: "/"))
        }
        if segments.count >= 5, segments[2] == "providers" {
            return store.list(type: segments[3...].joined(separator: "/"), subscription: String(segments[1]))
        }
        return store.list(under: path)
    }

    private func page(_ items: [JSONValue], request: SandboxRequest, path: String) -> SandboxResponse {
        // A token the sandbox did not give (negative, past the end) starts at the nearest end.
        let start = max(0, min(items.count, request.queryValue("$skiptoken").flatMap(Int.init) ?? 0))
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
            !store.contains("/subscriptions/\(segments[1])/resourceGroups/\(segments[3])")
        {
            return Self.error(404, "ResourceGroupNotFound", "Resource group '\(segments[3])' could not be found.")
        }
        if segments.count >= 8, segments[4].lowercased() == "providers" {
            return Self.error(ResourceStore.resourceNotFound(type: "\(segments[5])/\(segments[6])", name: segments[7], group: segments[3]))
        }
        if segments.count >= 2, !store.contains("/subscriptions/\(segments[1])") {
            return Self.error(404, "SubscriptionNotFound", "The subscription '\(segments[1])' could not be found.")
        }
        return Self.error(404, "NotFound", "The sandbox has nothing at \(path).")
    }

    /// A VM's instance view: the one it was given, else a running VM's.
    static func instanceView(of vm: JSONValue) -> JSONValue {
        if let view = vm["properties"]?["instanceView"] { return view }
        let statuses: [JSONValue] = [
            .object(
                JSONObject([
                    "code": .string("ProvisioningState/succeeded"), "level": .string("Info"),
                    "displayStatus": .string("Provisioning succeeded"),
                ])),
            .object(JSONObject(["code": .string("PowerState/running"), "level": .string("Info"), "displayStatus": .string("VM running")])),
        ]
        return .object(JSONObject(["statuses": .array(statuses)]))
    }

    // MARK: Network Watcher

    /// The network as the engine reads it, built again after each write.
    private func currentNetwork() -> LabNetwork {
        if let network { return network }
        let built = store.network(facts: facts)
        network = built
        return built
    }

    /// A Network Watcher action on a watcher or an interface; nil for any other POST.
    private func networkWatcherAction(_ action: String, request: SandboxRequest, target: String, neverComplete: Bool) -> SandboxResponse? {
        let onWatcher = ["connectivitycheck", "ipflowverify", "nexthop", "networkconfigurationdiagnostic"]
        let onInterface = ["effectivenetworksecuritygroups", "effectiveroutetable"]
        guard onWatcher.contains(action) || onInterface.contains(action) else { return nil }
        let expectedType = onWatcher.contains(action) ? "microsoft.network/networkwatchers" : "microsoft.network/networkinterfaces"
        guard let resource = store.record(target), resource["type"]?.stringValue?.lowercased() == expectedType else {
            return notFound(target)
        }
        let answers = NetworkWatcherAnswers(network: currentNetwork())
        do {
            let result: JSONValue
            if onInterface.contains(action) {
                result =
                    action == "effectiveroutetable"
                    ? try answers.effectiveRouteTable(networkInterface: target)
                    : try answers.effectiveNetworkSecurityGroups(networkInterface: target)
            } else {
                let body: JSONValue
                do {
                    body = try JSONParser.parse(bytes: request.body, mode: .relaxed)
                } catch {
                    return Self.error(400, "InvalidRequestFormat", "Cannot parse the request: \(error).")
                }
                switch action {
                case "connectivitycheck": result = try answers.connectivityCheck(body)
                case "ipflowverify": result = try answers.ipFlowVerify(body)
                case "nexthop": result = try answers.nextHop(body)
                default: result = try answers.networkConfigurationDiagnostic(body)
                }
            }
            let seed =
                action == "connectivitycheck"
                ? (try? JSONParser.parse(bytes: request.body, mode: .relaxed))?["source"]?["resourceId"]?.stringValue : nil
            return accepted(
                request, result: result, scope: target, seed: seed, location: resource["location"]?.stringValue,
                neverComplete: neverComplete)
        } catch {
            return Self.error(error)
        }
    }

    // MARK: Long-running operations

    /// `202 Accepted` with `Location` and `Retry-After`; polling the location gives `result` after
    /// ``SandboxOptions/pollsBeforeDone`` polls (never, for the `neverComplete` fault).
    private func accepted(
        _ request: SandboxRequest, result: JSONValue?, scope: String, seed: String? = nil, location: String?, neverComplete: Bool
    ) -> SandboxResponse {
        let operationID = startOperation(.location, result: result, seed: seed ?? request.path, neverComplete: neverComplete)
        var headers: HTTPHeaders = [
            "Location": operationURL(request, scope: scope, location: location, kind: "operationResults", id: operationID),
            "Retry-After": String(options.retryAfter), "x-ms-request-id": operationID,
        ]
        headers.add(contentsOf: Self.jsonHeaders)
        return SandboxResponse(status: 202, headers: headers, body: Array("null".utf8))
    }

    /// A write, as Azure's network provider answers it: 201 (created) or 200 (replaced) with the
    /// resource `Updating` and `Azure-AsyncOperation` to poll until `Succeeded`.
    private func written(_ request: SandboxRequest, resource: JSONValue, created: Bool, neverComplete: Bool) -> SandboxResponse {
        var shown = resource.objectValue ?? JSONObject()
        var properties = shown["properties"]?.objectValue ?? JSONObject()
        properties["provisioningState"] = .string("Updating")
        shown["properties"] = .object(properties)
        // Resource groups (and the sandbox's subscriptions) are written at once, as ARM does; so
        // are the types the lab does not model.
        let type = resource["type"]?.stringValue?.lowercased() ?? ""
        if type.isEmpty || type == "microsoft.resources/resourcegroups" || !ResourcePath.isModelled(type) {
            return Self.json(created ? 201 : 200, resource)
        }
        let operationID = startOperation(.asyncOperation, result: nil, seed: request.path, neverComplete: neverComplete)
        var response = Self.json(created ? 201 : 200, .object(shown))
        let location = store.location(of: request.path)
        response.headers.add(
            "Azure-AsyncOperation",
            operationURL(
                request, scope: request.path, provider: resource["type"]?.stringValue ?? type, location: location, kind: "operations",
                id: operationID))
        response.headers.add("Retry-After", String(options.retryAfter))
        return response
    }

    /// A delete: 202 with `Azure-AsyncOperation` and `Location`, as Azure's network provider answers it.
    private func deleted(_ request: SandboxRequest, path: String, type: String, location: String?, neverComplete: Bool) -> SandboxResponse {
        let operationID = startOperation(.asyncOperation, result: nil, seed: request.path, neverComplete: neverComplete)
        var headers: HTTPHeaders = [
            "Azure-AsyncOperation": operationURL(
                request, scope: path, provider: type, location: location, kind: "operations", id: operationID),
            "Location": operationURL(request, scope: path, provider: type, location: location, kind: "operationResults", id: operationID),
            "Retry-After": String(options.retryAfter),
        ]
        headers.add(contentsOf: Self.jsonHeaders)
        return SandboxResponse(status: 202, headers: headers, body: [])
    }

    private func startOperation(_ style: Operation.Style, result: JSONValue?, seed: String, neverComplete: Bool) -> String {
        counter += 1
        let operationID = Self.uuid(seed: "operation-\(counter)-\(seed)")
        operations[operationID] = Operation(style: style, remainingPolls: neverComplete ? Int.max : options.pollsBeforeDone, result: result)
        return operationID
    }

    /// `.../subscriptions/S/providers/NAMESPACE/locations/L/{operations|operationResults}/ID`, in the
    /// namespace of the resource's type (`Microsoft.Network` for Network Watcher's actions).
    private func operationURL(
        _ request: SandboxRequest, scope: String, provider type: String = "Microsoft.Network", location: String?, kind: String, id: String
    ) -> String {
        let subscription = scope.split(separator: "/").dropFirst().first.map(String.init) ?? data.subscriptionID
        let namespace = type.split(separator: "/").first.map(String.init) ?? "Microsoft.Network"
        let apiVersion = request.queryValue("api-version") ?? ""
        return
            "\(request.baseURL)/subscriptions/\(subscription)/providers/\(namespace)/locations/\(location ?? "westcentralus")/\(kind)/\(id)?api-version=\(apiVersion)"
    }

    private func operationResult(_ request: SandboxRequest, id: String) -> SandboxResponse {
        guard var operation = operations[id.lowercased()] else {
            return Self.error(404, "OperationNotFound", "The operation '\(id)' was not found.")
        }
        let isAsyncPoll = request.path.lowercased().contains("/operations/")
        if operation.remainingPolls > 0 {
            if operation.remainingPolls != Int.max { operation.remainingPolls -= 1 }
            operations[id.lowercased()] = operation
            if isAsyncPoll {
                var response = Self.json(200, .object(JSONObject(["status": .string("InProgress")])))
                response.headers.add("Retry-After", String(options.retryAfter))
                return response
            }
            let pathAndQuery = request.path + "?" + request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
            var headers: HTTPHeaders = ["Location": request.baseURL + pathAndQuery, "Retry-After": String(options.retryAfter)]
            headers.add(contentsOf: Self.jsonHeaders)
            return SandboxResponse(status: 202, headers: headers, body: Array("null".utf8))
        }
        if isAsyncPoll { return Self.json(200, .object(JSONObject(["status": .string("Succeeded")]))) }
        guard let result = operation.result else { return SandboxResponse(status: 200) }
        return Self.json(200, result)
    }

    // MARK: Lab control

    /// `/sandbox/lab`: GET shows the lab's facts; `PUT|DELETE /sandbox/lab/hosts/NAME` sets or
    /// removes how a name resolves; `PUT|DELETE /sandbox/lab/guests/VM-ID` sets or removes what
    /// happens inside a VM (its firewall, the ports it listens on).
    private func labControl(_ request: SandboxRequest) -> SandboxResponse {
        var path = request.path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let lowered = path.lowercased()
        if lowered == "/sandbox/lab", request.method == "GET" { return Self.json(200, Self.json(facts)) }
        var body: JSONValue?
        if request.method == "PUT" {
            do {
                body = try JSONParser.parse(bytes: request.body, mode: .relaxed)
            } catch {
                return Self.error(400, "InvalidLabFact", "The body of PUT \(path) is not valid JSON: \(error.reason).")
            }
        }
        do throws(LabFactsError) {
            if lowered.hasPrefix("/sandbox/lab/hosts/") {
                let name = String(path.dropFirst("/sandbox/lab/hosts/".count)).lowercased()
                switch request.method {
                case "PUT": facts.hosts[name] = try LabFacts.host(body ?? .null, name: name)
                case "DELETE": facts.hosts[name] = nil
                default: return Self.error(405, "MethodNotAllowed", "Use PUT or DELETE on /sandbox/lab/hosts/NAME.")
                }
            } else if lowered.hasPrefix("/sandbox/lab/guests/") {
                let vm = String(path.dropFirst("/sandbox/lab/guests".count))
                guard store.get(vm)?["type"]?.stringValue?.lowercased() == "microsoft.compute/virtualmachines" else {
                    return Self.error(404, "NotFound", "There is no virtual machine \(vm) in the lab.")
                }
                switch request.method {
                case "PUT": facts.guests[LabNetwork.key(vm)] = try LabFacts.guest(body ?? .null, name: vm)
                case "DELETE": facts.guests[LabNetwork.key(vm)] = nil
                default: return Self.error(405, "MethodNotAllowed", "Use PUT or DELETE on /sandbox/lab/guests/VM-ID.")
                }
            } else {
                return Self.error(
                    404, "NotFound", "Unknown lab path \(path): use /sandbox/lab, /sandbox/lab/hosts/NAME or /sandbox/lab/guests/VM-ID.")
            }
        } catch {
            return Self.error(400, "InvalidLabFact", error.description)
        }
        network = nil
        return SandboxResponse(status: 204)
    }

    /// The lab's facts as `GET /sandbox/lab` shows them.
    static func json(_ facts: LabFacts) -> JSONValue {
        func ports(_ set: Set<Int>?) -> JSONValue { set.map { .array($0.sorted().map { .number(JSONNumber($0)) }) } ?? .string("*") }
        let hosts = facts.hosts.sorted { $0.key < $1.key }.map { name, host in
            JSONObject.Member(
                key: name,
                value: .object(
                    JSONObject([
                        "addresses": .array(host.addresses.map { .string($0.description) }),
                        "serviceTags": .array(host.serviceTags.map(JSONValue.string)),
                    ])))
        }
        let guests = facts.guests.sorted { $0.key < $1.key }.map { vm, guest in
            JSONObject.Member(
                key: vm,
                value: .object(
                    JSONObject(["listeningPorts": ports(guest.listeningPorts), "firewallBlockedPorts": ports(guest.firewallBlockedPorts)])))
        }
        return .object(JSONObject(["hosts": .object(JSONObject(hosts)), "guests": .object(JSONObject(guests))]))
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

    /// ARM's error envelope for a refusal of the store or the engine.
    static func error(_ refusal: LabRefusal) -> SandboxResponse { error(refusal.status, refusal.code, refusal.message) }

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
    static func uuid(seed: String) -> String { LabIdentifier.uuid(seed: seed) }
}
