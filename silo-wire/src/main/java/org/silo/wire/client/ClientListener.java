package org.silo.wire.client;

/**
 * Told when the server is slow to answer, so a person can tell a slow server from slow work (seed 002:
 * "used to trigger a 'net: hd light'"). Called on the client's I/O thread: keep it quick.
 */
@FunctionalInterface
public interface ClientListener {

    /**
     * The oldest call in flight has had no answer for {@code waitedMillis}; the client keeps trying.
     *
     * @param retransmissions how many times that call has been sent again so far
     */
    void waiting(String server, long waitedMillis, int retransmissions);

    ClientListener NONE = (server, waited, retransmissions) -> {};
}
