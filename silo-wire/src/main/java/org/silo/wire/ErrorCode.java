package org.silo.wire;

import java.util.HashMap;
import java.util.Map;

/** Error codes of the message layer and of every service's FAILURE results (docs/protocol.md §5). */
public enum ErrorCode {
    BAD_VERSION(1),
    MALFORMED(2),
    UNKNOWN_OPERATION(3),
    DISOLVE(4),
    TOO_BIG(5),
    RESOURCE(6),
    REUSED_ID(7),
    NOT_FOUND(8),
    EXISTS(9),
    PERMISSION(10),
    READ_ONLY(11),
    NO_SPACE(12),
    IO(13),
    INVALID(14),
    BUSY(15),
    INTERNAL(16),
    TIMEDOUT(17),
    BAD_COOKIE(18),
    /** A code this build does not know; keeps the number it came with for the message. */
    UNKNOWN(0xFFFF);

    private static final Map<Integer, ErrorCode> BY_CODE = new HashMap<>();

    static {
        for (ErrorCode c : values()) {
            BY_CODE.put(c.code, c);
        }
    }

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Decodes through an explicit table: an unknown number becomes {@link #UNKNOWN}, never an exception. */
    public static ErrorCode of(int code) {
        return BY_CODE.getOrDefault(code, UNKNOWN);
    }
}
