package org.silo.wire;

/**
 * NOT_FOUND: The object named does not exist: a path, a bit file, a volume, an image, a session's login.
 *
 * <p>One of the typed {@link SiloException}s: callers that act on this outcome catch it by type
 * (docs/protocol.md, "Error codes"). {@link SiloException#of} makes it from its code, so a failure
 * that crossed the wire arrives as this type too.
 */
public final class NotFoundException extends SiloException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(ErrorCode.NOT_FOUND, message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(ErrorCode.NOT_FOUND, message, cause);
    }
}
