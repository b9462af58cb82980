import Foundation
import PCloudModel
import PCloudTestSupport
import Testing

@testable import PCloudLibvirt

/// Real libvirtd, real QEMU (TCG): the tiny kernel + busybox guest from scripts/build-tiny-guest.sh.
@Suite(.serialized, .enabled(if: LibvirtDaemon.missing == nil, "\(LibvirtDaemon.missing ?? "")"))
struct QEMUGuestTests {
    /// Starts the guest and waits until its console says the initramfs is running.
    func boot(_ driver: LibvirtInfrastructure, _ spec: GuestSpec) async throws -> (GuestInfo, Duration) {
        let clock = ContinuousClock()
        let begin = clock.now
        let info = try await driver.start(spec)
        let log = "\(driver.configuration.guestDirectory)/\(DomainDefinition.domainName(of: spec.name))/console.log"
        let up = await eventually(timeout: .seconds(120)) {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("pcloud-tiny-guest up")
        }
        #expect(up, "the guest's console never said it was up: \(log)")
        return (info, clock.now - begin)
    }

    func qemuPID(_ spec: GuestSpec) throws -> pid_t {
        let file = "/var/run/libvirt/qemu/\(DomainDefinition.domainName(of: spec.name)).pid"
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(pid_t(text))
    }

    @Test func killingTheQEMUProcessIsReportedAsACrashAndFenceConfirmsItOff() async throws {
        try await LibvirtDaemon.using {
            let driver = LibvirtInfrastructure(configuration: TinyGuest.qemu())
            let spec = TinyGuest.spec(uniqueName("kill"), "web")
            let (info, bootTime) = try await boot(driver, spec)
            #expect(info.power == .running)
            print("measured: tiny guest start to console 'up' under TCG: \(bootTime)")

            let events = driver.events()
            let pid = try qemuPID(spec)
            let killed = ContinuousClock.now
            kill(pid, SIGKILL)
            let event = await firstEvent(in: events, timeout: .seconds(30)) { $0.name == spec.name && $0.power != .running }
            let latency = ContinuousClock.now - killed
            #expect(event?.power == .crashed, "no crash event after kill -9 (got \(String(describing: event)))")
            print("measured: lifecycle event after kill -9 of qemu: \(latency) (\(event?.reason ?? "none"))")

            try await driver.fence(spec.name)
            let state = try await driver.connection.state(of: DomainDefinition.domainName(of: spec.name))
            #expect(state?.isOff == true)
            #expect(kill(pid, 0) != 0, "the killed qemu process is still there")

            let again = try await driver.start(spec)
            #expect(again.power == .running)
            try await driver.remove(spec.name)
        }
    }

    @Test func fenceDestroysARunningGuestAndReturnsOnlyOnceItIsOff() async throws {
        try await LibvirtDaemon.using {
            let driver = LibvirtInfrastructure(configuration: TinyGuest.qemu())
            let spec = TinyGuest.spec(uniqueName("fence"), "db")
            _ = try await boot(driver, spec)
            let pid = try qemuPID(spec)
            let events = driver.events()
            try await driver.fence(spec.name)
            #expect(try await driver.connection.state(of: DomainDefinition.domainName(of: spec.name)) == .shutOff)
            #expect(kill(pid, 0) != 0, "qemu still runs after fence returned")
            let event = await firstEvent(in: events, timeout: .seconds(10)) { $0.name == spec.name }
            #expect(event?.reason == "destroyed")
            try await driver.remove(spec.name)
        }
    }

    @Test func stopForcesOffAGuestThatIgnoresShutdownOnceGraceHasPassed() async throws {
        try await LibvirtDaemon.using {
            let driver = LibvirtInfrastructure(configuration: TinyGuest.qemu())
            let spec = TinyGuest.spec(uniqueName("stop"), "web")
            _ = try await boot(driver, spec)
            // busybox init ignores ACPI power button: the grace runs out and stop destroys it.
            try await driver.stop(spec.name, grace: .seconds(2))
            #expect(try await driver.connection.state(of: DomainDefinition.domainName(of: spec.name))?.isOff == true)
            try await driver.remove(spec.name)
            #expect(try await driver.connection.state(of: DomainDefinition.domainName(of: spec.name)) == nil)
            #expect(
                !FileManager.default.fileExists(
                    atPath: "\(driver.configuration.guestDirectory)/\(DomainDefinition.domainName(of: spec.name))"))
        }
    }

    @Test func aNewConnectionAdoptsTheRunningGuest() async throws {
        try await LibvirtDaemon.using {
            let configuration = TinyGuest.qemu()
            let first = LibvirtInfrastructure(configuration: configuration)
            let spec = TinyGuest.spec(uniqueName("adopt"), "web")
            let (info, _) = try await boot(first, spec)
            await first.connection.close()

            let second = LibvirtInfrastructure(configuration: configuration)
            let adopted = try await second.guests(of: spec.name.deployable)
            #expect(adopted.map(\.name) == [spec.name])
            #expect(adopted.first?.id == info.id)
            #expect(adopted.first?.power == .running)
            // Starting the adopted guest again leaves the running one alone (no second copy).
            let pid = try qemuPID(spec)
            _ = try await second.start(spec)
            #expect(try qemuPID(spec) == pid)
            try await second.remove(spec.name)
        }
    }

    @Test func restartingLibvirtdKeepsTheGuestsAndTheirEvents() async throws {
        try await LibvirtDaemon.using {
            guard await LibvirtDaemon.shared.ownsLibvirtd else {
                print("skipped: libvirtd was already running here and is not the tests' to restart")
                return
            }
            let driver = LibvirtInfrastructure(configuration: TinyGuest.qemu())
            let spec = TinyGuest.spec(uniqueName("restart"), "web")
            let (info, _) = try await boot(driver, spec)
            let pid = try qemuPID(spec)
            let events = driver.events()

            try await LibvirtDaemon.shared.restartLibvirtd()
            let reconnected = await eventually(timeout: .seconds(30)) { await driver.connection.isOpen }
            #expect(reconnected, "the driver did not reconnect to the new libvirtd")
            #expect(kill(pid, 0) == 0, "the guest's qemu did not survive the libvirtd restart")
            let adopted = try await driver.guests(of: spec.name.deployable)
            #expect(adopted.first?.id == info.id)
            #expect(adopted.first?.power == .running)

            // Events still arrive on the same stream after the reconnect.
            kill(pid, SIGKILL)
            let event = await firstEvent(in: events, timeout: .seconds(30)) { $0.name == spec.name && $0.power != .running }
            #expect(event?.power == .crashed)
            try await driver.remove(spec.name)
        }
    }
}
