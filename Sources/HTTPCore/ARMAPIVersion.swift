/// The api-versions nwsh sends, in one place: `check`'s lookups and its connectivity check, the
/// commands `explain` suggests, and the messages that show a request to paste.
///
/// Each is a stable (non-preview) version of its provider's REST API specification
/// (Azure/azure-rest-api-specs, `specification/network` and `specification/compute`), and one
/// the sandbox answers.
public enum ARMAPIVersion {
    /// Microsoft.Network: network watchers and their actions, interfaces, security groups.
    public static let network = "2024-05-01"
    /// Microsoft.Compute: virtual machines and their instance views.
    public static let compute = "2024-07-01"
    /// The subscriptions list (`GET /subscriptions`).
    public static let subscriptions = "2022-12-01"
}
