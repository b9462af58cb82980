import NIOSSL
import PostgresNIO

extension PostgresLocation {
    /// NIO's TLS settings for the `sslmode`, or nil for `disable`. As in libpq, `prefer` and `require`
    /// encrypt without checking the certificate, `verify-ca` checks the chain against
    /// `sslrootcert` (or the system's roots), `verify-full` also checks the host name.
    func tlsConfiguration() -> TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable: return nil
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let rootCertificates, tls == .verifyCA || tls == .verifyFull {
            configuration.trustRoots = .file(rootCertificates)
        }
        return configuration
    }

    /// The connection pool's settings, with the password read now.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        let password = try password()
        switch endpoint {
        case .socket(let directory, let port):
            return .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        case .tcp(let host, let port):
            let mode: PostgresClient.Configuration.TLS =
                switch (tls, tlsConfiguration()) {
                case (_, nil): .disable
                case (.prefer, let configuration?): .prefer(configuration)
                case (_, let configuration?): .require(configuration)
                }
            return .init(host: host, port: port, username: user, password: password, database: database, tls: mode)
        }
    }

    /// One connection's settings (the first connection, which checks the server and migrates).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let password = try password()
        switch endpoint {
        case .socket(let directory, let port):
            return .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        case .tcp(let host, let port):
            let mode: PostgresConnection.Configuration.TLS
            if let configuration = tlsConfiguration() {
                let context = try NIOSSLContext(configuration: configuration)
                mode = tls == .prefer ? .prefer(context) : .require(context)
            } else {
                mode = .disable
            }
            return .init(host: host, port: port, username: user, password: password, database: database, tls: mode)
        }
    }
}
