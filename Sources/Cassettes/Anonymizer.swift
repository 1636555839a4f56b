import Foundation
import Synchronization

/// Replaces subscription and tenant IDs, and names the user lists, with stable placeholders, the
/// same way everywhere (URLs, headers, bodies, command text) and ignoring case, as ARM does: real
/// recordings leak IDs through `/Subscriptions/` with a capital S as well as `/subscriptions/`.
///
/// Placeholders keep the shape of what they replace — a GUID stays a GUID (`00000000-0000-0000-0000-00000000000N`
/// for subscriptions, `...-1000000000N` for tenants), a name becomes `name-N` — so an anonymized
/// cassette still replays, and `--rerun` (whose commands are anonymized too) matches it.
public final class Anonymizer: Sendable {
    private let names: [String]
    private let state = SynchronizedMap()

    /// `names` are extra words to hide (resource group or VM names).
    public init(names: [String] = []) {
        self.names = names.filter { !$0.isEmpty }
    }

    /// The text with every known or newly seen identifier replaced.
    public func anonymize(text: String) -> String {
        learn(from: text)
        return state.replace(in: text)
    }

    /// An interaction with identifiers replaced everywhere.
    public func anonymize(_ interaction: Interaction) -> Interaction {
        for text in interaction.texts { learn(from: text) }
        return interaction.mappingText(state.replace(in:))
    }

    /// Events with identifiers replaced, learning from all of them first: an ID first seen in a
    /// response is replaced in the commands before it too (`$subscriptionId = "..."`).
    public func anonymize(events: [Cassette.Event]) -> [Cassette.Event] {
        for event in events { _ = anonymize(event) }
        return events.map(anonymize)
    }

    /// An event with identifiers replaced (commands and interactions alike).
    public func anonymize(_ event: Cassette.Event) -> Cassette.Event {
        for text in event.texts { learn(from: text) }
        return event.mappingText(state.replace(in:))
    }

    /// Finds subscription IDs (after `/subscriptions/`, `"subscriptionId"`), tenant IDs (`"tenantId"`,
    /// `"tid"`, `/{tenant}/oauth2/`) and the listed names.
    private func learn(from text: String) {
        for match in text.matches(of: Self.subscription) { state.add(String(match.output.1), kind: .subscription) }
        for match in text.matches(of: Self.subscriptionMember) { state.add(String(match.output.1), kind: .subscription) }
        for match in text.matches(of: Self.tenantMember) { state.add(String(match.output.1), kind: .tenant) }
        for match in text.matches(of: Self.tenantPath) { state.add(String(match.output.1), kind: .tenant) }
        for name in names { state.add(name, kind: .name) }
    }

    nonisolated(unsafe) static let subscription = #/(?i)/subscriptions/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/#
    nonisolated(unsafe) static let subscriptionMember =
        #/(?i)"subscriptionId"\s*:\s*"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/#
    nonisolated(unsafe) static let tenantMember =
        #/(?i)"(?:tenantId|tid)"\s*:\s*"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/#
    nonisolated(unsafe) static let tenantPath = #/(?i)/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/oauth2/#
}

/// The identifiers seen so far and their placeholders.
private final class SynchronizedMap: Sendable {
    enum Kind { case subscription, tenant, name }
    private struct State {
        var placeholders: [String: String] = [:]
        var counts: [Kind: Int] = [:]
        var order: [String] = []
    }
    private let state = Mutex(State())

    func add(_ identifier: String, kind: Kind) {
        let key = identifier.lowercased()
        state.withLock { state in
            guard state.placeholders[key] == nil, !state.placeholders.values.contains(key) else { return }
            let number = (state.counts[kind] ?? 0) + 1
            state.counts[kind] = number
            let placeholder: String
            switch kind {
            case .subscription: placeholder = String(format: "00000000-0000-0000-0000-%012d", number)
            case .tenant: placeholder = String(format: "00000000-0000-0000-0000-1%011d", number)
            case .name: placeholder = "name-\(number)"
            }
            state.placeholders[key] = placeholder
            // Longer identifiers first, so one that contains another is replaced whole.
            state.order.append(key)
            state.order.sort { $0.count > $1.count }
        }
    }

    func replace(in text: String) -> String {
        let (order, placeholders) = state.withLock { ($0.order, $0.placeholders) }
        var result = text
        for key in order {
            guard let placeholder = placeholders[key] else { continue }
            result = result.replacing(Regex<Substring>(verbatim: key).ignoresCase(), with: placeholder)
        }
        return result
    }
}
