import CQpidProton

/// How a client checks the broker's TLS certificate: against the CA certificates in `caFile`,
/// including the broker's host name (or address) unless `verifyHostname` is false.
public struct AMQPTLS: Sendable, Hashable {
    public var caFile: String
    public var verifyHostname: Bool

    public init(caFile: String, verifyHostname: Bool = true) {
        self.caFile = caFile
        self.verifyHostname = verifyHostname
    }
}

/// Owns one Proton client SSL domain (the trusted CAs and the peer checks); freed with its owner.
/// Used only on the proactor thread that made it.
final class TLSDomain {
    private let handle: OpaquePointer

    init(_ settings: AMQPTLS) throws(AMQPError) {
        guard pn_ssl_present() else { throw AMQPError("TLS requested but this Qpid Proton has no SSL support") }
        guard let domain = pn_ssl_domain(PN_SSL_MODE_CLIENT) else { throw AMQPError("cannot make a Proton SSL domain") }
        handle = domain
        if pn_ssl_domain_set_trusted_ca_db(domain, settings.caFile) != 0 {
            throw AMQPError("cannot load the broker CA certificates from \(settings.caFile)")
        }
        let mode = settings.verifyHostname ? PN_SSL_VERIFY_PEER_NAME : PN_SSL_VERIFY_PEER
        if pn_ssl_domain_set_peer_authentication(domain, mode, nil) != 0 {
            throw AMQPError("cannot require broker certificate verification")
        }
    }

    /// Makes `transport` speak TLS with this domain's checks, expecting the broker as `host`.
    func secure(_ transport: OpaquePointer, host: String) throws {
        guard let ssl = pn_ssl(transport), pn_ssl_init(ssl, handle, nil) == 0 else {
            throw AMQPError("cannot start TLS on the broker connection")
        }
        pn_ssl_set_peer_hostname(ssl, host)
    }

    deinit { pn_ssl_domain_free(handle) }
}
