import ARM
import ARMPaths
import Cassettes
import Diagnostics
import HTTPCore
import JSON
import ShellLanguage

/// What can go wrong running a command, beyond the language and ARM errors it wraps.
/// ``description`` is the one place these become sentences.
public enum ShellError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownCommand(String, suggestion: String?)
    case unknownOption(command: String, option: String, suggestion: String?)
    case missingOptionValue(command: String, option: String)
    case missingArgument(command: String, what: String, usage: String)
    case tooManyArguments(command: String, extra: String, usage: String)
    case invalidHeader(String)
    case unreadableFile(path: String, reason: String)
    case readOnlyVariable(String)
    case notAVariable(command: String, word: String)
    case undefinedVariableToUnset(String)
    case invalidExitCode(String)
    case noHelp(String, suggestion: String?)
    case httpStatus(method: String, url: String, status: Int, code: String?, message: String?, requestID: String?, correlationID: String?)
    case recordingUnavailable
    case alreadyRecording(String)
    case notRecording
    case cassette(CassetteError)
    case noCassette(String)
    case nothingToExplain
    case notAConnectivityResult(ResultError)
    /// `diff`'s first or second argument is not a result.
    case notAComparableResult(String, ResultError)
    /// `diff` with no arguments: no check yet, or none earlier of the same flow (`flow` names it).
    case noEarlierCheck(flow: String?)
    case invalidCheck(CheckProblem)
    /// `check` could not find the source VM by its name, or its region's network watcher.
    case lookup(LookupError)
    /// No api-version could be chosen for a URL written without one.
    case apiVersion(APIVersionProblem)
    /// A path written relative to the location cannot be resolved.
    case path(PathProblem)
    /// A request's error (ARM's 404), and which segment of its path names nothing, with the
    /// closest name in the collection it was looked for in.
    indirect case segmentNotFound(ShellError, segment: String, collection: String, suggestion: String?)
    /// A URL or path that is empty (a variable that held `$null`).
    case emptyPath
    /// `~` is not known: the sign-in sees this many subscriptions (not one) and `$subscriptionId` is not set.
    case noHome(subscriptions: Int)
    /// `cd` or `ls` of a path with a segment that names nothing: the segment, the collection it
    /// was looked for in, and the closest name there.
    case noSuchSegment(command: String, segment: String, collection: String, suggestion: String?)
    /// An error nwsh did not expect; the message asks for a report.
    case unexpected(String)
    case language(LanguageError)
    case arm(ARMError)

    public var description: String {
        switch self {
        case .unknownCommand(let name, let suggestion):
            return "Unknown command '\(name)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? " Type 'help' for the list of commands.")
        case .unknownOption(let command, let option, let suggestion):
            return "\(command): unknown option '\(option)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? " See 'help \(command)'.")
        case .missingOptionValue(let command, let option):
            return "\(command): \(option) needs a value. See 'help \(command)'."
        case .missingArgument(let command, let what, let usage):
            return "\(command): missing \(what). Usage: \(usage)"
        case .tooManyArguments(let command, let extra, let usage):
            return "\(command): unexpected argument '\(TerminalText.sanitized(extra))'. Usage: \(usage)"
        case .invalidHeader(let text):
            return "Invalid header '\(TerminalText.sanitized(text))': write it as -h \"Name: value\"."
        case .unreadableFile(let path, let reason):
            return "Cannot read \(path): \(reason)."
        case .readOnlyVariable(let name):
            return "$\(name) is built in and cannot be assigned or removed."
        case .notAVariable(let command, let word):
            return "\(command): '\(word)' is not a variable; write $name."
        case .undefinedVariableToUnset(let name):
            return "unset: $\(name) is not defined."
        case .invalidExitCode(let text):
            return "exit: '\(text)' is not a number from 0 to 255."
        case .noHelp(let topic, let suggestion):
            return "No help for '\(topic)'." + (suggestion.map { " Did you mean '\($0)'?" } ?? " Type 'help' for the list of commands.")
        case .httpStatus(let method, let url, let status, let code, let message, let requestID, let correlationID):
            var text = "\(method) \(TerminalText.sanitized(url)) failed: HTTP \(status) \(reasonPhrase(for: status))"
                .trimmingTrailingSpace()
            if let code {
                text += "\n  \(TerminalText.sanitized(code))" + (message.map { ": \(TerminalText.sanitized($0))" } ?? "")
            } else if let message {
                text += "\n  \(TerminalText.sanitized(message))"
            }
            if status == 401 {
                text +=
                    "\n  Your token was refused: run 'login' (or check NWSH_ACCESS_TOKEN / the service principal variables), then try again."
            }
            if status == 403 { text += "\n  The identity in 'whoami' lacks permission for this operation on this scope." }
            var ids: [String] = []
            if let requestID { ids.append("x-ms-request-id \(TerminalText.sanitized(requestID))") }
            if let correlationID { ids.append("x-ms-correlation-request-id \(TerminalText.sanitized(correlationID))") }
            if !ids.isEmpty { text += "\n  (\(ids.joined(separator: ", ")))" }
            return text
        case .recordingUnavailable:
            return "record: this session replays a cassette, so there is nothing new to record; start nwsh without --replay to record."
        case .alreadyRecording(let file):
            return "record: already recording to \(file); run 'record stop' first."
        case .notRecording:
            return "record: not recording; start with 'record start FILE'."
        case .cassette(let error):
            return error.description
        case .noCassette(let command):
            return
                "\(command): this session has no cassette; record one (record start FILE, or nwsh --record FILE) or name one with --from CASSETTE."
        case .nothingToExplain:
            return
                "Nothing to explain yet: run a connectivity check first ($r = post .../connectivityCheck ...), or name a result: explain $r, or explain @result.json."
        case .notAConnectivityResult(let error):
            return error.description
        case .notAComparableResult(let which, let error):
            return "diff: the \(which) result: \(error.description)"
        case .noEarlierCheck(let flow):
            guard let flow else {
                return
                    "diff: no check has run in this session yet. Run a check, change something, run it again, then diff; or compare two results: diff $before $after."
            }
            return
                "diff: the last check (\(TerminalText.sanitized(flow))) is the first of its kind in this session. Run it again after the change, then diff; or compare two results: diff $before $after."
        case .invalidCheck(let problem):
            return "check: \(Self.describe(problem)) Nothing was sent. See 'help check'."
        case .lookup(let error):
            return Self.describe(error)
        case .apiVersion(.metadataFailed(let namespace, let url, let status, let code, let message)):
            let detail = [code, message].compactMap { $0 }.joined(separator: ": ")
            return
                "Cannot choose an api-version for this \(TerminalText.sanitized(namespace)) resource: its provider's metadata (GET \(TerminalText.sanitized(url))) answered HTTP \(status) \(reasonPhrase(for: status))\(detail.isEmpty ? "" : " (\(TerminalText.sanitized(detail)))"). Write the version in the URL: ?api-version=YYYY-MM-DD."
        case .apiVersion(.typeNotListed(let namespace, let type, let suggestion)):
            return
                "Cannot choose an api-version: \(TerminalText.sanitized(namespace)) lists no resource type '\(TerminalText.sanitized(type))', nor a parent type of it."
                + (suggestion.map { " Did you mean '\(TerminalText.sanitized($0))'?" } ?? "")
                + " Check the path, or write the version in the URL: ?api-version=YYYY-MM-DD."
        case .path(.noPreviousLocation):
            return "cd -: there is no earlier location yet."
        case .path(.noHome):
            return "~ is not known here."
        case .path(.emptySegment(let written)):
            return "'\(TerminalText.sanitized(written))' has an empty segment (//); write each segment once."
        case .segmentNotFound(let error, let segment, let collection, let suggestion):
            return error.description + "\n  N" + Self.nothingNamed(segment, in: collection).dropFirst()
                + (suggestion.map(Self.didYouMean) ?? "")
        case .emptyPath:
            return "The path is empty (did a variable hold $null or nothing?): write '.' for where cd has gone, or a path."
        case .noHome(let subscriptions):
            let seen = subscriptions == 0 ? "sees no subscription" : "sees \(subscriptions) subscriptions"
            return
                "~ stands for your subscription, and this sign-in \(seen): set $subscriptionId = \"ID\" ('ls /subscriptions' lists them), or cd /subscriptions/ID."
        case .noSuchSegment(let command, let segment, let collection, let suggestion):
            return "\(command): " + Self.nothingNamed(segment, in: collection)
                + (suggestion.map(Self.didYouMean) ?? " 'ls \(TerminalText.sanitized(collection))' lists what is there.")
        case .unexpected(let detail):
            return
                "Unexpected error: \(TerminalText.sanitized(detail)). Please report it with the command that caused it (nwsh -v shows the requests)."
        case .language(let error):
            return error.description
        case .arm(let error):
            return error.description
        }
    }
}

