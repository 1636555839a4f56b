extension Explanation {
    /// Hops as a tree from the hops nothing points to (the source). A hop with several next hops
    /// (a load balancer's backends) opens branches; a hop reached again (branches that meet) is
    /// named, not drawn twice. Hops the graph does not reach are listed after it.
    static func drawPath(_ hops: [ConnectivityResult.Hop]) -> [String] {
        // The hop a next-hop ID names. Results list hops in path order, so the hop right after the
        // one that names it is tried first; otherwise the first hop with that ID, from a table
        // built only when a guess fails (a 10,000-hop line never builds it).
        var indexByID: [String: Int]?
        func lookup(_ id: String, from hop: Int) -> Int? {
            if hop + 1 < hops.count, hops[hop + 1].id == id { return hop + 1 }
            if indexByID == nil {
                var table: [String: Int] = [:]
                table.reserveCapacity(hops.count)
                for (index, hop) in hops.enumerated() { if let id = hop.id, table[id] == nil { table[id] = index } }
                indexByID = table
            }
            return indexByID?[id]
        }
        var pointedTo = [Bool](repeating: false, count: hops.count)
        for (index, hop) in hops.enumerated() {
            for id in hop.nextHopIds { if let target = lookup(id, from: index) { pointedTo[target] = true } }
        }
        var drawn = [Bool](repeating: false, count: hops.count)
        var lines: [String] = []
        lines.reserveCapacity(hops.count)

        // Lines are built as bytes (``TextBuilder``): a path can have thousands of hops.
        func appendLine(_ index: Int, to text: inout TextBuilder) {
            text.append(index + 1)
            text.append(". ")
            text.append(hops[index].type)
            if let address = hops[index].address {
                text.append(" ")
                text.append(address)
            }
            Narration.appendResourceName(hops[index].resourceId, after: " — ", to: &text)
            if hops[index].hasIssues { text.append(" ✗") }
        }

        /// " (round trip min 1 ms, avg 4 ms)" for the link from one hop to the next, when measured.
        func appendRoundTrip(from index: Int, to next: String, to text: inout TextBuilder) {
            guard let link = hops[index].links.first(where: { $0.nextHopId == next }) else { return }
            var first = true
            func append(_ name: String, _ value: Int?) {
                guard let value else { return }
                text.append(first ? " (round trip " : ", ")
                first = false
                text.append(name)
                text.append(" ")
                text.append(value)
                text.append(" ms")
            }
            append("min", link.roundTripTimeMin)
            append("avg", link.roundTripTimeAvg)
            append("max", link.roundTripTimeMax)
            if !first { text.append(")") }
        }

        // Iterative, so a path of any length (10,000 hops) draws without deep recursion. A linear
        // path stays at one indentation; only a hop with several next hops opens branches.
        var stack: [(index: Int, indent: String, connector: String, from: Int?)] = []
        let roots = hops.indices.filter { !pointedTo[$0] }
        for root in (roots.isEmpty ? Array(hops.indices.prefix(1)) : roots).reversed() { stack.append((root, "", "", nil)) }
        while let (index, indent, connector, from) = stack.popLast() {
            var text = TextBuilder(capacity: indent.utf8.count + 128)
            text.append(indent)
            text.append(connector)
            let seen = drawn[index]
            if seen {
                text.append("→ ")
                text.append(index + 1)
                text.append(". ")
                text.append(hops[index].type)
                text.append(" (above)")
            } else {
                drawn[index] = true
                appendLine(index, to: &text)
            }
            if let from, let id = hops[index].id { appendRoundTrip(from: from, to: id, to: &text) }
            lines.append(text.text)
            if seen { continue }
            let childIndent = connector.isEmpty ? indent : indent + (connector == "├─ " ? "│  " : "   ")
            // The common case, one next hop: no branch, no array.
            if hops[index].nextHopIds.count == 1 {
                if let child = lookup(hops[index].nextHopIds[0], from: index) { stack.append((child, childIndent, "", index)) }
                continue
            }
            let next = hops[index].nextHopIds.compactMap { lookup($0, from: index) }
            for (position, child) in next.enumerated().reversed() {
                let childConnector = next.count == 1 ? "" : position == next.count - 1 ? "└─ " : "├─ "
                stack.append((child, childIndent, childConnector, index))
            }
        }
        for index in hops.indices where !drawn[index] {
            var text = TextBuilder()
            appendLine(index, to: &text)
            text.append(" (not linked from the source)")
            lines.append(text.text)
        }
        return lines
    }
}
