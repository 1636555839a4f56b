/// Why a path written relative to the current location cannot be resolved.
public enum PathProblem: Error, Sendable, Equatable {
    /// `cd -` with no earlier location.
    case noPreviousLocation
    /// `~` where the home subscription is not known.
    case noHome
    /// An empty segment (`a//b`) in what was written.
    case emptySegment(String)
}

extension ARMPath {
    /// What a person wrote, as a path and the query after it: absolute (`/subscriptions/...`),
    /// relative to `current` (`subnets/App`, `../routeTables`), `~` or `~/...` from `home` (the
    /// subscription), `-` for `previous`. `.` is skipped and `..` goes up a segment (at the root it
    /// stays there, as a shell's does). A query (`?api-version=...`) is kept as written.
    public static func resolve(
        _ written: String, from current: ARMPath, previous: ARMPath? = nil, home: ARMPath? = nil
    ) throws(PathProblem) -> (path: ARMPath, query: String?) {
        let (text, query) = splitQuery(written)
        if text == "-" {
            guard let previous else { throw .noPreviousLocation }
            return (previous, query)
        }
        // Slashes and `~` among the Unicode scalars: a combining mark after a slash is a segment's.
        var rest = text.unicodeScalars[...]
        var segments: [String]
        if rest.first == "/" {
            segments = []
        } else if rest.first == "~", rest.count == 1 || rest.dropFirst().first == "/" {
            guard let home else { throw .noHome }
            segments = home.segments
            rest = rest.dropFirst()
        } else {
            segments = current.segments
        }
        while rest.last == "/" { rest = rest.dropLast() }
        for (index, part) in rest.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            let segment = String(String.UnicodeScalarView(part))
            switch segment {
            case "" where index == 0: continue  // the leading slash
            case "": throw .emptySegment(text)
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        return (ARMPath(segments: segments), query)
    }

    /// The path for a prompt: the resource group and what is under it, without the subscription,
    /// `resourceGroups` and `providers/NAMESPACE` (`ContosoRG/virtualNetworks/ContosoVNet`); at
    /// most `width` characters, the first segments left out (`…/`) when it is longer. Empty at the
    /// root.
    public func shortened(toFit width: Int) -> String {
        var shown: [String] = []
        if let group = resourceGroup {
            shown.append(group)
            // Type and name segments in turn; a `providers/NAMESPACE` before a type is left out.
            var index = 4
            var atType = true
            while index < segments.count {
                if atType, segment(index, is: "providers"), index + 2 < segments.count {
                    index += 2
                    continue
                }
                shown.append(segments[index])
                atType.toggle()
                index += 1
            }
        } else if let subscription {
            // A subscription's ID shortened to its first eight characters.
            let short = subscription.count > 9 ? String(subscription.prefix(8)) + "…" : subscription
            shown = (segments.count == 2 ? ["subscriptions", short] : [short]) + segments.dropFirst(2)
        } else {
            shown = segments
        }
        var text = shown.joined(separator: "/")
        if text.count > width {
            while shown.count > 1, ("…/" + shown.joined(separator: "/")).count > width { shown.removeFirst() }
            text = "…/" + shown.joined(separator: "/")
            if text.count > width { text = "…" + String(text.suffix(max(1, width - 1))) }
        }
        return text
    }
}
