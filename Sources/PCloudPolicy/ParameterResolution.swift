import PCloudModel

/// Resource parameters with references filled in from the referenced assemblies' runtime values.
extension Plan {
    /// nil while a referenced value is not known yet (the resource waits for it).
    func parameters(for id: ResourceID) -> [String: String]? {
        guard let definition = policy.resources[id] else { return nil }
        return parameters(of: definition)
    }

    func parameters(of definition: Resource) -> [String: String]? {
        var values: [String: String] = [:]
        for parameter in definition.parameters {
            switch parameter.value {
            case .literal(let text):
                values[parameter.name] = text
            case .reference(let reference):
                guard let assembly = runtime.assemblies[reference.assembly] else { return nil }
                switch reference.parameter {
                case .ipaddress:
                    guard let address = assembly.address else { return nil }
                    values[parameter.name] = address
                case .hostname:
                    guard let hostname = assembly.hostname ?? assembly.address else { return nil }
                    values[parameter.name] = hostname
                }
            }
        }
        return values
    }

    func arguments(for id: ResourceID, timeout: Duration, interval: Duration? = nil) -> OperationArguments? {
        guard let parameters = parameters(for: id), let assembly = runtime.assemblies[id.assembly] else { return nil }
        return OperationArguments(parameters: parameters, timeout: timeout, interval: interval, incarnation: assembly.incarnation)
    }
}
