/// Where something was written: file, line and column (1-based).
public struct SourceLocation: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem in a definition, located precisely: `Deployables/demo.yaml:12:5: assemblies[1].resources[0].class:
/// expected one of ocf, lsb, systemd, exec, got 'ocff' (did you mean 'ocf'?)`.
public struct DefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    /// The field path inside the file (`resources[0].monitor.interval`); empty for the whole file.
    public var path: String
    public var message: String

    public init(location: SourceLocation, path: String, message: String) {
        self.location = location
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}

/// Every problem found in one load; nothing is half-accepted when this is thrown.
public struct DefinitionErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [DefinitionError]

    public init(_ errors: [DefinitionError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects problems while a file is read, so one run reports all of them.
public final class Diagnostics: @unchecked Sendable {
    public private(set) var errors: [DefinitionError] = []

    public init() {}

    /// Records `error` once (a template used by several resources reports its errors once).
    public func report(_ error: DefinitionError) {
        guard !errors.contains(error) else { return }
        errors.append(error)
    }

    public var isEmpty: Bool { errors.isEmpty }

    /// Throws everything collected, sorted by position, if anything was reported.
    public func throwIfAny() throws {
        guard !errors.isEmpty else { return }
        throw DefinitionErrors(
            errors.sorted {
                ($0.location.file, $0.location.line, $0.location.column) < (
                    $1.location.file, $1.location.line, $1.location.column
                )
            })
    }
}
