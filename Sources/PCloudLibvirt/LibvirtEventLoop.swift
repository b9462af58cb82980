import CLibvirt
import Foundation

/// libvirt's default event loop (virEventRegisterDefaultImpl) run on its own thread, started once
/// per process before the first connection opens. Lifecycle and close callbacks of every
/// connection are delivered on this thread; they only hand events on, never call back into libvirt.
enum LibvirtEventLoop {
    private static let started: Bool = {
        // libvirt prints every error to stderr unless a handler is set; pcloud reports them itself.
        virSetErrorFunc(nil, { _, _ in })
        guard virEventRegisterDefaultImpl() == 0 else { return false }
        let thread = Thread {
            while virEventRunDefaultImpl() == 0 {}
        }
        thread.name = "libvirt events"
        thread.start()
        return true
    }()

    /// Starts the loop if it is not running yet; false when libvirt refused to register it.
    @discardableResult
    static func start() -> Bool { started }
}
