/// One cloud's connection settings, as an OpenStack user has them in clouds.yaml or OS_*
/// variables. Secrets are `Secret`s so they never print.
public struct OpenStackCloud: Sendable, Hashable {
    public enum Auth: Sendable, Hashable {
        /// Keystone v3 password auth, scoped to a project.
        case password(user: Identity, password: Secret, project: ProjectScope)
        /// Keystone v3 application credential (by id, or by name with its user).
        case applicationCredential(id: String?, name: String?, user: Identity?, secret: Secret)
        /// No Keystone: the compute endpoint is given and requests carry the user and project
        /// in headers (Nova's noauth2 and stubbed-keystone test pipelines).
        case noAuth(user: String, projectID: String, roles: [String])
    }

    /// A user by id, or by name within a domain (id or name).
    public struct Identity: Sendable, Hashable {
        public var id: String?
        public var name: String?
        public var domainID: String?
        public var domainName: String?

        public init(id: String? = nil, name: String? = nil, domainID: String? = nil, domainName: String? = nil) {
            self.id = id
            self.name = name
            self.domainID = domainID
            self.domainName = domainName
        }
    }

    /// The project a token is scoped to, by id or by name within a domain.
    public typealias ProjectScope = Identity

    public var name: String
    /// Keystone's v3 URL (`https://keystone.example:5000/v3`); nil for `noAuth`.
    public var authURL: String?
    public var auth: Auth
    public var regionName: String?
    /// Catalog interface: `public`, `internal` or `admin`.
    public var interface: String
    /// Use this compute endpoint instead of the catalog's (required for `noAuth`).
    public var computeEndpointOverride: String?
    /// The Nova microversion every request asks for (`OpenStack-API-Version: compute X`).
    public var computeMicroversion: String

    public init(
        name: String, authURL: String?, auth: Auth, regionName: String? = nil, interface: String = "public",
        computeEndpointOverride: String? = nil, computeMicroversion: String = "2.79"
    ) {
        self.name = name
        self.authURL = authURL
        self.auth = auth
        self.regionName = regionName
        self.interface = interface
        self.computeEndpointOverride = computeEndpointOverride
        self.computeMicroversion = computeMicroversion
    }
}

/// A password, token or application-credential secret: its description never shows the value,
/// so logging a configuration or an error cannot leak it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
