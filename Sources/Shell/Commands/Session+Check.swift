import ARM
import Diagnostics
import JSON
import ShellLanguage

extension Session {
    static let checkUsage = "check --source VM (--dest-address HOST | --dest-resource ID) [--dest-port N] [options], or check VM HOST:PORT"

    /// `check`: a typed connectivity check. Validated before anything is sent; a source given by
    /// name is looked up (and must name one VM); without `--watcher`, the network watcher of the
    /// source VM's region is found and named. Prints a one-screen summary, stores the result in
    /// `$check` (and as what `explain` explains), and ends `.unreachable` unless the destination
    /// is reachable.
    func check(_ invocation: CommandInvocation) async throws -> CommandResult {
        let evaluator = Evaluator(variables: variables)
        var request = CheckRequest()
        var watcher: String?
        var apiVersion = Explanation.networkAPIVersion
        // The source VM's region, when looking it up by name gave it.
        var knownLocation: String?
        let parsed = try CheckOption.parse(invocation.arguments, command: "check")
        let positional = parsed.positional
        for (option, word, value) in parsed.options {
            // Every option of check takes a value, and the parser saw that it has one.
            let valueWord = value ?? word
            let name = option.spec.name
            do {
                switch option {
                case .source:
                    request.source = try resourceText(valueWord, evaluator: evaluator, what: name)
                case .destinationResource, .destinationAddress:
                    guard request.destination == nil else { throw CheckProblem.twoDestinations }
                    let value = try resourceText(valueWord, evaluator: evaluator, what: name)
                    request.destination = option == .destinationResource ? .resource(value) : .address(value)
                case .destinationPort: request.destinationPort = try CheckRequest.port(try evaluator.string(valueWord), option: name)
                case .sourcePort: request.sourcePort = try CheckRequest.port(try evaluator.string(valueWord), option: name)
                case .protocolName: request.protocolName = try canonical(valueWord, option: name, in: CheckRequest.protocols, evaluator: evaluator)
                case .method: request.method = try canonical(valueWord, option: name, in: CheckRequest.methods, evaluator: evaluator)
                case .ipVersion: request.ipVersion = try canonical(valueWord, option: name, in: CheckRequest.ipVersions, evaluator: evaluator)
                case .validStatus: request.validStatusCodes += try CheckRequest.statusCodes(try evaluator.string(valueWord))
                case .header:
                    let header = try Self.header(try evaluator.string(valueWord))
                    request.headers.append(CheckRequest.Header(name: header.name, value: header.value))
                case .watcher: watcher = try CheckRequest.watcher(try evaluator.string(valueWord))
                case .apiVersion: apiVersion = try evaluator.string(valueWord)
                }
            } catch let problem as CheckProblem {
                throw ShellError.invalidCheck(problem)
            }
        }
        // The short form: check VM DESTINATION.
        let allowed = (request.source == nil ? 1 : 0) + (request.destination == nil ? 1 : 0)
        if positional.count > allowed {
            throw ShellError.tooManyArguments(command: "check", extra: (try? evaluator.string(positional[allowed])) ?? "…", usage: Self.checkUsage)
        }
        do {
            var rest = positional[...]
            if request.source == nil, let word = rest.popFirst() { request.source = try resourceText(word, evaluator: evaluator, what: "the source") }
            if let word = rest.popFirst() {
                let (destination, port) = try CheckRequest.destination(shortForm: try resourceText(word, evaluator: evaluator, what: "the destination"))
                request.destination = destination
                if let port {
                    if let given = request.destinationPort, given != port {
                        throw CheckProblem.invalidValue(option: "--dest-port", value: String(given), expected: "the port the destination names (\(port))")
                    }
                    request.destinationPort = port
                }
            }
            request = try request.validatedExceptSourceName()
            if let name = request.source, CheckRequest.isVirtualMachineName(name) {
                let vm = try await virtualMachine(named: name)
                request.source = vm.id
                knownLocation = vm.location
                request = try request.validated()
            }
        } catch let problem as CheckProblem {
            throw ShellError.invalidCheck(problem)
        }
        let source = request.source ?? ""
        let watcherID: String
        if let watcher { watcherID = watcher } else { watcherID = try await discoverWatcher(for: source, location: knownLocation) }

        let body = Array(JSONFormatter.compact.format(request.body).utf8)
        let call = ARMCall(method: "post", target: "\(watcherID)/connectivityCheck?api-version=\(apiVersion)", body: body)
        guard let value = try await send(call).value else { throw ShellError.notAConnectivityResult(ResultError(field: "", problem: "is empty")) }
        let result: ConnectivityResult
        do {
            result = try ConnectivityResult(json: value)
        } catch {
            throw ShellError.notAConnectivityResult(error)
        }
        variables.set("check", to: value)
        lastResult = value
        lastCheck = (CheckContext(watcher: watcherID, request: request), value)
        // Addresses and IDs came from the network: never let them drive the terminal.
        output.out(TerminalText.sanitized(Explanation(result).summary()))
        output.err("The result is in $check; 'explain' says what to look at next.\n")
        return CommandResult(value: value, outcome: Narration.isReachable(result.status) ? .success : .unreachable, shown: false)
    }

