import PCloudController
import PCloudModel

/// The drivers this cped was built with, chosen by each deployable's infrastructure and monitor method.
struct BuiltInDrivers: DriverFactory {
    func infrastructure(for deployable: Deployable) throws -> any Infrastructure {
        switch deployable.infrastructure {
        case .static: return StaticInfrastructure(deployable)
        case .libvirt: throw DriverUnavailable("the libvirt driver is not built into this cped")
        case .openstack: throw DriverUnavailable("the OpenStack driver is not built into this cped")
        }
    }

    func monitor(for deployable: Deployable) throws -> any Monitor {
        throw DriverUnavailable("the \(deployable.monitor.method.rawValue) monitor is not built into this cped")
    }
}