extension ShellError {
    /// Why a check will not be sent and what to change, naming the flags (or the words of the
    /// short form) that set the fields the problem is about.
    static func describe(_ problem: CheckProblem) -> String {
        switch problem {
        case .missingSource:
            "a source VM is required: \(CheckField.source.label) ID (or $vm, a VM you got), or the short form check $vm HOST:PORT."
        case .sourceNotAVirtualMachine(let id):
            "the source must be a virtual machine: its resource ID (/subscriptions/…/providers/Microsoft.Compute/virtualMachines/NAME) or its name, not '\(id)'."
        case .sourceNameNotResolved(let name):
            "the source '\(name)' is a VM's name; its resource ID is needed (check looks names up: /subscriptions/…/providers/Microsoft.Compute/virtualMachines/\(name))."
        case .missingDestination:
            "a destination is required: \(CheckField.destinationAddress.label) HOST or \(CheckField.destinationResource.label) ID (or the short form check $vm HOST:PORT)."
        case .twoDestinations:
            "give one destination: \(CheckField.destinationAddress.label) or \(CheckField.destinationResource.label), not both."
        case .destinationNotAResource(let id):
            "\(CheckField.destinationResource.label) must be a resource ID (/subscriptions/…/providers/…), not '\(id)'; use \(CheckField.destinationAddress.label) for a host or an IP address."
        case .missingPort(let protocolName):
            "a destination port is required for \(protocolName): \(CheckField.destinationPort.label) N, or HOST:PORT in the short form (only Icmp needs none)."
        case .portWithIcmp:
            "Icmp has no ports: drop \(CheckField.destinationPort.label) and \(CheckField.sourcePort.label), or use \(CheckField.protocolName.label) Tcp."
        case .sameSourceAndDestination:
            "the source and the destination are the same VM; name another destination."
        case .httpSettingWithoutHTTP(let field, let protocolName):
            "\(field.label) applies to HTTP probes only, and the protocol is \(protocolName): add \(CheckField.protocolName.label) Http or \(CheckField.protocolName.label) Https, or drop \(field.label)."
        case .invalidValue(let field, let value, let expected):
            "\(field.label): '\(value)' is not \(expected)."
        }
    }

