package org.silo.server;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Tells systemd how the server is doing when it runs as a {@code Type=notify} service (sd_notify(3)):
 * {@code READY=1} once every port is bound and the catalog is open, {@code STOPPING=1} when it starts
 * to shut down (docs/operations.md, "The unit"). systemd names an AF_UNIX datagram socket in
 * {@code $NOTIFY_SOCKET} (a path, or {@code @name} in the abstract namespace). Java's own UNIX-domain
 * channels are stream sockets only, so the datagram goes through libc by JNA, as the image store's
 * {@code LinuxFiles} does. Without {@code $NOTIFY_SOCKET} (not started by systemd) nothing is sent.
 */
public final class SystemdNotify {
    static final short AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    /** sizeof(sockaddr_un.sun_path) on Linux, unix(7). */
    static final int SUN_PATH = 108;

    /** The libc calls, mapped by JNA. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private SystemdNotify() {}

    /** Sends {@code state} to {@code $NOTIFY_SOCKET}; false when there is none (not run by systemd). */
    public static boolean notify(String state) throws IOException {
        return notify(System.getenv("NOTIFY_SOCKET"), state);
    }

    static boolean notify(String socket, String state) throws IOException {
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        byte[] addr = sockaddr(socket);
        byte[] msg = state.getBytes(StandardCharsets.UTF_8);
        LibC libc;
        try {
            libc = Native.load("c", LibC.class);
        } catch (Throwable e) {
            throw new IOException("cannot reach libc through JNA to notify systemd: " + e, e);
        }
        try {
            int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            try {
                libc.sendto(fd, msg, msg.length, 0, addr, addr.length);
            } finally {
                libc.close(fd);
            }
        } catch (LastErrorException e) {
            throw new IOException(
                    "cannot send " + state.replace('\n', ' ') + " to NOTIFY_SOCKET " + socket + ": errno "
                            + e.getErrorCode(),
                    e);
        }
        return true;
    }

    /**
     * struct sockaddr_un for {@code socket}: the family in host order, then the path with its NUL; an
     * abstract name ({@code @name}) starts with a NUL instead and its length counts only its bytes (unix(7)).
     */
    static byte[] sockaddr(String socket) throws IOException {
        if (!socket.startsWith("/") && !socket.startsWith("@")) {
            throw new IOException("NOTIFY_SOCKET " + socket + " is neither a path nor an abstract name (@name)");
        }
        byte[] name = socket.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name[0] == '@';
        if (abstractName) {
            name[0] = 0;
        }
        int pathBytes = name.length + (abstractName ? 0 : 1);
        if (pathBytes > SUN_PATH) {
            throw new IOException(
                    "NOTIFY_SOCKET " + socket + " is longer than a socket address holds (" + SUN_PATH + " bytes)");
        }
        ByteBuffer b = ByteBuffer.allocate(2 + pathBytes).order(ByteOrder.nativeOrder());
        b.putShort(AF_UNIX).put(name);
        return b.array();
    }
}
