import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP (`systemctl reload pcloud-cped`): the settings are read again (file, then flags) and what
/// can change while cped runs is applied: the log level. A setting that only takes effect at start
/// (socket, store, TCP listener, broker, ssh key, definitions) is named in the log as needing a
/// restart. A settings file that no longer parses changes nothing and is logged as an error: a
/// reload never stops cped. Definitions are not re-read by SIGHUP: they live in the store and a
/// started deployable takes a changed one with `pcloudsh deployable_reload NAME`.
public struct SettingsReloadService: Service, CustomStringConvertible {
    let running: ControllerConfiguration
    let reread: @Sendable () throws -> ControllerConfiguration
    let level: LiveLogLevel
    let logger: Logger

    public init(
        running: ControllerConfiguration, level: LiveLogLevel, logger: Logger,
        reread: @escaping @Sendable () throws -> ControllerConfiguration
    ) {
        self.running = running
        self.reread = reread
        self.level = level
        self.logger = logger
    }

    /// How ServiceLifecycle names it in the log (never the settings: they hold the TCP token).
    public var description: String { "SettingsReloadService" }

    public func run() async throws {
        var current = running
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            current = reload(current)
        }
    }

    /// Applies what can change live; returns the settings now in force.
    func reload(_ current: ControllerConfiguration) -> ControllerConfiguration {
        let wanted: ControllerConfiguration
        do { wanted = try reread() } catch {
            logger.error("SIGHUP: the settings were not reloaded, the running ones stay: \(error)")
            return current
        }
        var applied = current
        var changes: [String] = []
        if wanted.logLevel != current.logLevel {
            if let newLevel = Logger.Level(rawValue: wanted.logLevel) {
                level.level = newLevel
                applied.logLevel = wanted.logLevel
                changes.append("log-level \(current.logLevel) -> \(wanted.logLevel)")
            } else {
                logger.error("SIGHUP: log-level '\(wanted.logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
            }
        }
        let restartOnly = Self.restartOnlyChanges(from: current, to: wanted)
        let summary = changes.isEmpty ? "nothing to change" : changes.joined(separator: ", ")
        let later = restartOnly.isEmpty ? "" : "; changed but applied only at restart: \(restartOnly.joined(separator: ", "))"
        logger.notice("SIGHUP: settings reloaded: \(summary)\(later)")
        return applied
    }

    static func restartOnlyChanges(from old: ControllerConfiguration, to new: ControllerConfiguration) -> [String] {
        var names: [String] = []
        if old.socketPath != new.socketPath { names.append("socket") }
        if old.storePath != new.storePath || old.storePasswordFile != new.storePasswordFile { names.append("store") }
        if old.definitionsPath != new.definitionsPath { names.append("definitions") }
        if old.sshKeyPath != new.sshKeyPath { names.append("ssh-key") }
        if old.tcp != new.tcp { names.append("tcp") }
        if old.broker != new.broker { names.append("broker") }
        return names
    }
}
