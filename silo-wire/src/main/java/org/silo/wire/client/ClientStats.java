package org.silo.wire.client;

/** What a client counted; written on its event loop, read anywhere (values may lag by a call). */
public final class ClientStats {
    volatile long calls;
    volatile long retransmissions;
    volatile long timeouts;
    volatile long waits;
    volatile long droppedReplies;

    public long calls() {
        return calls;
    }

    public long retransmissions() {
        return retransmissions;
    }

    public long timeouts() {
        return timeouts;
    }

    /** WAIT answers received: the server was still running the request. */
    public long waits() {
        return waits;
    }

    /** Replies for unknown or already answered request ids, dropped. */
    public long droppedReplies() {
        return droppedReplies;
    }
}
