import Testing

/// Every test that starts a private RabbitMQ runs inside this suite, one at a time: a broker
/// takes ~130 MB and seconds of CPU to boot, and this machine's cores are shared.
@Suite(.serialized) enum RealBrokerTests {}
