import CQpidProton
import Foundation

/// Runs on the client's one proactor thread and owns every Proton object there: the connection,
/// its session and links (the receiving ones through `ReceiverLinks`). Never shared, never touched
/// from another thread.
final class ProactorLoop {
    private struct PendingSend {
        var bytes: [UInt8]
        var done: CheckedContinuation<Void, any Error>
    }

    private let inbox: ProactorInbox
    private let endpoint: AMQPEndpoint
    private let backoff: ReconnectBackoff
    private let log: @Sendable (String) -> Void
    private var connection: OpaquePointer?
    private var session: OpaquePointer?
    private var senders: [String: OpaquePointer] = [:]
    private var senderAddresses: [OpaquePointer: String] = [:]
    private var pending: [String: [PendingSend]] = [:]
    private let receivers: ReceiverLinks
    private var attempt = 0
    private var deliveryTag: UInt64 = 0
    private var stopping = false
    private var sessionError: String?
    private var finished = false
    /// PCLOUD_AMQP_TRACE, read once: `ProcessInfo.environment` rebuilds a dictionary of the
    /// whole environment on every call, which cost a quarter of the controller's CPU at 3000
    /// heartbeats/s when it was read for every Proton event.
    private let tracing = ProcessInfo.processInfo.environment["PCLOUD_AMQP_TRACE"] != nil
    /// The broker's TLS checks when the endpoint asks for TLS, or why they could not be set up.
    private let tls: Result<TLSDomain, AMQPError>?

    init(inbox: ProactorInbox, endpoint: AMQPEndpoint, backoff: ReconnectBackoff, log: @escaping @Sendable (String) -> Void) {
        self.inbox = inbox
        self.endpoint = endpoint
        self.backoff = backoff
        self.log = log
        receivers = ReceiverLinks(log: log)
        tls = endpoint.tls.map { settings in Result { () throws(AMQPError) in try TLSDomain(settings) } }
    }

    /// The thread's body: connect, then handle event batches until stopped.
    func run() {
        connect()
        while !finished {
            let batch = pn_proactor_wait(inbox.proactor)
            while let event = pn_event_batch_next(batch) {
                handle(event)
            }
            pn_proactor_done(inbox.proactor, batch)
        }
        receivers.finishAll()
        inbox.finishStates()
    }

    private func connect() {
        let transport = pn_transport()!
        if let tls {
            // TLS that cannot be set up (no CA file) never falls back to plain TCP: the reason is
            // the connection state, and it is tried again later.
            do { try tls.get().secure(transport, host: endpoint.host) } catch {
                pn_transport_free(transport)
                inbox.publish(.disconnected(reason: "\(error)"))
                retryLater("\(error)")
                return
            }
        }
        let connection = pn_connection()!
        pn_connection_set_container(connection, endpoint.containerID)
        pn_connection_set_hostname(connection, endpoint.host)
        pn_connection_set_user(connection, endpoint.user)
        pn_connection_set_password(connection, endpoint.password)
        pn_connection_open(connection)
        let session = pn_session(connection)!
        pn_session_open(session)
        pn_transport_set_idle_timeout(transport, endpoint.idleTimeoutMilliseconds)
        let sasl = pn_sasl(transport)
        pn_sasl_allowed_mechs(sasl, "PLAIN")
        pn_sasl_set_allow_insecure_mechs(sasl, true)
        self.connection = connection
        self.session = session
        receivers.openAll(on: session)
        var address = [CChar](repeating: 0, count: 512)
        pn_proactor_addr(&address, address.count, endpoint.host, String(endpoint.port))
        pn_proactor_connect2(inbox.proactor, connection, transport, address)
        inbox.setWakeTarget(connection)
    }

    private func handle(_ event: OpaquePointer) {
        if tracing {
            log("event \(String(cString: pn_event_type_name(pn_event_type(event))))")
        }
        switch pn_event_type(event) {
        case PN_CONNECTION_REMOTE_OPEN:
            attempt = 0
            inbox.publish(.connected)
        case PN_CONNECTION_WAKE, PN_PROACTOR_INTERRUPT:
            drainCommands()
        case PN_LINK_FLOW:
            if let link = pn_event_link(event), pn_link_is_sender(link), let address = senderAddresses[link] {
                flush(address)
            }
        case PN_DELIVERY:
            if let delivery = pn_event_delivery(event) { receivers.receive(delivery) }
        case PN_LINK_REMOTE_CLOSE:
            if let link = pn_event_link(event) { linkClosed(link) }
        case PN_SESSION_REMOTE_CLOSE:
            // The broker ends a session on errors such as a refused publish; every link on it is
            // gone, so start over with a fresh connection.
            let reason = Self.describe(pn_session_remote_condition(pn_event_session(event))) ?? "session ended by the broker"
            log("session closed by the broker: \(reason)")
            sessionError = reason
            if let connection { pn_connection_close(connection) }
        case PN_TRANSPORT_CLOSED:
            transportClosed(pn_event_transport(event))
        case PN_PROACTOR_TIMEOUT:
            if !stopping && connection == nil { connect() }
        case PN_PROACTOR_INACTIVE:
            if stopping { finished = true }
        default:
            break
        }
    }

