import ARM
import Diagnostics
import HTTPCore
import JSON
import ShellLanguage

/// `check`: a typed connectivity check. Validated before anything is sent; a source given by name
/// is looked up (and must name one VM); without `--watcher`, the network watcher of the source
/// VM's region is found and named. Prints a one-screen summary, stores the result in `$check`
/// (and as what `explain` explains), and ends `.unreachable` unless the destination is reachable.
struct CheckCommand: ShellCommand {
    let spec = CommandSpec(
        name: "check",
        usage:
            "check --source VM (--dest-address HOST | --dest-resource ID) [--dest-port N] [--deep] [options], or check VM HOST:PORT",
        summary: "check whether a VM can reach a destination (Network Watcher connectivity check)",
        detail: """
              VM is a resource ID, a VM you got ($vm = get ...), or a VM's name (looked up in the
              subscriptions you can see; it must name one VM). The short form's destination is HOST:PORT,
              [IPv6]:PORT, a URL (http: port 80, https: 443, unless it names one), or a resource ID.
              Everything is checked before anything is sent. The long-running operation is polled to
              the end; a summary is printed and the result stored in $check ('explain' says more).
              In a script an unreachable destination does not stop the script, but its exit status is 3.
            """, optionSpecs: CheckOption.specs)

    func run(_ arguments: [Word], in session: isolated Session) async throws -> CommandResult {
        let evaluator = Evaluator(variables: session.variables)
        var request = CheckRequest()
        var watcher: String?
        var apiVersion = ARMAPIVersion.network
        var deep = false
        let parsed = try CheckOption.parse(arguments, command: spec.name)
        do {
            for (option, word, value) in parsed.options {
                // Every option of check but --deep takes a value, and the parser saw that it has one.
                let valueWord = value ?? word
                switch option {
                case .deep: deep = true
                case .source:
                    request.source = try await session.relative(try resourceText(valueWord, evaluator: evaluator, field: .source))
                case .destinationResource:
                    let text = try await session.relative(try resourceText(valueWord, evaluator: evaluator, field: .destinationResource))
                    try request.setDestination(.resource(text))
                case .destinationAddress:
                    try request.setDestination(.address(try resourceText(valueWord, evaluator: evaluator, field: .destinationAddress)))
                case .destinationPort:
                    request.destinationPort = try CheckRequest.port(try evaluator.string(valueWord), field: .destinationPort)
                case .sourcePort: request.sourcePort = try CheckRequest.port(try evaluator.string(valueWord), field: .sourcePort)
                case .protocolName:
                    request.protocolName = try canonical(valueWord, field: .protocolName, in: CheckRequest.protocols, evaluator: evaluator)
                case .method: request.method = try canonical(valueWord, field: .method, in: CheckRequest.methods, evaluator: evaluator)
                case .ipVersion:
                    request.ipVersion = try canonical(valueWord, field: .ipVersion, in: CheckRequest.ipVersions, evaluator: evaluator)
                case .validStatus: request.validStatusCodes += try CheckRequest.statusCodes(try evaluator.string(valueWord))
                case .header:
                    let header = try CommandArguments.header(try evaluator.string(valueWord))
                    request.headers.append(CheckRequest.Header(name: header.name, value: header.value))
                case .watcher: watcher = try CheckRequest.watcher(try await session.relative(try evaluator.string(valueWord)))
                case .apiVersion: apiVersion = try evaluator.string(valueWord)
                }
            }
            // The short form: check VM DESTINATION.
            let allowed = (request.source == nil ? 1 : 0) + (request.destination == nil ? 1 : 0)
            if parsed.positional.count > allowed { throw spec.unexpected(parsed.positional[allowed], evaluator: evaluator) }
            var rest = parsed.positional[...]
            if request.source == nil, let word = rest.popFirst() {
                request.source = try await session.relative(try resourceText(word, evaluator: evaluator, field: .shortFormSource))
            }
            if let word = rest.popFirst() {
                // A relative path is a resource (a host never has a / without a scheme before it).
                let text = try await session.relative(try resourceText(word, evaluator: evaluator, field: .shortFormDestination))
                let (destination, port) = try CheckRequest.destination(shortForm: text)
                request.destination = destination
                if let port {
                    if let given = request.destinationPort, given != port {
                        throw CheckProblem.invalidValue(
                            field: .destinationPort, value: String(given), expected: "the port the destination names (\(port))")
                    }
                    request.destinationPort = port
                }
            }
        } catch let problem as CheckProblem {
            throw ShellError.invalidCheck(problem)
        }
        let lookup = ResourceLookup { [sender = session.sender] target in try await sender.value(ARMCall(method: "get", target: target)) }
        let (checked, location) = try await resolvedSource(of: request, lookup: lookup, output: session.output)
        request = checked
        let watcherID: String
        if let watcher {
            watcherID = watcher
        } else {
            do {
                let found = try await lookup.networkWatcher(forVirtualMachine: request.source ?? "", location: location)
                session.output.err(
                    "check: using network watcher \(TerminalText.sanitized(found.name)) (region \(TerminalText.sanitized(found.region)), the VM's).\n"
                )
                watcherID = found.id
            } catch let error as LookupError {
                throw ShellError.lookup(error)
            }
        }

        let body = Array(JSONFormatter.compact.format(request.body).utf8)
        let call = ARMCall(method: "post", target: "\(watcherID)/connectivityCheck?api-version=\(apiVersion)", body: body)
        guard let value = try await session.sender.send(call).value else {
            throw ShellError.notAConnectivityResult(ResultError(field: "", problem: "is empty"))
        }
        let result: ConnectivityResult
        do {
            result = try ConnectivityResult(json: value)
        } catch {
            throw ShellError.notAConnectivityResult(error)
        }
        session.variables.set("check", to: value)
        session.lastResult = value
        let context = CheckContext(watcher: watcherID, request: request)
        session.remember(check: context, result: value)
        // Addresses and IDs came from the network: never let them drive the terminal.
        session.output.out(TerminalText.sanitized(Explanation(result).summary()))
        if deep {
            let findings = try await DeepExplain.findings(for: result, context: context, in: session)
            session.output.out(TerminalText.sanitized(DeepExplain.text(findings)))
        }
        session.output.err("The result is in $check; 'explain' says what to look at next.\n")
        return CommandResult(value: value, outcome: Narration.isReachable(result.status) ? .success : .unreachable, shown: false)
    }

