package org.silo.wire;

/**
 * TIMEDOUT: No answer came in time: the client gave up after its retransmissions, or the server's own wait
 * ended.
 *
 * <p>One of the typed {@link SiloException}s: callers that act on this outcome catch it by type
 * (docs/protocol.md, "Error codes"). {@link SiloException#of} makes it from its code, so a failure
 * that crossed the wire arrives as this type too.
 */
public final class TimedOutException extends SiloException {
    private static final long serialVersionUID = 1L;

    public TimedOutException(String message) {
        super(ErrorCode.TIMEDOUT, message);
    }

    public TimedOutException(String message, Throwable cause) {
        super(ErrorCode.TIMEDOUT, message, cause);
    }
}
