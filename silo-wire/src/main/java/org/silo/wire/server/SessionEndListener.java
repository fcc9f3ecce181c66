package org.silo.wire.server;

/**
 * Told when a session is over: seed 002's ACTION_NETWORK_END, the "phoney packet from the server's driver
 * to the server to let it know that a session has been terminated". A service that keeps work on behalf
 * of a session (the library manager's queued transfers) lets it go here.
 *
 * <pre>{@code
 * dispatcher.onSessionEnd((session, expired) -> queue.cancelFor(session.id(), expired ? "expired" : "ended"));
 * }</pre>
 *
 * <p>Called once per session, on a worker thread (it may block). For END it runs before END is answered,
 * so a client that waits for that answer knows its session's work is let go; for an expired session, soon
 * after the expiry.
 */
@FunctionalInterface
public interface SessionEndListener {
    /**
     * @param expired true if the session ended because the client was silent for longer than
     *                {@code wire.session-idle}; false if the client sent END
     */
    void ended(Session session, boolean expired);
}
