package org.silo.cli;

import org.silo.wire.Sizes;
import picocli.CommandLine.Option;

/**
 * {@code --bytes}, for every command that prints sizes: people get {@link Sizes#format} ("64.0 MiB"),
 * scripts get whole bytes with --bytes (and --json always has them). docs/cli.md, "Sizes".
 */
final class SizeOption {
    @Option(names = "--bytes", description = "Print sizes in whole bytes, not in KiB, MiB or GiB.")
    boolean bytes;

    /** A size as this command prints it. */
    String show(long n) {
        return bytes ? Long.toString(n) : Sizes.format(n);
    }

    /** A size read from the command line, or a clear error naming the option. */
    static long parse(String option, String text) {
        try {
            return Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + e.getMessage());
        }
    }
}
