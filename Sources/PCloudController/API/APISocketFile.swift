import Foundation

/// The API's unix socket file: only ever a socket is removed from its path, never what an operator
/// pointed `--socket` at by mistake (a directory, a regular file, a symbolic link).
extension APIServer {
    /// Before binding: removes a stale socket left by a previous run; refuses when another cped
    /// still answers on it, or when something other than a socket is at `path`.
    public static func prepareSocket(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        guard let kind = SocketPathKind(path) else { return }
        guard kind == .socket else {
            throw ConfigurationError(
                "socket \(path): there is \(kind.described) at that path; cped removes only a stale socket there. Move it away or choose another --socket"
            )
        }
        if UnixSocketProbe.isListening(path) {
            throw ConfigurationError("another cped is already listening on \(path)")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw ConfigurationError("socket \(path): cannot remove the stale socket: \(String(cString: strerror(errno)))")
        }
    }

    /// At shutdown: removes the socket, and nothing else that may have replaced it.
    public static func removeSocket(_ path: String) {
        if SocketPathKind(path) == .socket { unlink(path) }
    }
}

/// What is at a path, without following a symbolic link; nil when nothing is.
enum SocketPathKind: Equatable {
    case socket, directory, regularFile, symbolicLink, other

    init?(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFSOCK: self = .socket
        case S_IFDIR: self = .directory
        case S_IFREG: self = .regularFile
        case S_IFLNK: self = .symbolicLink
        default: self = .other
        }
    }

    var described: String {
        switch self {
        case .socket: "a socket"
        case .directory: "a directory"
        case .regularFile: "a regular file"
        case .symbolicLink: "a symbolic link"
        case .other: "a device or pipe"
        }
    }
}

/// Whether something accepts connections on a unix socket.
enum UnixSocketProbe {
    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }
}
