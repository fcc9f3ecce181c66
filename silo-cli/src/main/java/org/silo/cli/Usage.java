package org.silo.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * How the usage help looks (docs/archive.md, "Commands"): laid out for the terminal's width, read only
 * when help is printed (it may take a process).
 */
final class Usage {
    /** Help is never laid out narrower than this (the texts are written to read at 80) nor wider (long lines read badly). */
    static final int MIN_WIDTH = 80;
    static final int MAX_WIDTH = 120;

    private Usage() {}

    /**
     * Help for every command at the width {@code width} gives when help is printed, with the short
     * synopsis ({@code silo put [OPTIONS] SRC... DEST}): the options are listed below it anyway.
     */
    static CommandLine.IHelpFactory helpAt(IntSupplier width) {
        return (spec, colors) -> {
            spec.usageMessage().width(width.getAsInt()).abbreviateSynopsis(true);
            return new Help(spec, colors);
        };
    }

    /** The terminal's width between MIN_WIDTH and MAX_WIDTH, or MIN_WIDTH when there is no terminal. */
    static int terminalWidth() {
        int columns = columns();
        return columns <= 0 ? MIN_WIDTH : Math.clamp(columns, MIN_WIDTH, MAX_WIDTH);
    }

    /** $COLUMNS if the shell exports it, else what stty says of the controlling terminal, or -1. */
    private static int columns() {
        try {
            String env = System.getenv("COLUMNS");
            if (env != null && !env.isBlank()) {
                return Integer.parseInt(env.trim());
            }
        } catch (NumberFormatException e) {
            // not a number: ask the terminal
        }
        if (System.console() == null || !new File("/dev/tty").exists()) {
            return -1; // output goes to a file or a pipe: no width to fit
        }
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] rowsCols = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            return p.waitFor(1, TimeUnit.SECONDS) && p.exitValue() == 0 && rowsCols.length == 2 ? Integer.parseInt(rowsCols[1]) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
