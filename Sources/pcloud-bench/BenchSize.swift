import ArgumentParser

/// A benchmark size: A assemblies, R resources (R/A per assembly), F failed monitors; `A/R/F`.
struct BenchSize: Sendable, Equatable, CustomStringConvertible, ExpressibleByArgument {
    var assemblies: Int
    var resources: Int
    var failed: Int

    init(assemblies: Int, resources: Int, failed: Int) {
        self.assemblies = assemblies
        self.resources = resources
        self.failed = failed
    }

    init?(argument: String) {
        let parts = argument.split(separator: "/").map { Int($0) }
        guard parts.count == 3, let a = parts[0], let r = parts[1], let f = parts[2], a > 0, r >= a, f >= 0, f <= r
        else { return nil }
        self.init(assemblies: a, resources: r, failed: f)
    }

    var description: String { "\(assemblies)/\(resources)/\(failed)" }

    /// The three sizes; the last one carries the targets.
    static let standard = [
        BenchSize(assemblies: 100, resources: 1000, failed: 50),
        BenchSize(assemblies: 300, resources: 3000, failed: 150),
        BenchSize(assemblies: 1000, resources: 10000, failed: 500),
    ]
}

/// Parses `100/1000/50,300/3000/150`.
struct BenchSizes: ExpressibleByArgument {
    var sizes: [BenchSize]

    init?(argument: String) {
        let sizes = argument.split(separator: ",").map { BenchSize(argument: String($0)) }
        guard !sizes.isEmpty, !sizes.contains(where: { $0 == nil }) else { return nil }
        self.sizes = sizes.compactMap { $0 }
    }

    init(_ sizes: [BenchSize]) { self.sizes = sizes }
}
