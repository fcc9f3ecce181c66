package org.silo.wire.server;

import java.net.InetAddress;

/**
 * A session of seed 002: started with START, named with SNAME, kept with NIL, ended with END or by
 * expiry. Bound to the address that proved itself at START: a frame from elsewhere gets DISOLVE.
 */
public final class Session {
    private final long id;
    private final InetAddress address;
    private final long startedNanos;
    private volatile long lastSeenNanos;
    private volatile String serverName = "";

    Session(long id, InetAddress address, long nowNanos) {
        this.id = id;
        this.address = address;
        this.startedNanos = nowNanos;
        this.lastSeenNanos = nowNanos;
    }

    public long id() {
        return id;
    }

    public InetAddress address() {
        return address;
    }

    public long startedNanos() {
        return startedNanos;
    }

    public long lastSeenNanos() {
        return lastSeenNanos;
    }

    void touch(long nowNanos) {
        lastSeenNanos = nowNanos;
    }

    /** The name the client calls this server by (SNAME). */
    public String serverName() {
        return serverName;
    }

    void serverName(String name) {
        serverName = name;
    }

    @Override
    public String toString() {
        return String.format("session %016x from %s", id, address.getHostAddress());
    }
}
