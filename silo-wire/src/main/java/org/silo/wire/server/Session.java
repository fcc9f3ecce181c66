package org.silo.wire.server;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.ScramServer;

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
    private volatile Grants grants = Grants.NONE;
    private volatile String user = "";
    private volatile byte[] macKey;
    private volatile long clientId;
    private long highestRequestId = Long.MIN_VALUE;
    private final AtomicBoolean ending = new AtomicBoolean();
    /** The SCRAM exchange between LOGIN and PASSWD, and the list it is for. */
    ScramServer pendingScram;

    Authenticator.AccessList pendingList;

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

    /**
     * The id the client incarnation gave in START (0: none), the same in its sessions on every server: a
     * service keys what it records of a call across servers by it and the request id (docs/protocol.md §4).
     */
    public long clientId() {
        return clientId;
    }

    void clientId(long id) {
        clientId = id;
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

    public Grants grants() {
        return grants;
    }

    void grants(Grants g) {
        grants = g;
    }

    /** The access list this session logged in to; empty while anonymous. */
    public String user() {
        return user;
    }

    void loggedIn(String list, Grants g, byte[] key) {
        user = list;
        grants = g;
        macKey = key;
    }

    /** The key every frame of this session is tagged with; null until a password login. */
    byte[] macKey() {
        return macKey;
    }

    /**
     * The replay window: a request id far below the highest seen is refused. Returns false for such an id.
     * Synchronized: requests of one session may arrive on several I/O threads (UDP and TCP).
     */
    synchronized boolean withinReplayWindow(long requestId, long window) {
        if (highestRequestId != Long.MIN_VALUE && requestId < highestRequestId - window) {
            return false;
        }
        highestRequestId = Math.max(highestRequestId, requestId);
        return true;
    }

    /** True the first time only: the session-end listeners are told once, whether by END or by expiry. */
    boolean markEnding() {
        return ending.compareAndSet(false, true);
    }

    /**
     * The owner of what this session makes (archive files and directories, by put, file cp or mkdir
     * alike): the access list it logged in to, or {@code anonymous@ADDRESS}. Never a name the client
     * only claims, which an anonymous client could set to anyone's (docs/security.md, "Owners").
     */
    public String owner() {
        return user.isEmpty() ? "anonymous@" + address.getHostAddress() : user;
    }

    public String who() {
        return (user.isEmpty() ? "anonymous" : user) + " from " + address.getHostAddress();
    }

    @Override
    public String toString() {
        return String.format("session %016x from %s", id, address.getHostAddress());
    }
}