    /// `nothing is named 'X' in COLLECTION.`, made safe for the terminal.
    private static func nothingNamed(_ segment: String, in collection: String) -> String {
        "nothing is named '\(TerminalText.sanitized(segment))' in \(TerminalText.sanitized(collection))."
    }

    /// ` Did you mean 'NAME'?`, made safe for the terminal.
    private static func didYouMean(_ name: String) -> String { " Did you mean '\(TerminalText.sanitized(name))'?" }

    /// What a failed lookup means for `check`, and what to do instead.
    private static func describe(_ error: LookupError) -> String {
        switch error {
        case .noRegion(let vm):
            return
                "check: VM \(TerminalText.sanitized(vm)) has no location, so nwsh cannot find its region's network watcher; name one with --watcher ID."
        case .noVirtualMachineNamed(let name, let subscriptions):
            let seen = subscriptions == 1 ? "the one subscription" : "the \(subscriptions) subscriptions"
            return
                "check: no VM is named '\(TerminalText.sanitized(name))' in \(seen) this sign-in can see. Give the VM's resource ID (--source /subscriptions/…/providers/Microsoft.Compute/virtualMachines/NAME), or sign in to the tenant it is in."
        case .virtualMachineNameIsAmbiguous(let name, let ids):
            let list = ids.map { "\n    " + TerminalText.sanitized($0) }.joined()
            return "check: \(ids.count) VMs are named '\(TerminalText.sanitized(name))'; give the one you mean by its resource ID:\(list)"
        case .noWatcher(let region, let subscription, let vm):
            let name = "NetworkWatcher_\(region.lowercased().filter { $0 != " " })"
            return """
                check: subscription \(TerminalText.sanitized(subscription)) has no network watcher in \(TerminalText.sanitized(region)), the region of VM \(TerminalText.sanitized(vm)).
                  Network Watcher is enabled per region. Enable it there:
                    put /subscriptions/\(TerminalText.sanitized(subscription))/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/\(TerminalText.sanitized(name))?api-version=\(ARMAPIVersion.network) '{"location": "\(TerminalText.sanitized(region))"}'
                  or name a watcher in the VM's region with --watcher ID.
                """
        }
    }
}

extension String {
    func trimmingTrailingSpace() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
