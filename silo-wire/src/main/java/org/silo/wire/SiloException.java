package org.silo.wire;

/**
 * A failure with a wire error code. Handlers throw it; the dispatcher turns it into a FAILURE result
 * carrying the code and the message, and the client turns that back into this exception.
 *
 * <p>The codes that callers act on have their own types, as nfs4j's status exceptions do:
 * {@link NotFoundException}, {@link ExistsException}, {@link NoSpaceException}, {@link BusyException},
 * {@link InvalidException}, {@link TimedOutException} and {@link SessionGoneException}. A caller that
 * branches on an outcome catches its type rather than testing {@link #code()}. {@link #of} is the one way
 * to make a failure from a code (the constructors are for those types), so that a failure made anywhere,
 * or decoded from the wire, has the type its code calls for. {@link ErrorCode#family()} says whose fault
 * a code is, for logs and exit statuses.
 */
public class SiloException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    protected SiloException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    protected SiloException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** A failure with this code and message: of the code's own type where it has one. */
    public static SiloException of(ErrorCode code, String message) {
        return of(code, message, null);
    }

    /** A failure with this code, message and cause: of the code's own type where it has one. */
    public static SiloException of(ErrorCode code, String message, Throwable cause) {
        return switch (code) {
            case NOT_FOUND -> new NotFoundException(message, cause);
            case EXISTS -> new ExistsException(message, cause);
            case NO_SPACE -> new NoSpaceException(message, cause);
            case BUSY -> new BusyException(message, cause);
            case INVALID -> new InvalidException(message, cause);
            case TIMEDOUT -> new TimedOutException(message, cause);
            case DISOLVE -> new SessionGoneException(message, cause);
            default -> new SiloException(code, message, cause);
        };
    }

    public ErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }

    public static SiloException malformed(String what) {
        return new SiloException(ErrorCode.MALFORMED, what);
    }

    public static NotFoundException notFound(String what) {
        return new NotFoundException(what);
    }

    public static InvalidException invalid(String what) {
        return new InvalidException(what);
    }
}
