package org.silo.cli;

import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/** Turns failures into one clear line and an exit status: 1 the operation failed, 3 the server is unreachable. */
final class Failures {
    private Failures() {}

    static final int FAILED = 1;
    static final int UNREACHABLE = 3;

    static String describe(Throwable e) {
        if (e instanceof SiloException se) {
            return se.code() + ": " + se.getMessage();
        }
        if (e instanceof IllegalArgumentException || e instanceof org.silo.server.StartRefused) {
            return e.getMessage();
        }
        return e.toString();
    }

    static int exitCode(Throwable e) {
        if (e instanceof SiloException se && (se.code() == ErrorCode.TIMEDOUT || se.code() == ErrorCode.DISOLVE)) {
            return UNREACHABLE;
        }
        return FAILED;
    }
}
