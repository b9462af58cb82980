/// Reads an assembly (one guest) from YAML.
///
/// ```yaml
/// name: web
/// image: debian12
/// memory: 256          # MiB
/// vcpus: 1
/// address: 10.0.0.2    # static infrastructure, or a fixed address pcloud assigns
/// ssh: {user: root, port: 22, host-key: "ssh-ed25519 AAAA..."}
/// agent: {heartbeat: 1s, missed-heartbeats: 3}
/// escalation: {failures: 3, period: 10m}
/// resources: [...]
/// uuid: 9b1d0c4e-8f2a-4c1d-9e3b-7a6f5c4d3e2a   # kept from the original's XML; optional
/// ```
struct AssemblyDecoding {
    static let keys = [
        "name", "image", "memory", "vcpus", "address", "ssh", "agent", "escalation", "resources",
        "description", "uuid",
    ]
    let resources: ResourceDecoding

    func decode(_ field: YAMLField, sites: DefinitionSites) -> Assembly? {
        guard let map = field.mapping(keys: Self.keys) else { return nil }
        let name = map.required("name")?.name()
        var assembly = Assembly(name: name ?? "")
        assembly.image = map.optional("image")?.name()
        if let uuidField = map.optional("uuid"), let text = uuidField.string() {
            if let uuid = OriginalUUID.parse(text) {
                assembly.uuid = uuid
            } else {
                uuidField.error("'\(NameRule.shown(text))' is not a UUID (like 0f8fad5b-d9cb-469f-a165-70867728950e)")
            }
        }
        if let memory = map.optional("memory")?.int(in: 32...1_048_576) { assembly.memoryMiB = memory }
        if let vcpus = map.optional("vcpus")?.int(in: 1...256) { assembly.vcpus = vcpus }
        if let address = map.optional("address"), let text = address.string() {
            if AddressText.isValid(text) {
                assembly.address = text
            } else {
                address.error("'\(text)' is not an IPv4 or IPv6 address or a host name")
            }
        }
        if let ssh = map.optional("ssh"), let sshMap = ssh.mapping(keys: ["user", "port", "host-key"]) {
            if let user = sshMap.optional("user")?.name() { assembly.ssh.user = user }
            if let port = sshMap.optional("port")?.int(in: 1...65535) { assembly.ssh.port = port }
            if let key = sshMap.optional("host-key"), let text = key.string() {
                if HostKeyText.isValid(text) {
                    assembly.ssh.hostKey = text
                } else {
                    key.error("expected an OpenSSH public key line ('ssh-ed25519 AAAA...') or a SHA256: fingerprint")
                }
            }
        }
        if let agent = map.optional("agent"), let agentMap = agent.mapping(keys: ["heartbeat", "missed-heartbeats"]) {
            if let heartbeat = agentMap.optional("heartbeat")?.positiveDuration() { assembly.agent.heartbeat = heartbeat }
            if let missed = agentMap.optional("missed-heartbeats")?.int(in: 1...100) { assembly.agent.missedHeartbeats = missed }
        }
        if let escalation = map.optional("escalation") { assembly.escalation = EscalationDecoding.decode(escalation) }
        if let list = map.optional("resources")?.sequence() {
            var seen: [String: SourceLocation] = [:]
            for item in list {
                guard let resource = resources.decode(item, sites: sites) else { continue }
                if let first = seen[resource.name] {
                    item.error(
                        "resource '\(resource.name)' is defined twice in assembly '\(assembly.name)' (first at line \(first.line))"
                    )
                    continue
                }
                seen[resource.name] = item.location
                assembly.resources.append(resource)
            }
        }
        return name == nil ? nil : assembly
    }
}

/// Addresses as written in definitions.
enum AddressText {
    static func isValid(_ text: String) -> Bool {
        if text.isEmpty || text.count > 253 { return false }
        if text.contains(":") { return text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// Pinned ssh host keys: an OpenSSH public key line or a `SHA256:` fingerprint.
enum HostKeyText {
    static let keyTypes = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]

    static func isValid(_ text: String) -> Bool {
        if text.hasPrefix("SHA256:") { return text.count > 10 }
        let parts = text.split(separator: " ")
        guard parts.count >= 2, keyTypes.contains(String(parts[0])) else { return false }
        return parts[1].allSatisfy { $0.isLetter || $0.isNumber || "+/=".contains($0) }
    }
}
