package org.silo.wire;

/**
 * NO_SPACE: No room is left: on a volume, a library's free space, an image's file system.
 *
 * <p>One of the typed {@link SiloException}s: callers that act on this outcome catch it by type
 * (docs/protocol.md, "Error codes"). {@link SiloException#of} makes it from its code, so a failure
 * that crossed the wire arrives as this type too.
 */
public final class NoSpaceException extends SiloException {
    private static final long serialVersionUID = 1L;

    public NoSpaceException(String message) {
        super(ErrorCode.NO_SPACE, message);
    }

    public NoSpaceException(String message, Throwable cause) {
        super(ErrorCode.NO_SPACE, message, cause);
    }
}
