package org.silo.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notification a Type=notify unit waits for, received on a real AF_UNIX datagram socket bound
 * the way systemd binds $NOTIFY_SOCKET: at a path, and in the abstract namespace.
 */
class SystemdNotifyTest {
    /** The receiving side's libc calls. */
    interface Receiver extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

        long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final Receiver LIBC = Native.load("c", Receiver.class);
    private static final int MSG_DONTWAIT = 0x40;

    /** Binds {@code socket}, sends {@code state} to it, and returns what arrived. */
    private static String sentThrough(String socket, String state) throws IOException {
        int fd = LIBC.socket(SystemdNotify.AF_UNIX, SystemdNotify.SOCK_DGRAM, 0);
        try {
            byte[] addr = SystemdNotify.sockaddr(socket);
            LIBC.bind(fd, addr, addr.length);
            assertThat(SystemdNotify.notify(socket, state)).isTrue();
            byte[] buf = new byte[4096];
            // a datagram on a local socket is queued by the time sendto returns: no waiting needed
            long n = LIBC.recv(fd, buf, buf.length, MSG_DONTWAIT);
            return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
        } finally {
            LIBC.close(fd);
        }
    }

    @Test
    void readyArrivesAtAPathSocket(@TempDir Path dir) throws IOException {
        assertThat(sentThrough(dir.resolve("notify").toString(), "READY=1\nSTATUS=serving"))
                .isEqualTo("READY=1\nSTATUS=serving");
    }

    @Test
    void readyArrivesAtAnAbstractSocket() throws IOException {
        assertThat(sentThrough("@silo-test-" + UUID.randomUUID(), "READY=1")).isEqualTo("READY=1");
    }

    @Test
    void withoutNotifySocketNothingIsSent() throws IOException {
        assertThat(SystemdNotify.notify(null, "READY=1")).isFalse();
        assertThat(SystemdNotify.notify("", "READY=1")).isFalse();
    }

    @Test
    void aSocketNobodyListensOnIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> SystemdNotify.notify(dir.resolve("nobody").toString(), "READY=1"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("NOTIFY_SOCKET");
    }

    @Test
    void addressesSystemdDoesNotUseHereAreRefused() {
        assertThatThrownBy(() -> SystemdNotify.sockaddr("vsock:2:1234"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("neither a path nor an abstract name");
        assertThatThrownBy(() -> SystemdNotify.sockaddr("/" + "x".repeat(200)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("longer than");
    }
}
