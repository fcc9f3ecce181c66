package org.silo.wire;

/**
 * DISOLVE: The server does not know the session the call named (seed 002's ACTION_NETWORK_DISOLVE: never
 * started, ended, expired or bound to another address); the call was not run, and a client starts a new
 * session and sends it once more.
 *
 * <p>One of the typed {@link SiloException}s: callers that act on this outcome catch it by type
 * (docs/protocol.md, "Error codes"). {@link SiloException#of} makes it from its code, so a failure
 * that crossed the wire arrives as this type too.
 */
public final class SessionGoneException extends SiloException {
    private static final long serialVersionUID = 1L;

    public SessionGoneException(String message) {
        super(ErrorCode.DISOLVE, message);
    }

    public SessionGoneException(String message, Throwable cause) {
        super(ErrorCode.DISOLVE, message, cause);
    }
}
