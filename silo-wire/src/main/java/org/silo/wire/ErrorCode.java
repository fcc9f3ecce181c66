package org.silo.wire;

import java.util.HashMap;
import java.util.Map;

/** Error codes of the message layer and of every service's FAILURE results (docs/protocol.md §5). */
public enum ErrorCode {
    BAD_VERSION(1, Family.CLIENT_FAULT),
    MALFORMED(2, Family.CLIENT_FAULT),
    UNKNOWN_OPERATION(3, Family.CLIENT_FAULT),
    DISOLVE(4, Family.REFUSAL),
    TOO_BIG(5, Family.REFUSAL),
    RESOURCE(6, Family.REFUSAL),
    REUSED_ID(7, Family.CLIENT_FAULT),
    NOT_FOUND(8, Family.REFUSAL),
    EXISTS(9, Family.REFUSAL),
    PERMISSION(10, Family.REFUSAL),
    READ_ONLY(11, Family.REFUSAL),
    NO_SPACE(12, Family.REFUSAL),
    IO(13, Family.SERVER_FAULT),
    INVALID(14, Family.REFUSAL),
    BUSY(15, Family.REFUSAL),
    INTERNAL(16, Family.SERVER_FAULT),
    TIMEDOUT(17, Family.REFUSAL),
    BAD_COOKIE(18, Family.CLIENT_FAULT),
    /** A code this build does not know; keeps the number it came with for the message. */
    UNKNOWN(0xFFFF, Family.SERVER_FAULT);

    /**
     * Whose fault a failure is, for logs: the dispatcher logs a {@code CLIENT_FAULT} (a frame or call that
     * no correct client sends) at WARN, a {@code SERVER_FAULT} (an I/O error, a bug) at ERROR, and a
     * {@code REFUSAL} (a correct call whose answer is no: not found, exists, no permission, full, busy)
     * only at DEBUG, as an answer like any other.
     */
    public enum Family {
        CLIENT_FAULT,
        REFUSAL,
        SERVER_FAULT
    }

    private static final Map<Integer, ErrorCode> BY_CODE = new HashMap<>();

    static {
        for (ErrorCode c : values()) {
            BY_CODE.put(c.code, c);
        }
    }

    private final int code;
    private final Family family;

    ErrorCode(int code, Family family) {
        this.code = code;
        this.family = family;
    }

    public int code() {
        return code;
    }

    public Family family() {
        return family;
    }

    /** Decodes through an explicit table: an unknown number becomes {@link #UNKNOWN}, never an exception. */
    public static ErrorCode of(int code) {
        return BY_CODE.getOrDefault(code, UNKNOWN);
    }
}
