package org.silo.archive.volume;

import java.util.Locale;
import org.silo.wire.SiloException;

/** Byte sizes as people write them: {@code 4096}, {@code 10K}, {@code 10G}, {@code 1.5T} (powers of 1024). */
public final class Sizes {
    private Sizes() {}

    public static long parse(String s) throws SiloException {
        if (s == null || s.isBlank()) {
            throw SiloException.invalid("empty size: give bytes or a number with K, M, G, T or P");
        }
        String t = s.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B") && t.length() > 1 && !Character.isDigit(t.charAt(t.length() - 2))) {
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        int shift = "KMGTP".indexOf(last);
        if (shift >= 0) {
            unit = 1L << (10 * (shift + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t);
            if (!t.matches("[0-9]+(\\.[0-9]+)?") || v < 0 || v * unit > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (long) Math.floor(v * unit);
        } catch (NumberFormatException e) {
            throw SiloException.invalid("'" + s + "' is not a size: give bytes or a number with K, M, G, T or P (e.g. 10G)");
        }
    }

    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        int exp = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
        return String.format(Locale.ROOT, "%.1f%c", bytes / (double) (1L << (10 * exp)), "KMGTPE".charAt(exp - 1));
    }
}
