/// How often a resuming engine asks the infrastructure again for its guests after a listing failed
/// (libvirtd restarting, Nova answering 503): the first delay, doubling up to the maximum.
public struct ListingRetry: Sendable {
    public var first: Duration
    public var maximum: Duration

    public init(first: Duration = .seconds(1), maximum: Duration = .seconds(30)) {
        self.first = first
        self.maximum = maximum
    }

    /// The wait after `failures` failed listings (1 = the first).
    public func delay(after failures: Int) -> Duration {
        var delay = first
        for _ in 1..<max(failures, 1) where delay < maximum { delay = delay * 2 }
        return min(delay, maximum)
    }
}
