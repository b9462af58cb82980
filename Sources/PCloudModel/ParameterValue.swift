/// A resource parameter: a literal string, or a reference to another assembly's runtime value that
/// pcloud fills in (and updates when that assembly comes back with a new address).
public enum ParameterValue: Sendable, Equatable, Hashable, Codable {
    case literal(String)
    case reference(ParameterReference)
}

/// `{ref: {assembly: db, parameter: ipaddress}}`.
public struct ParameterReference: Sendable, Equatable, Hashable, Codable {
    public var assembly: String
    public var parameter: RuntimeParameter

    public init(assembly: String, parameter: RuntimeParameter) {
        self.assembly = assembly
        self.parameter = parameter
    }
}

/// Runtime values of an assembly that parameters may refer to.
public enum RuntimeParameter: String, Sendable, Codable, CaseIterable {
    case ipaddress
    case hostname
}

/// One named parameter; parameters keep the order they were written in.
public struct Parameter: Sendable, Equatable, Hashable, Codable {
    public var name: String
    public var value: ParameterValue

    public init(name: String, value: ParameterValue) {
        self.name = name
        self.value = value
    }
}
