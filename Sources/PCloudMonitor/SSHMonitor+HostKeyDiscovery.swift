import PCloudModel

/// The engine records the host key a guest first presents when none was pinned at build time.
extension SSHMonitor: HostKeyDiscovery {}
