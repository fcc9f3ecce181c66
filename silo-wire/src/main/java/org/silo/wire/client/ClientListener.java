package org.silo.wire.client;

/**
 * Told when the server is slow to answer, so a person can tell a slow server from slow work (seed 002:
 * "used to trigger a 'net: hd light'"). Called on the client's I/O thread: keep it quick.
 */
@FunctionalInterface
public interface ClientListener {

    /**
     * The oldest call in flight has waited {@code waitedMillis}, and the server has said nothing about it
     * for longer than a server that has it would (docs/protocol.md §7); the client keeps trying.
     *
     * @param retransmissions how many times that call has been sent again so far
     */
    void waiting(String server, long waitedMillis, int retransmissions);

    /**
     * The oldest call in flight has taken {@code waitedMillis} so far, and the server keeps saying WAIT
     * for it: it has the call and is working on it (staging a file, archiving one on close).
     */
    default void working(String server, long waitedMillis) {}

    /**
     * The client stopped waiting for {@code from} (no answer within the timeout, docs/protocol.md §7) and
     * has a session with {@code to}, where its calls in flight are sent again with the same request ids.
     */
    default void moved(String from, String to) {}

    ClientListener NONE = (server, waited, retransmissions) -> {};
}
