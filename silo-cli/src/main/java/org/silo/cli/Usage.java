package org.silo.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How the usage help looks and how a command line picocli cannot parse is answered (docs/archive.md,
 * "Commands"). Help is laid out for the terminal's width, read only when help is printed (it may
 * take a process); a mistake gets one line, a suggestion if one is near, the usage line and where the
 * whole help is, never the whole help itself, which would scroll the error away.
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
            Process p = new ProcessBuilder("stty", "size")
                    .redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String[] rowsCols = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                    .trim()
                    .split("\\s+");
            return p.waitFor(1, TimeUnit.SECONDS) && p.exitValue() == 0 && rowsCols.length == 2
                    ? Integer.parseInt(rowsCols[1])
                    : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * A command line that does not parse: the error in one line, what was probably meant, the usage line
     * and where the whole help is. Exit status 2, as picocli's own handler gives.
     */
    static int mistake(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        CommandSpec spec = cl.getCommandSpec();
        PrintWriter err = cl.getErr();
        String name = spec.qualifiedName();
        if (ex instanceof UnmatchedArgumentException u
                && !u.isUnknownOption()
                && !spec.subcommands().isEmpty()
                && !u.getUnmatched().isEmpty()) {
            String word = u.getUnmatched().get(0);
            err.println("silo: '" + word + "' is not a " + name + " command.");
            suggest(
                    err,
                    near(word, visibleSubcommands(spec)).stream()
                            .map(s -> name + " " + s)
                            .toList());
        } else if (ex instanceof UnmatchedArgumentException u
                && u.isUnknownOption()
                && !u.getUnmatched().isEmpty()) {
            String word = u.getUnmatched().get(0);
            err.println("silo: " + ex.getMessage());
            List<String> near =
                    near(word.contains("=") ? word.substring(0, word.indexOf('=')) : word, optionNames(spec));
            suggest(
                    err,
                    near.isEmpty()
                            ? u.getSuggestions()
                            : near); // picocli's: the options that begin with the same two letters
        } else {
            err.println("silo: " + ex.getMessage());
            // 'silo help pt': the help command names the word it does not know in its message
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Unknown subcommand '(.*)'\\.")
                    .matcher(ex.getMessage());
            if (m.matches()) {
                suggest(
                        err,
                        near(m.group(1), visibleSubcommands(spec)).stream()
                                .map(s -> "silo help " + s)
                                .toList());
            }
        }
        Help help = cl.getHelpFactory().create(spec, cl.getColorScheme());
        err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
        err.println("See '" + name + " --help'.");
        err.flush();
        return spec.exitCodeOnInvalidInput();
    }

    private static void suggest(PrintWriter err, List<String> commands) {
        if (!commands.isEmpty()) {
            err.println("Did you mean " + String.join(" or ", commands) + "?");
        }
    }

    private static List<String> visibleSubcommands(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        spec.subcommands().forEach((n, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden() && !names.contains(n)) {
                names.add(n);
            }
        });
        return names;
    }

    private static List<String> optionNames(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        spec.options().stream().filter(o -> !o.hidden()).forEach(o -> names.addAll(List.of(o.names())));
        return names;
    }

    /**
     * The names close to a mistyped word ({@link org.silo.wire.Nearest#near}). picocli's own guess
     * compares pairs of letters, so a word of two letters shares none with the name meant and gets no
     * suggestion.
     */
    static List<String> near(String word, List<String> names) {
        return org.silo.wire.Nearest.near(word, names);
    }
}
