/// A Nova server as GET /servers/{id} (microversion 2.79) shows it: what pcloud needs of it.
public struct NovaServer: Sendable, Hashable, Decodable {
    public struct Address: Sendable, Hashable, Decodable {
        public var addr: String
        public var version: Int
        public var type: String?

        enum CodingKeys: String, CodingKey {
            case addr, version
            case type = "OS-EXT-IPS:type"
        }
    }

    public struct Fault: Sendable, Hashable, Decodable {
        public var code: Int?
        public var message: String
    }

    public var id: String
    public var name: String
    /// ACTIVE, BUILD, SHUTOFF, REBOOT, HARD_REBOOT, REBUILD, ERROR, DELETED, ...
    public var status: String
    public var taskState: String?
    public var metadata: [String: String]
    public var addresses: [String: [Address]]
    public var fault: Fault?

    enum CodingKeys: String, CodingKey {
        case id, name, status, metadata, addresses, fault
        case taskState = "OS-EXT-STS:task_state"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        status = try container.decode(String.self, forKey: .status)
        taskState = try container.decodeIfPresent(String.self, forKey: .taskState)
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
        addresses = try container.decodeIfPresent([String: [Address]].self, forKey: .addresses) ?? [:]
        fault = try container.decodeIfPresent(Fault.self, forKey: .fault)
    }

    /// The address to reach the guest at: a floating IPv4, else a fixed IPv4, else any
    /// (networks in name order, so the choice is stable).
    public var preferredAddress: String? {
        let all = addresses.keys.sorted().flatMap { addresses[$0] ?? [] }
        return all.first { $0.version == 4 && $0.type == "floating" }?.addr
            ?? all.first { $0.version == 4 }?.addr ?? all.first?.addr
    }

    /// Settled: no task (build, reboot, power change) is running on it.
    public var isSettled: Bool { taskState == nil }
}

/// What POST /servers needs.
public struct NovaServerRequest: Sendable, Hashable {
    public var name: String
    public var imageRef: String
    public var flavorRef: String
    /// Network UUIDs; empty = `auto` (Nova allocates one if the cloud allows).
    public var networks: [String]
    public var keyName: String?
    /// Cloud-init or another user-data document (sent base64-encoded).
    public var userData: String?
    public var metadata: [String: String]

    public init(
        name: String, imageRef: String, flavorRef: String, networks: [String] = [], keyName: String? = nil,
        userData: String? = nil, metadata: [String: String] = [:]
    ) {
        self.name = name
        self.imageRef = imageRef
        self.flavorRef = flavorRef
        self.networks = networks
        self.keyName = keyName
        self.userData = userData
        self.metadata = metadata
    }
}
