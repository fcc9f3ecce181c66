package org.silo.wire;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes, the one way every part of Silo reads and prints them (docs/cli.md, "Sizes"): one parser and
 * one printer. Powers of 1024 throughout. Read: a whole or decimal number,
 * then optionally K, M, G, T, P or E, then optionally "B" or "iB", in any case, with or without a space:
 * {@code 4096}, {@code 64M}, {@code 1.5G}, {@code 1.5 GiB}, {@code 7MB}. Printed: IEC, one decimal,
 * {@code 512 B}, {@code 64.0 MiB}, {@code 1.5 GiB}.
 */
public final class Sizes {
    private Sizes() {}

    private static final Pattern SIZE =
            Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(?:([KMGTPE])(?:I?B)?|B)?", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "KMGTPE";

    /**
     * Bytes from a size as a person writes it; a fraction of a byte is dropped ({@code 1.5K} is 1536,
     * {@code 0.1K} is 102).
     *
     * @throws IllegalArgumentException naming the text and the forms that are read
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a size: write bytes or a number with K, M, G, T or P"
                            + " (or KiB, MiB, ...), e.g. 4096, 64M, 1.5G, 10 GiB");
        }
        int shift = m.group(2) == null
                ? 0
                : 10 * (UNITS.indexOf(Character.toUpperCase(m.group(2).charAt(0))) + 1);
        BigDecimal bytes =
                new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(2).pow(shift));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large (at most 8 EiB)");
        }
        return bytes.setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 64.0 MiB}, {@code 10.0 GiB}: what every command prints for people. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int exp = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
        return String.format(Locale.ROOT, "%.1f %ciB", bytes / (double) (1L << (10 * exp)), UNITS.charAt(exp - 1));
    }
}
