package org.silo.wire;

/**
 * INVALID: An argument is wrong in itself: a bad name, size, state or combination; the same call will fail
 * again.
 *
 * <p>One of the typed {@link SiloException}s: callers that act on this outcome catch it by type
 * (docs/protocol.md, "Error codes"). {@link SiloException#of} makes it from its code, so a failure
 * that crossed the wire arrives as this type too.
 */
public final class InvalidException extends SiloException {
    private static final long serialVersionUID = 1L;

    public InvalidException(String message) {
        super(ErrorCode.INVALID, message);
    }

    public InvalidException(String message, Throwable cause) {
        super(ErrorCode.INVALID, message, cause);
    }
}
