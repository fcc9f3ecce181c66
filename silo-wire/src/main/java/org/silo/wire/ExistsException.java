package org.silo.wire;

/**
 * EXISTS: The object to be made already exists.
 *
 * <p>One of the typed {@link SiloException}s: callers that act on this outcome catch it by type
 * (docs/protocol.md, "Error codes"). {@link SiloException#of} makes it from its code, so a failure
 * that crossed the wire arrives as this type too.
 */
public class ExistsException extends SiloException {
    private static final long serialVersionUID = 1L;

    public ExistsException(String message) {
        super(ErrorCode.EXISTS, message);
    }

    public ExistsException(String message, Throwable cause) {
        super(ErrorCode.EXISTS, message, cause);
    }
}
