import Foundation

/// A test CA, a broker certificate it signed for 127.0.0.1, and an unrelated CA. Proton checks the
/// broker's name against DNS subjectAltNames and the CN only (not IP subjectAltNames), so the
/// address is in both.
public struct TestCertificates: Sendable {
    public let directory = URL(fileURLWithPath: "/tmp/pcloud-tls-\(UUID().uuidString.prefix(8))")

    public init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost\n".write(
            toFile: path("san.ext"), atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pcloud test CA",
                "-keyout", path("ca.key"), "-out", path("ca.pem"),
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", path("server.key"),
                "-out", path("server.csr"),
            ],
            [
                "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                "-CAcreateserial", "-days", "2", "-extfile", path("san.ext"), "-out", path("server.pem"),
            ],
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=another CA",
                "-keyout", path("other-ca.key"), "-out", path("other-ca.pem"),
            ],
        ]
        for step in steps {
            let (status, output) = try runCommand("/usr/bin/openssl", step)
            guard status == 0 else { throw ControllerError("openssl \(step.first ?? "") failed: \(output)") }
        }
    }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: directory) }

    /// rabbitmq.conf lines for a TLS listener on `port` with the broker certificate.
    public func listenerConfig(port: UInt16) -> String {
        """
        listeners.ssl.default = 127.0.0.1:\(port)
        ssl_options.cacertfile = \(path("ca.pem"))
        ssl_options.certfile = \(path("server.pem"))
        ssl_options.keyfile = \(path("server.key"))
        ssl_options.verify = verify_none
        ssl_options.fail_if_no_peer_cert = false
        """
    }
}
