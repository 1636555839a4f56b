/// nwsh's version, in one place: the `User-Agent` of every request, and what cassettes, HAR
/// files and bug-report bundles say recorded them.
public enum NWSHVersion {
    /// The version number.
    public static let number = "0.1"
    /// `nwsh/0.1`, as a `User-Agent` product.
    public static var userAgent: String { "nwsh/\(number)" }
    /// `nwsh 0.1`, as a cassette's `recordedWith`.
    public static var recordedWith: String { "nwsh \(number)" }
}
