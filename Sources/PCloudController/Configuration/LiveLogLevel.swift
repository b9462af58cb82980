import Foundation
import Logging

/// The controller's log level, changeable while it runs (SIGHUP re-reads `log-level`). Every
/// logger's handler reads it at each message, so a change reaches loggers made before it.
public final class LiveLogLevel: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Logger.Level

    public init(_ level: Logger.Level) { value = level }

    public var level: Logger.Level {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// A stderr handler whose level is the shared `LiveLogLevel` (a per-logger level set on it is ignored:
/// the controller has one level).
public struct LiveLevelLogHandler: LogHandler {
    private var inner: StreamLogHandler
    private let live: LiveLogLevel

    public init(label: String, level: LiveLogLevel) {
        inner = StreamLogHandler.standardError(label: label)
        inner.logLevel = .trace  // filtering is done here, by the live level
        live = level
    }

    public var logLevel: Logger.Level {
        get { live.level }
        set {}
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        inner.log(level: level, message: message, metadata: metadata, source: source, file: file, function: function, line: line)
    }
}