    /// The request, validated, with a source given by name replaced by the one VM that has it;
    /// and the VM's region when the lookup gave it. Everything that can be checked without the
    /// VM's ID is checked before the lookup; what needs it (the same VM as source and
    /// destination) after.
    private func resolvedSource(
        of request: CheckRequest, lookup: ResourceLookup, output: OutputSink
    ) async throws -> (CheckRequest, location: String?) {
        do {
            var request = try request.validatedExceptSourceName()
            guard let name = request.source, CheckRequest.isVirtualMachineName(name) else { return (request, nil) }
            let vm = try await lookup.virtualMachine(named: name)
            output.err("check: \(name) is \(TerminalText.sanitized(vm.id)).\n")
            request.source = vm.id
            return (try request.validated(), vm.location)
        } catch let problem as CheckProblem {
            throw ShellError.invalidCheck(problem)
        } catch let error as LookupError {
            throw ShellError.lookup(error)
        }
    }

    /// A source or destination as text: a string, or a resource you got with `get` (its `id`),
    /// so `check $vm $db` works with VMs as well as with their IDs.
    private func resourceText(_ word: Word, evaluator: Evaluator, field: CheckField) throws -> String {
        let value = try evaluator.value(word)
        if let text = value.stringValue { return text }
        if let number = value.numberValue { return number.description }
        if let id = value["id"]?.stringValue { return id }
        throw CheckProblem.invalidValue(
            field: field, value: value.kindDescription, expected: "a resource ID or an address, or a resource you got ($vm = get ...)")
    }

