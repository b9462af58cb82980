import PCloudModel

/// What read commands print as JSON: durations as text ("10s"), stable field names.
struct ResourceView: Encodable {
    var name: String
    var resourceClass: String
    var type: String
    var provider: String?
    var parameters: [String: String]
    var monitorInterval: String
    var monitorTimeout: String
    var onFail: String
    var escalation: String?

    init(_ resource: Resource) {
        name = resource.name
        resourceClass = resource.resourceClass.rawValue
        type = resource.resourceClass == .exec ? "exec" : resource.type
        provider = resource.provider
        parameters = Dictionary(
            uniqueKeysWithValues: resource.parameters.map { parameter in
                switch parameter.value {
                case .literal(let value): return (parameter.name, value)
                case .reference(let ref): return (parameter.name, "{\(ref.assembly).\(ref.parameter.rawValue)}")
                }
            })
        monitorInterval = DurationText.format(resource.monitor.interval)
        monitorTimeout = DurationText.format(resource.monitor.timeout)
        onFail = resource.onFail.rawValue
        escalation = resource.escalation.map(EscalationView.text)
    }

    enum CodingKeys: String, CodingKey {
        case name, type, provider, parameters, monitorInterval, monitorTimeout, onFail, escalation
        case resourceClass = "class"
    }
}

struct AssemblyView: Encodable {
    var name: String
    var image: String?
    var memoryMiB: Int
    var vcpus: Int
    var address: String?
    var escalation: String?
    var resources: [ResourceView]
    var deployables: [String]

    init(_ assembly: Assembly, deployables: [String]) {
        name = assembly.name
        image = assembly.image
        memoryMiB = assembly.memoryMiB
        vcpus = assembly.vcpus
        address = assembly.address
        escalation = assembly.escalation.map(EscalationView.text)
        resources = assembly.resources.map(ResourceView.init)
        self.deployables = deployables
    }
}

enum EscalationView {
    static func text(_ limit: EscalationLimit) -> String {
        "\(limit.failures) in \(DurationText.format(limit.period))"
    }
}
