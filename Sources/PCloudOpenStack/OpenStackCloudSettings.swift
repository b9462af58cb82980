/// The flat key/value settings a clouds.yaml entry or the `OS_*` variables give, before they
/// are checked and turned into an `OpenStackCloud`. Keys are clouds.yaml's
/// (`auth_url`, `username`, `application_credential_secret`, `region_name`, ...).
struct OpenStackCloudSettings {
    var values: [String: String] = [:]

    static let keys = [
        "auth_url", "auth_type", "username", "user_id", "password", "user_domain_name", "user_domain_id",
        "project_name", "project_id", "project_domain_name", "project_domain_id", "domain_name", "domain_id",
        "application_credential_id", "application_credential_name", "application_credential_secret",
        "region_name", "interface", "compute_endpoint_override", "compute_api_version", "endpoint", "roles",
    ]

    init(entry: [String: Any]) {
        for (key, value) in entry where key != "auth" { values[key] = Self.text(value) }
        for (key, value) in (entry["auth"] as? [String: Any]) ?? [:] { values[key] = Self.text(value) }
    }

    /// `OS_AUTH_URL` → `auth_url`, and so on for every known key.
    init(environment: [String: String]) {
        for key in Self.keys {
            if let value = environment["OS_" + key.uppercased()], !value.isEmpty { values[key] = value }
        }
    }

    mutating func override(with other: OpenStackCloudSettings) {
        values.merge(other.values) { _, new in new }
    }

    private static func text(_ value: Any) -> String? {
        switch value {
        case let string as String: string
        case let int as Int: String(int)
        case let double as Double: String(double)
        case let bool as Bool: String(bool)
        default: nil
        }
    }

    func cloud(named name: String) throws -> OpenStackCloud {
        let authType = (values["auth_type"] ?? "").lowercased()
        let auth: OpenStackCloud.Auth
        switch authType {
        case "noauth", "none", "admin_token_noauth":
            guard values["compute_endpoint_override"] ?? values["endpoint"] != nil else {
                throw OpenStackConfigError("auth_type \(authType) needs compute_endpoint_override (or auth.endpoint)")
            }
            auth = .noAuth(
                user: values["username"] ?? values["user_id"] ?? "admin",
                projectID: values["project_id"] ?? values["project_name"] ?? "admin",
                roles: (values["roles"] ?? "admin,member,reader").split(separator: ",").map(String.init))
        case "v3applicationcredential", "applicationcredential":
            guard let secret = values["application_credential_secret"] else {
                throw OpenStackConfigError("application credential auth needs application_credential_secret")
            }
            let id = values["application_credential_id"]
            guard id != nil || values["application_credential_name"] != nil else {
                throw OpenStackConfigError("application credential auth needs application_credential_id or _name")
            }
            auth = .applicationCredential(
                id: id, name: values["application_credential_name"], user: id == nil ? user : nil, secret: Secret(secret))
        case "", "password", "v3password":
            guard let password = values["password"] else { throw OpenStackConfigError("password auth needs a password") }
            guard values["username"] != nil || values["user_id"] != nil else {
                throw OpenStackConfigError("password auth needs username or user_id")
            }
            auth = .password(user: user, password: Secret(password), project: project)
        default:
            throw OpenStackConfigError("auth_type '\(authType)' is not supported (password, v3applicationcredential, noauth)")
        }
        if case .noAuth = auth {
        } else if values["auth_url"] == nil {
            throw OpenStackConfigError("auth_url is missing")
        }
        return OpenStackCloud(
            name: name, authURL: values["auth_url"], auth: auth, regionName: values["region_name"],
            interface: Self.interface(values["interface"]),
            computeEndpointOverride: values["compute_endpoint_override"] ?? values["endpoint"],
            computeMicroversion: values["compute_api_version"].flatMap { $0.hasPrefix("2.") ? $0 : nil } ?? "2.79")
    }

    /// clouds.yaml allows `publicURL` style names too.
    private static func interface(_ value: String?) -> String {
        guard let value = value?.lowercased() else { return "public" }
        return value.hasSuffix("url") ? String(value.dropLast(3)) : value
    }

    private var user: OpenStackCloud.Identity {
        .init(
            id: values["user_id"], name: values["username"],
            domainID: values["user_domain_id"] ?? values["domain_id"]
                ?? (values["user_domain_name"] == nil && values["domain_name"] == nil ? "default" : nil),
            domainName: values["user_domain_name"] ?? values["domain_name"])
    }

    private var project: OpenStackCloud.ProjectScope {
        .init(
            id: values["project_id"], name: values["project_name"],
            domainID: values["project_domain_id"] ?? values["domain_id"]
                ?? (values["project_domain_name"] == nil && values["domain_name"] == nil ? "default" : nil),
            domainName: values["project_domain_name"] ?? values["domain_name"])
    }
}
