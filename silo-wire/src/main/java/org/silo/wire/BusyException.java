package org.silo.wire;

/**
 * BUSY: The object is in use (an image open elsewhere, a volume being written); the same call may succeed
 * later.
 *
 * <p>One of the typed {@link SiloException}s: callers that act on this outcome catch it by type
 * (docs/protocol.md, "Error codes"). {@link SiloException#of} makes it from its code, so a failure
 * that crossed the wire arrives as this type too.
 */
public final class BusyException extends SiloException {
    private static final long serialVersionUID = 1L;

    public BusyException(String message) {
        super(ErrorCode.BUSY, message);
    }

    public BusyException(String message, Throwable cause) {
        super(ErrorCode.BUSY, message, cause);
    }
}
