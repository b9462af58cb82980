// swift-tools-version:6.1
// pcloud: high availability for guests in a cloud (a Swift re-creation of Pacemaker Cloud).
import PackageDescription

// Each system library is one C target with a modulemap; one thin Swift wrapper owns its handles.
let systemLibraries: [Target] = [
    .systemLibrary(name: "CLibssh2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
    .systemLibrary(name: "CQpidProton", pkgConfig: "libqpid-proton", providers: [.apt(["libqpid-proton11-dev"])]),
    .systemLibrary(name: "CLibvirt", pkgConfig: "libvirt", providers: [.apt(["libvirt-dev"])]),
]

let libraries: [Target] = [
    .target(name: "PCloudModel", dependencies: [.product(name: "Yams", package: "Yams")]),
    .target(name: "PCloudController", dependencies: [
        "PCloudModel", "PCloudPolicy", "PCloudStore",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Yams", package: "Yams"),
    ], resources: [.copy("DashboardFiles")]),
    .target(name: "PCloudPolicy", dependencies: ["PCloudModel"]),
    .target(name: "PCloudStore", dependencies: [
        "PCloudModel", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Logging", package: "swift-log"),
    ]),
    .target(name: "PCloudSSH", dependencies: ["CLibssh2"]),
    .target(name: "PCloudMonitor", dependencies: ["PCloudModel", "PCloudSSH"]),
    .target(name: "PCloudAMQP", dependencies: ["CQpidProton"]),
    .target(name: "PCloudAgentMonitor", dependencies: ["PCloudModel", "PCloudAMQP"]),
    .target(name: "PCloudOpenStack", dependencies: [
        "PCloudModel",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Yams", package: "Yams"),
    ]),
    .target(name: "PCloudLibvirt", dependencies: ["CLibvirt", "PCloudModel"]),
]

let executables: [Target] = [
    .executableTarget(name: "cped", dependencies: [
        "PCloudController", "PCloudStore", "PCloudModel", "PCloudMonitor", "PCloudSSH", "PCloudAMQP", "PCloudAgentMonitor", "PCloudLibvirt", "PCloudOpenStack",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    ]),
    .executableTarget(name: "pcloud-agent", dependencies: ["PCloudAMQP", "PCloudModel"]),
    .executableTarget(name: "pcloudsh", dependencies: [
        "PCloudModel", "PCloudStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
    ]),
    .executableTarget(name: "pcloud-bench", dependencies: [
        "PCloudPolicy", "PCloudModel", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        "PCloudSSH", "PCloudMonitor", "PCloudTestSupport", "PCloudAMQP", "PCloudAgentMonitor",
    ]),
]

let tests: [Target] = [
    // Shared harness that starts real components (sshd, libvirtd, the broker, Nova) for tests.
    .target(name: "PCloudTestSupport", path: "Tests/PCloudTestSupport"),
    // In-memory Infrastructure and Monitor for in-process engine tests (no cped, no daemons).
    .target(name: "PCloudSimulation", dependencies: ["PCloudModel"], path: "Tests/PCloudSimulation"),
    .testTarget(name: "PCloudModelTests", dependencies: ["PCloudModel"], exclude: ["Corpus", "Fixtures"]),
    .testTarget(name: "PCloudControllerTests", dependencies: [
        "cped", "pcloudsh", "pcloud-agent", "PCloudController", "PCloudStore", "PCloudModel", "PCloudTestSupport",
        "PCloudSimulation", "PCloudPolicy",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
    ]),
    .testTarget(name: "PCloudSystemdTests", dependencies: ["cped", "pcloudsh", "PCloudTestSupport"]),
    .testTarget(name: "PCloudDemoTests", dependencies: ["cped", "pcloudsh", "PCloudStore", "PCloudTestSupport"]),
    .testTarget(name: "PCloudAMQPTests", dependencies: [
        "PCloudAMQP", "PCloudAgentMonitor", "PCloudModel", "pcloud-agent", "PCloudTestSupport",
    ]),
    .testTarget(name: "PCloudShellTests", dependencies: ["pcloudsh", "PCloudTestSupport"]),
    .testTarget(name: "PCloudPlacementComparisonTests", dependencies: ["PCloudPolicy", "PCloudModel", "PCloudTestSupport"]),
    .testTarget(name: "PCloudPolicyTests", dependencies: [
        "PCloudPolicy", "PCloudModel", .product(name: "PropertyBased", package: "swift-property-based"),
    ]),
    .testTarget(name: "PCloudStoreTests", dependencies: [
        "PCloudStore", "PCloudModel", "PCloudTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
    ]),
    .testTarget(name: "PCloudSSHTests", dependencies: ["PCloudSSH", "PCloudTestSupport"]),
    .testTarget(name: "PCloudMonitorTests", dependencies: ["PCloudMonitor", "PCloudSSH", "PCloudModel", "PCloudTestSupport"]),
    // One resource operation over both methods: ssh's rendering and the agent's argv, side by side.
    .testTarget(name: "PCloudInvocationTests", dependencies: [
        "PCloudModel", "PCloudMonitor", "PCloudAMQP", "PCloudAgentMonitor", "pcloud-agent", "PCloudTestSupport",
    ]),
    .testTarget(name: "PCloudOpenStackTests", dependencies: [
        "PCloudOpenStack", "PCloudModel", "PCloudTestSupport",
        .product(name: "NIOHTTP1", package: "swift-nio"),
    ]),
    .testTarget(name: "PCloudLibvirtTests", dependencies: ["PCloudLibvirt", "PCloudModel", "PCloudTestSupport", "pcloudsh"]),
]

let package = Package(
    name: "pcloud",
    products: [
        .executable(name: "pcloudsh", targets: ["pcloudsh"]),
        .executable(name: "cped", targets: ["cped"]),
        .executable(name: "pcloud-agent", targets: ["pcloud-agent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.25.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    ],
    targets: systemLibraries + libraries + executables + tests,
    swiftLanguageModes: [.v6]
)