    private func drainCommands() {
        for command in inbox.takeCommands() {
            switch command {
            case .send(let message, let address, let done):
                guard !stopping, connection != nil else {
                    done.resume(throwing: AMQPError("not connected to the broker (\(describe(inbox.state)))"))
                    continue
                }
                do {
                    pending[address, default: []].append(PendingSend(bytes: try message.encoded(), done: done))
                    if senders[address] == nil { openSender(address) }
                    flush(address)
                } catch {
                    done.resume(throwing: error)
                }
            case .subscribe(let id, let address, let credit, let delivery, let continuation):
                guard !stopping else {
                    continuation.finish()
                    continue
                }
                receivers.add(
                    id: id, address: address, window: credit, delivery: delivery, continuation: continuation, session: session)
            case .took(let id, let count):
                receivers.took(id, count: count)
            case .unsubscribe(let id):
                receivers.remove(id)
            case .stop:
                stopping = true
                pn_proactor_cancel_timeout(inbox.proactor)
                if let connection {
                    pn_connection_close(connection)
                } else {
                    finished = true
                }
            }
        }
    }

    private func openSender(_ address: String) {
        guard let session else { return }
        let link = pn_sender(session, "send:\(address)")!
        pn_terminus_set_address(pn_link_target(link), address)
        pn_link_set_snd_settle_mode(link, pn_snd_settle_mode_t(PN_SND_SETTLED.rawValue))
        pn_link_open(link)
        senders[address] = link
        senderAddresses[link] = address
    }

    /// Sends what is pending for `address` as far as the link's credit allows (pre-settled).
    private func flush(_ address: String) {
        guard let link = senders[address] else { return }
        while pn_link_credit(link) > 0, var queue = pending[address], !queue.isEmpty {
            let next = queue.removeFirst()
            pending[address] = queue
            deliveryTag &+= 1
            var tag = deliveryTag
            let delivery = withUnsafeBytes(of: &tag) {
                pn_delivery(link, pn_dtag($0.baseAddress!.assumingMemoryBound(to: CChar.self), 8))
            }
            let sent = next.bytes.withUnsafeBytes {
                pn_link_send(link, $0.baseAddress!.assumingMemoryBound(to: CChar.self), next.bytes.count)
            }
            pn_link_advance(link)
            pn_delivery_settle(delivery)
            if sent < 0 {
                next.done.resume(throwing: AMQPError.proton("cannot send to \(address)", code: Int32(sent)))
            } else {
                next.done.resume()
            }
        }
    }

    private func linkClosed(_ link: OpaquePointer) {
        let reason = Self.describe(pn_link_remote_condition(link)) ?? "closed by the broker"
        if let address = senderAddresses.removeValue(forKey: link) {
            senders[address] = nil
            for send in pending.removeValue(forKey: address) ?? [] {
                send.done.resume(throwing: AMQPError("the broker refused \(address): \(reason)"))
            }
            log("sender \(address) closed: \(reason)")
        } else {
            receivers.closed(link, reason: reason)
        }
        pn_link_close(link)
    }

    private func transportClosed(_ transport: OpaquePointer?) {
        let reason = sessionError ?? transport.flatMap { Self.describe(pn_transport_condition($0)) } ?? "connection closed"
        sessionError = nil
        inbox.setWakeTarget(nil)
        connection = nil
        session = nil
        senders.removeAll()
        senderAddresses.removeAll()
        receivers.connectionLost()
        for send in pending.values.joined() {
            send.done.resume(throwing: AMQPError("lost the broker connection: \(reason)"))
        }
        pending.removeAll()
        inbox.publish(.disconnected(reason: reason))
        drainCommands()
        guard !stopping else { return }
        retryLater(reason)
    }

    private func retryLater(_ reason: String) {
        let delay = backoff.delay(attempt: attempt)
        attempt += 1
        log("broker connection lost (\(reason)); reconnecting in \(delay)")
        pn_proactor_set_timeout(inbox.proactor, pn_millis_t(delay.milliseconds))
    }

    private func describe(_ state: AMQPConnectionState) -> String {
        switch state {
        case .connected: return "connecting"
        case .disconnected(let reason): return reason
        }
    }
}