    /// A source or destination as text: a string, or a resource you got with `get` (its `id`),
    /// so `check $vm $db` works with VMs as well as with their IDs.
    private func resourceText(_ word: Word, evaluator: Evaluator, what: String) throws -> String {
        let value = try evaluator.value(word)
        if let text = value.stringValue { return text }
        if let number = value.numberValue { return number.description }
        if let id = value["id"]?.stringValue { return id }
        throw ShellError.invalidCheck(.invalidValue(option: what, value: value.kindDescription, expected: "a resource ID or an address, or a resource you got ($vm = get ...)"))
    }

    private func canonical(_ word: Word, option: String, in allowed: [String], evaluator: Evaluator) throws -> String {
        let text = try evaluator.string(word)
        guard let value = CheckRequest.canonical(text, in: allowed) else {
            throw CheckProblem.invalidValue(option: option, value: text, expected: allowed.count == 1 ? allowed[0] : "one of " + allowed.joined(separator: ", "))
        }
        return value
    }

    /// The resource ID and region of the VM with this name: the subscriptions the sign-in can see
    /// are listed, then each one's VMs, and names compared ignoring case, as ARM compares them.
    /// Says which VM it found; refuses a name that no VM, or more than one, has.
    private func virtualMachine(named name: String) async throws -> (id: String, location: String?) {
        let listed = try await send(ARMCall(method: "get", target: "/subscriptions?api-version=\(Self.subscriptionsAPIVersion)")).value
        let subscriptions = (listed?["value"]?.arrayValue ?? []).compactMap { $0["subscriptionId"]?.stringValue }
        var found: [(id: String, location: String?)] = []
        for subscription in subscriptions {
            let target = "/subscriptions/\(subscription)/providers/Microsoft.Compute/virtualMachines?api-version=\(Explanation.computeAPIVersion)"
            let vms = try await send(ARMCall(method: "get", target: target)).value?["value"]?.arrayValue ?? []
            for vm in vms where vm["name"]?.stringValue?.lowercased() == name.lowercased() {
                if let id = vm["id"]?.stringValue { found.append((id, vm["location"]?.stringValue)) }
            }
        }
        guard found.count == 1 else {
            throw found.isEmpty
                ? ShellError.noVirtualMachineNamed(name, subscriptions: subscriptions.count)
                : ShellError.virtualMachineNameIsAmbiguous(name, ids: found.map(\.id))
        }
        output.err("check: \(name) is \(TerminalText.sanitized(found[0].id)).\n")
        return found[0]
    }

    /// The api-version for listing subscriptions.
    static let subscriptionsAPIVersion = "2022-12-01"

    /// The network watcher of the VM's region: GET the VM for its location (unless it is known),
    /// then list the subscription's watchers. Says which it used.
    private func discoverWatcher(for vm: String, location known: String?) async throws -> String {
        let segments = vm.split(separator: "/")
        let subscription = segments.count > 1 ? String(segments[1]) : ""
        let vmName = segments.last.map(String.init) ?? vm
        var location = known
        if location == nil {
            location = try await send(ARMCall(method: "get", target: "\(vm)?api-version=\(Explanation.computeAPIVersion)")).value?["location"]?.stringValue
        }
        guard let location else { throw ShellError.noRegion(vm: vmName) }
        let normalized = { (text: String) in text.lowercased().filter { $0 != " " } }
        let list = try await send(ARMCall(method: "get", target: "/subscriptions/\(subscription)/providers/Microsoft.Network/networkWatchers?api-version=\(Explanation.networkAPIVersion)")).value
        let watchers = list?["value"]?.arrayValue ?? []
        guard let found = watchers.first(where: { normalized($0["location"]?.stringValue ?? "") == normalized(location) }),
              let id = found["id"]?.stringValue else {
            throw ShellError.noWatcher(region: location, subscription: subscription, vm: vmName)
        }
        output.err("check: using network watcher \(TerminalText.sanitized(found["name"]?.stringValue ?? id)) (region \(TerminalText.sanitized(location)), the VM's).\n")
        return id
    }

    /// `diff $before $after`: what changed between two connectivity results.
    func diff(_ invocation: CommandInvocation) throws -> CommandResult {
        let evaluator = Evaluator(variables: variables)
        let usage = "diff $before $after"
        guard invocation.arguments.count >= 2 else {
            throw ShellError.missingArgument(command: "diff", what: invocation.arguments.isEmpty ? "the two results to compare" : "the second result", usage: usage)
        }
        guard invocation.arguments.count == 2 else {
            throw ShellError.tooManyArguments(command: "diff", extra: (try? evaluator.string(invocation.arguments[2])) ?? "…", usage: usage)
        }
        var results: [ConnectivityResult] = []
        for (position, word) in invocation.arguments.enumerated() {
            do {
                results.append(try connectivityResult(word, evaluator: evaluator).result)
            } catch let error as ResultError {
                throw ShellError.notAComparableResult(position == 0 ? "first" : "second", error)
            }
        }
        output.out(TerminalText.sanitized(ResultDiff(before: results[0], after: results[1]).text))
        return .none
    }
}