    /// A value from a fixed list, matched ignoring case and returned as the API spells it.
    private func canonical(_ word: Word, field: CheckField, in allowed: [String], evaluator: Evaluator) throws -> String {
        let text = try evaluator.string(word)
        guard let value = CheckRequest.canonical(text, in: allowed) else {
            throw CheckProblem.invalidValue(
                field: field, value: text, expected: allowed.count == 1 ? allowed[0] : "one of " + allowed.joined(separator: ", "))
        }
        return value
    }
}

extension CheckRequest {
    /// Sets the destination, refusing a second one (`--dest-address` and `--dest-resource`).
    fileprivate mutating func setDestination(_ destination: Destination) throws(CheckProblem) {
        guard self.destination == nil else { throw .twoDestinations }
        self.destination = destination
    }
}

/// The options of `check`.
enum CheckOption: CommandOption {
    case source, destinationAddress, destinationResource, destinationPort, sourcePort, protocolName, method, header, validStatus
    case ipVersion, watcher, apiVersion, deep

    var spec: OptionSpec {
        switch self {
        case .source: OptionSpec("--source", value: "VM", help: "the VM to check from: a resource ID, a VM you got, or a VM's name")
        case .destinationAddress: OptionSpec("--dest-address", value: "HOST", help: "an IP address, host name or URL")
        case .destinationResource: OptionSpec("--dest-resource", value: "ID", help: "an Azure resource (a VM)")
        case .destinationPort: OptionSpec("--dest-port", value: "N", help: "required unless --protocol Icmp (a URL's scheme gives one)")
        case .sourcePort: OptionSpec("--source-port", value: "N", help: "the port to send from")
        case .protocolName:
            OptionSpec("--protocol", value: "P", choices: CheckRequest.protocols, help: "Tcp (the service's default), Http, Https or Icmp")
        case .method: OptionSpec("--method", value: "M", choices: CheckRequest.methods, help: "HTTP probes only: the request method (Get)")
        case .header: OptionSpec("--header", value: "'Name: value'", help: "HTTP probes only: a request header (repeatable)")
        case .validStatus: OptionSpec("--valid-status", value: "200,202", help: "HTTP probes only: the statuses that count as reachable")
        case .ipVersion:
            OptionSpec("--ip-version", value: "V", choices: CheckRequest.ipVersions, help: "preferred IP version: IPv4 or IPv6")
        case .watcher: OptionSpec("--watcher", value: "ID", help: "the network watcher (default: the one in the VM's region)")
        case .apiVersion: OptionSpec("--api-version", value: "V", help: "default \(ARMAPIVersion.network)")
        case .deep: OptionSpec("--deep", help: "then ask ARM what pins each issue down, and print the root cause and a fix")
        }
    }
}

extension CheckField {
    /// How `check` names the field in a message: the flag that sets it, or the word of the short
    /// form it came from.
    var label: String {
        switch self {
        case .source: CheckOption.source.spec.name
        case .sourcePort: CheckOption.sourcePort.spec.name
        case .destinationAddress: CheckOption.destinationAddress.spec.name
        case .destinationResource: CheckOption.destinationResource.spec.name
        case .destinationPort: CheckOption.destinationPort.spec.name
        case .protocolName: CheckOption.protocolName.spec.name
        case .method: CheckOption.method.spec.name
        case .headers: CheckOption.header.spec.name
        case .validStatusCodes: CheckOption.validStatus.spec.name
        case .ipVersion: CheckOption.ipVersion.spec.name
        case .watcher: CheckOption.watcher.spec.name
        case .shortFormSource: "the source"
        case .shortFormDestination: "the destination"
        case .shortFormDestinationPort: "the destination's port"
        }
    }
}
