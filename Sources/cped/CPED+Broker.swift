import ArgumentParser
import PCloudController

extension CPED {
    /// --broker and its companions, over what the settings file says.
    func applyBrokerOptions(to settings: inout ControllerConfiguration) throws {
        if let broker {
            let parts = broker.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else {
                throw ValidationError("--broker takes HOST:PORT, got '\(broker)'")
            }
            guard let brokerPasswordFile else {
                throw ValidationError("--broker needs --broker-password-file: the broker requires credentials")
            }
            settings.broker = .init(
                host: String(parts[0]), port: port, user: brokerUser,
                password: try ControllerConfiguration.readSecret(brokerPasswordFile, at: "--broker-password-file"))
        }
        if let brokerCa {
            guard settings.broker != nil else {
                throw ValidationError("--broker-ca needs a broker (--broker or broker: in the settings)")
            }
            settings.broker?.caFile = brokerCa
        }
        if let brokerGuestAddress {
            guard settings.broker != nil else {
                throw ValidationError("--broker-guest-address needs a broker (--broker or broker: in the settings)")
            }
            let parts = brokerGuestAddress.split(separator: ":")
            guard (1...2).contains(parts.count), !parts[0].isEmpty else {
                throw ValidationError("--broker-guest-address takes HOST or HOST:PORT, got '\(brokerGuestAddress)'")
            }
            settings.broker?.guestHost = String(parts[0])
            if parts.count == 2 {
                guard let port = Int(parts[1]), (1...65535).contains(port) else {
                    throw ValidationError("--broker-guest-address: '\(parts[1])' is not a port number")
                }
                settings.broker?.guestPort = port
            }
        }
        if let brokerUsersCommand {
            guard settings.broker != nil else {
                throw ValidationError("--broker-users-command needs a broker (--broker or broker: in the settings)")
            }
            settings.broker?.usersCommand = brokerUsersCommand
        }
    }
}
