import CLibvirt
import Glibc

/// The state libvirt reports for a domain (virDomainState).
public enum DomainState: String, Sendable, Hashable {
    case running, blocked, paused, shuttingDown, shutOff, crashed, suspended, unknown

    init(_ raw: Int32) {
        switch UInt32(bitPattern: raw) {
        case VIR_DOMAIN_RUNNING.rawValue: self = .running
        case VIR_DOMAIN_BLOCKED.rawValue: self = .blocked
        case VIR_DOMAIN_PAUSED.rawValue: self = .paused
        case VIR_DOMAIN_SHUTDOWN.rawValue: self = .shuttingDown
        case VIR_DOMAIN_SHUTOFF.rawValue: self = .shutOff
        case VIR_DOMAIN_CRASHED.rawValue: self = .crashed
        case VIR_DOMAIN_PMSUSPENDED.rawValue: self = .suspended
        default: self = .unknown
        }
    }

    /// True when the guest is not executing at all (nothing to fence).
    public var isOff: Bool { self == .shutOff || self == .crashed }
}

/// Owns one virDomainPtr; freed on deinit. Not Sendable: it lives and dies inside one
/// `LibvirtConnection` method, on that connection's thread, and the pointer never leaves it.
final class LibvirtDomain {
    private let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { virDomainFree(pointer) }

    var name: String { virDomainGetName(pointer).map { String(cString: $0) } ?? "" }

    func uuid() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
        guard virDomainGetUUIDString(pointer, &buffer) == 0 else { throw LibvirtError.last("uuid of \(name)") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func state() throws -> DomainState {
        var state: Int32 = 0
        var reason: Int32 = 0
        guard virDomainGetState(pointer, &state, &reason, 0) == 0 else { throw LibvirtError.last("state of \(name)") }
        return DomainState(state)
    }

    func create() throws { try check(virDomainCreate(pointer), "start") }
    func destroy() throws { try check(virDomainDestroy(pointer), "destroy") }
    func shutdown() throws { try check(virDomainShutdown(pointer), "shut down") }
    func undefine() throws { try check(virDomainUndefine(pointer), "undefine") }

    /// The XML text of our metadata element in namespace `uri`, or nil when the domain has none.
    func metadata(namespace uri: String) throws -> String? {
        let type = Int32(VIR_DOMAIN_METADATA_ELEMENT.rawValue)
        guard let text = virDomainGetMetadata(pointer, type, uri, 0) else {
            let error = LibvirtError.last("metadata of \(name)")
            if error.isNoMetadata { return nil }
            throw error
        }
        defer { free(text) }
        return String(cString: text)
    }

    func xmlDescription() throws -> String {
        guard let text = virDomainGetXMLDesc(pointer, 0) else { throw LibvirtError.last("XML of \(name)") }
        defer { free(text) }
        return String(cString: text)
    }

    /// IPv4 addresses libvirt knows for the domain's interfaces from its network's DHCP leases.
    func leaseAddresses() throws -> [String] {
        var interfaces: UnsafeMutablePointer<virDomainInterfacePtr?>?
        let source = UInt32(VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE.rawValue)
        let count = virDomainInterfaceAddresses(pointer, &interfaces, source, 0)
        guard count >= 0, let interfaces else { throw LibvirtError.last("addresses of \(name)") }
        defer {
            for index in 0..<Int(count) { virDomainInterfaceFree(interfaces[index]) }
            free(interfaces)
        }
        var result: [String] = []
        for index in 0..<Int(count) {
            guard let interface = interfaces[index]?.pointee else { continue }
            for slot in 0..<Int(interface.naddrs) {
                let address = interface.addrs[slot]
                if address.type == Int32(VIR_IP_ADDR_TYPE_IPV4.rawValue), let text = address.addr {
                    result.append(String(cString: text))
                }
            }
        }
        return result
    }

    private func check(_ status: Int32, _ operation: String) throws {
        if status < 0 { throw LibvirtError.last("\(operation) \(name)") }
    }
}
