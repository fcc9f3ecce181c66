package org.silo.wire;

/**
 * A failure with a wire error code. Handlers throw it; the dispatcher turns it into a FAILURE result
 * carrying the code and the message, and the client turns that back into this exception.
 */
public class SiloException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public SiloException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public SiloException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
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

    public static SiloException notFound(String what) {
        return new SiloException(ErrorCode.NOT_FOUND, what);
    }

    public static SiloException invalid(String what) {
        return new SiloException(ErrorCode.INVALID, what);
    }
}
