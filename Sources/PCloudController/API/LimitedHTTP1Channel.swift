import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// The TCP listener's connections: HTTP/1 with an idle timeout (a connection that sends nothing, or
/// never finishes its request head, is closed after it), and at most `connections.limit` open at
/// once: one more is closed as soon as it is accepted, before anything is read from it. So TCP peers,
/// authenticated or not, can never use up the descriptors the unix socket and the engines need.
struct LimitedHTTP1Channel: ServerChildChannel {
    enum Value: ServerChildChannelValue {
        case admitted(HTTP1Channel.Value)
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .admitted(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    let http: HTTP1Channel
    let connections: ConnectionCount

    /// An HTTP/1 server for `Application(server:)` with `idleTimeout` and at most `limit` connections.
    static func server(idleTimeout: Duration, limit: Int, logger: Logger) -> HTTPServerBuilder {
        let connections = ConnectionCount(limit: limit, logger: logger)
        return HTTPServerBuilder { responder in
            LimitedHTTP1Channel(
                http: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: TimeAmount(idleTimeout))),
                connections: connections)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard connections.open() else { return channel.eventLoop.makeSucceededFuture(.refused(channel)) }
        let connections = connections
        return http.setup(channel: channel, logger: logger).map { value in
            channel.closeFuture.whenComplete { _ in connections.closed() }
            return .admitted(value)
        }.flatMapErrorThrowing { error in
            connections.closed()
            throw error
        }
    }

    func handle(value: Value, logger: Logger) async {
        switch value {
        case .admitted(let value): await http.handle(value: value, logger: logger)
        case .refused(let channel): try? await channel.close()
        }
    }
}

/// Open TCP connections against their limit; refusals are logged at most once a minute, with how many.
final class ConnectionCount: Sendable {
    let limit: Int
    private let logger: Logger
    private let state = Mutex<(open: Int, refused: Int, lastLog: ContinuousClock.Instant?)>((0, 0, nil))

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    /// Counts a new connection in; false (and counted as refused) when `limit` are already open.
    func open() -> Bool {
        let (admitted, report) = state.withLock { state -> (Bool, Int?) in
            guard state.open >= limit else {
                state.open += 1
                return (true, nil)
            }
            state.refused += 1
            let now = ContinuousClock.now
            guard state.lastLog.map({ now - $0 >= .seconds(60) }) ?? true else { return (false, nil) }
            defer { (state.refused, state.lastLog) = (0, now) }
            return (false, state.refused)
        }
        if let report {
            logger.warning(
                "TCP API: \(limit) connections are open (tcp.max-connections): closed \(report) more at once; the unix socket is not affected"
            )
        }
        return admitted
    }

    func closed() {
        state.withLock { $0.open -= 1 }
    }
}
