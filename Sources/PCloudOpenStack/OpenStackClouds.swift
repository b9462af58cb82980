import Foundation
import Synchronization

/// The OpenStack drivers of one controller: one Nova client (one token) and one server watch
/// per cloud (the same endpoint, credentials and project), shared by every deployable on it.
public final class OpenStackClouds: Sendable {
    private struct Shared {
        var nova: NovaClient
        var watch: OpenStackServerWatch
    }

    private let clouds = Mutex<[OpenStackCloud: Shared]>([:])
    private let http: OpenStackHTTP

    public init(http: OpenStackHTTP = OpenStackHTTP()) { self.http = http }

    /// `deployable`'s driver on `cloud`. The watch lists at the interval of the first deployable
    /// that asked for this cloud.
    public func infrastructure(
        cloud: OpenStackCloud, settings: OpenStackGuestSettings, deployable: String
    )
        -> OpenStackInfrastructure
    {
        let shared = clouds.withLock { clouds in
            if let shared = clouds[cloud] { return shared }
            let nova = NovaClient(auth: OpenStackAuth(cloud: cloud, http: http), http: http)
            let shared = Shared(nova: nova, watch: OpenStackInfrastructure.watch(nova, interval: settings.eventInterval))
            clouds[cloud] = shared
            return shared
        }
        return OpenStackInfrastructure(nova: shared.nova, settings: settings, deployable: deployable, watch: shared.watch)
    }

    /// Stops every cloud's server watch (cped shutting down); returns how many there were.
    @discardableResult
    public func finish() -> Int {
        let watches = clouds.withLock { clouds in clouds.values.map(\.watch) }
        for watch in watches { watch.finish() }
        return watches.count
    }
}
