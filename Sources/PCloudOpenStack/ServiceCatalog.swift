/// Keystone's service catalog: which URL serves which service type, per interface and region.
public struct ServiceCatalog: Sendable, Hashable, Decodable {
    public struct Service: Sendable, Hashable, Decodable {
        public var type: String
        public var name: String?
        public var endpoints: [Endpoint]
    }

    public struct Endpoint: Sendable, Hashable, Decodable {
        public var interface: String
        public var url: String
        public var region: String?
        public var regionID: String?

        enum CodingKeys: String, CodingKey {
            case interface, url, region
            case regionID = "region_id"
        }
    }

    public var services: [Service]

    public init(services: [Service]) { self.services = services }

    public init(from decoder: any Decoder) throws {
        services = try [Service](from: decoder)
    }

    /// The URL of `type` (e.g. `compute`) on `interface` in `region` (any region when nil).
    public func endpoint(type: String, interface: String, region: String?) throws -> String {
        let candidates = services.filter { $0.type == type }.flatMap(\.endpoints)
        guard !candidates.isEmpty else {
            throw OpenStackConfigError(
                "the service catalog has no '\(type)' service (has: \(services.map(\.type).sorted().joined(separator: ", ")))")
        }
        let matching = candidates.filter { endpoint in
            endpoint.interface == interface && (region == nil || endpoint.regionID == region || endpoint.region == region)
        }
        guard let chosen = matching.first else {
            let offered = candidates.map { "\($0.interface)@\($0.regionID ?? $0.region ?? "-")" }.joined(separator: ", ")
            throw OpenStackConfigError(
                "no '\(type)' endpoint for interface \(interface) in region \(region ?? "any") (offered: \(offered))")
        }
        return chosen.url.hasSuffix("/") ? String(chosen.url.dropLast()) : chosen.url
    }
}
