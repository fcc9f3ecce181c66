package org.silo.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import org.silo.wire.ErrorCode;
import org.silo.wire.SessionGoneException;
import org.silo.wire.SiloException;
import org.silo.wire.TimedOutException;

/**
 * Turns failures into one clear line and an exit status: 1 the operation failed, 3 the server is
 * unreachable. One form for every error (docs/cli.md, "Errors"): {@code silo: } and a sentence
 * that says what failed, never an enum code ("EXISTS:", "NOT_FOUND:") or a Java class name in front of
 * it; the server's sentences already name what they found. Scripts tell failures apart by the exit status.
 */
final class Failures {
    private Failures() {}

    static final int FAILED = 1;
    static final int UNREACHABLE = 3;

    static String describe(Throwable e) {
        if (e instanceof SiloException se) {
            return se.getMessage() == null || se.getMessage().isBlank() ? words(se.code()) : se.getMessage();
        }
        if (e instanceof NoSuchFileException f) {
            return "no such local file " + f.getFile();
        }
        if (e instanceof AccessDeniedException f) {
            return "may not use the local file " + f.getFile() + " (permission denied)";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return "the local file " + f.getFile() + " already exists";
        }
        if (e instanceof IllegalArgumentException
                || e instanceof org.silo.server.StartRefused
                || (e instanceof java.io.IOException && e.getMessage() != null)) {
            return e.getMessage();
        }
        return e.toString(); // unexpected: the class name helps whoever reads the bug report
    }

    /** A code without a message, in words ("not found", "read only"). */
    private static String words(ErrorCode code) {
        return code.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    static int exitCode(Throwable e) {
        if (e instanceof TimedOutException || e instanceof SessionGoneException) {
            return UNREACHABLE;
        }
        return FAILED;
    }
}
