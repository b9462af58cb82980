import Testing

@testable import PCloudSSH

@Suite struct ShellQuoteTests {
    @Test func safeWordsStayBare() {
        #expect(ShellQuote.quote("/usr/lib/ocf/resource.d/heartbeat/Dummy") == "/usr/lib/ocf/resource.d/heartbeat/Dummy")
        #expect(ShellQuote.quote("OCF_RESKEY_ip=10.0.0.1") == "OCF_RESKEY_ip=10.0.0.1")
    }

    @Test func spacesDollarsAndQuotesAreSingleQuoted() {
        #expect(ShellQuote.quote("a b") == "'a b'")
        #expect(ShellQuote.quote("$HOME") == "'$HOME'")
        #expect(ShellQuote.quote("it's") == "'it'\\''s'")
        #expect(ShellQuote.quote("") == "''")
    }

    @Test func commandQuotesEveryWord() {
        #expect(ShellQuote.command(["printf", "%s", "x y", "`id`"]) == "printf %s 'x y' '`id`'")
    }

    @Test func hostKeyTextDropsTheComment() {
        let key = HostKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake root@guest")
        #expect(key?.description == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake")
        #expect(HostKey("garbage") == nil)
    }

    @Test func hostKeyBlobNamesItsTypeAndEncodesAsOpenSSHDoes() {
        // The wire blob: string "ssh-ed25519" then a 32-byte key (here all zero bytes).
        let name = Array("ssh-ed25519".utf8)
        let blob: [UInt8] = [0, 0, 0, UInt8(name.count)] + name + [0, 0, 0, 32] + [UInt8](repeating: 0, count: 32)
        let key = HostKey(blob: blob)
        #expect(key?.type == "ssh-ed25519")
        #expect(key?.base64 == "AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    }

    @Test func libssh2InitialisesAndCreatesASession() throws {
        try LibSSH2.ensureInitialised()
        #expect(LibSSH2.version.hasPrefix("1."))
        // A session handle owns a socket and a libssh2 session; teardown frees both.
        let handle = try SSHSessionHandle(host: "127.0.0.1", port: 9)
        #expect(handle.fd >= 0)
        handle.teardown()
    }
}
