/// Timings of repeated runs of one command.
public struct Timing: Sendable, Equatable {
    /// Wall-clock seconds of each run.
    public var seconds: [Double]
    /// The largest resident set of any run, in bytes, when known.
    public var peakMemory: Int?

    public init(seconds: [Double], peakMemory: Int? = nil) {
        self.seconds = seconds
        self.peakMemory = peakMemory
    }

    /// The median run time (the mean of the middle two for an even count).
    public var median: Double {
        let sorted = seconds.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// What a peer's cell says when the peer was not measured.
public enum PeerStatus: Sendable, Equatable {
    case measured(Timing)
    /// The peer could not be installed or run; the reason is shown.
    case missing(String)
    /// Not part of this figure, or not run in this mode.
    case notRun(String)
}

/// One line of the benchmark table.
public struct Row: Sendable {
    public var figure: String
    /// nwsh's cell: a timing, or why there is none.
    public var nwsh: PeerStatus
    /// The peer's name and cell; nil for figures with no peer.
    public var peer: (name: String, status: PeerStatus)?
    /// The target in words.
    public var target: String
    /// Decides pass or fail from nwsh's median and the peer's median (nil when there is no peer).
    public var check: (@Sendable (_ nwsh: Double, _ peer: Double?) -> Bool)?
    /// How a value is shown: seconds (default) or bytes.
    public var unit: Unit = .seconds
    /// Whether nwsh's runs and the peer's were timed in alternation, run for run: the ratio is
    /// then the median of each round's ratio, so a slow moment of the machine, which meets both
    /// commands of its round, does not move it as it moves the medians of separate runs.
    public var paired = false

    public enum Unit: Sendable { case seconds, bytes }

    public init(
        figure: String, nwsh: PeerStatus, peer: (name: String, status: PeerStatus)? = nil, target: String, unit: Unit = .seconds,
        paired: Bool = false, check: (@Sendable (Double, Double?) -> Bool)? = nil
    ) {
        self.figure = figure
        self.nwsh = nwsh
        self.peer = peer
        self.target = target
        self.unit = unit
        self.paired = paired
        self.check = check
    }

    /// nwsh's median, or peak memory for memory figures.
    var nwshValue: Double? {
        guard case .measured(let timing) = nwsh else { return nil }
        return unit == .bytes ? timing.peakMemory.map(Double.init) : timing.median
    }

    var peerValue: Double? {
        guard case .measured(let timing)? = peer?.status else { return nil }
        return unit == .bytes ? timing.peakMemory.map(Double.init) : timing.median
    }

    /// nwsh ÷ peer: of the medians, or for a paired row the median of the rounds' ratios.
    public var ratio: Double? {
        if let pairedRatio { return pairedRatio }
        guard let nwshValue, let peerValue, peerValue > 0 else { return nil }
        return nwshValue / peerValue
    }

    /// The median of nwsh's time ÷ the peer's in each round, for a paired row of times.
    private var pairedRatio: Double? {
        guard paired, unit == .seconds, case .measured(let mine) = nwsh, case .measured(let theirs)? = peer?.status,
            mine.seconds.count == theirs.seconds.count, !mine.seconds.isEmpty, !theirs.seconds.contains(where: { $0 <= 0 })
        else { return nil }
        return Timing(seconds: zip(mine.seconds, theirs.seconds).map { $0 / $1 }).median
    }

    /// "pass", "FAIL", or "—" when there is nothing to decide. A paired row is judged by its
    /// ratio: the check is given the peer's median times that ratio as nwsh's figure.
    public var verdict: String {
        guard let check, let nwshValue else { return "—" }
        if peer != nil, peerValue == nil { return "—" }
        if let pairedRatio, let peerValue { return check(pairedRatio * peerValue, peerValue) ? "pass" : "FAIL" }
        return check(nwshValue, peerValue) ? "pass" : "FAIL"
    }

    /// The table's cells, in column order.
    public var cells: [String] {
        let runs: (PeerStatus) -> String = { status in
            switch status {
            case .measured(let timing):
                let value = self.unit == .bytes ? timing.peakMemory.map(Report.bytes) ?? "unknown" : Report.seconds(timing.median)
                return "\(value) (\(timing.seconds.count) run\(timing.seconds.count == 1 ? "" : "s"))"
            case .missing(let reason): return "missing: \(reason)"
            case .notRun(let reason): return reason
            }
        }
        let peerCell = peer.map { "\($0.name): \(runs($0.status))" } ?? "—"
        return [figure, runs(nwsh), peerCell, ratio.map(Report.ratio) ?? "—", target, verdict]
    }
}

/// Formats the benchmark table and places it in BENCHMARKS.md.
public enum Report {
    /// Where the generated table starts and ends in BENCHMARKS.md; text outside is kept.
    public static let beginMarker = "<!-- nwsh-bench: begin (generated; rerun scripts/bench to update) -->"
    public static let endMarker = "<!-- nwsh-bench: end -->"

    /// A markdown table of the rows.
    public static func table(_ rows: [Row]) -> String {
        let header = ["figure", "nwsh (median)", "peer (median)", "nwsh ÷ peer", "target", "result"]
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        for row in rows {
            lines.append("| " + row.cells.map { $0.replacingPipes() }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `document` with the text between the markers replaced by `generated`; the markers and
    /// `generated` are appended when the document has none.
    public static func splice(_ generated: String, into document: String) -> String {
        let block = beginMarker + "\n" + generated + endMarker
        guard let begin = document.range(of: beginMarker), let end = document.range(of: endMarker), begin.upperBound <= end.lowerBound
        else {
            return document + (document.isEmpty || document.hasSuffix("\n\n") ? "" : document.hasSuffix("\n") ? "\n" : "\n\n") + block
                + "\n"
        }
        return String(document[..<begin.lowerBound]) + block + String(document[end.upperBound...])
    }

    /// Seconds in the unit that reads best: "8.4 ms", "0.84 s", "27.8 s".
    public static func seconds(_ value: Double) -> String {
        if value.isNaN { return "—" }
        if value < 1 { return value < 0.01 ? formatted(value * 1000, digits: 2) + " ms" : formatted(value * 1000, digits: 0) + " ms" }
        return formatted(value, digits: value < 10 ? 2 : 1) + " s"
    }

    /// Bytes in MB (10^6), one decimal.
    public static func bytes(_ value: Int) -> String {
        formatted(Double(value) / 1_000_000, digits: 1) + " MB"
    }

    /// A ratio with two significant decimals: "1.06×", "0.015×".
    public static func ratio(_ value: Double) -> String {
        formatted(value, digits: value < 0.1 ? 3 : 2) + "×"
    }

    /// 10000 → "10,000".
    public static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return result
    }

    /// A number with exactly `digits` decimals: formatted(1.25, digits: 1) is "1.3".
    public static func formatted(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if text.hasSuffix(".0") && digits == 0 { text.removeLast(2) }
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        } else if digits > 0 {
            text += "." + String(repeating: "0", count: digits)
        }
        return text
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
