/// The client key a session authenticates with (ed25519 recommended): an OpenSSH private key
/// file without passphrase, and its public half (by default the same path plus `.pub`).
public struct SSHIdentity: Sendable, Hashable {
    public var privateKeyPath: String
    public var publicKeyPath: String

    public init(privateKeyPath: String, publicKeyPath: String? = nil) {
        self.privateKeyPath = privateKeyPath
        self.publicKeyPath = publicKeyPath ?? privateKeyPath + ".pub"
    }
}
