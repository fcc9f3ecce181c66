package org.silo.wire;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The names nearest a mistyped word, for "did you mean ...?": the one way the command line (commands
 * and options) and the server's configuration (its keys) guess what was meant.
 *
 * <pre>{@code
 * Nearest.near("stauts", List.of("status", "stat", "ls"));   // [status, stat]
 * Nearest.distance("archive.movrs", "archive.movers");       // 1
 * }</pre>
 */
public final class Nearest {
    private Nearest() {}

    /**
     * The names close to a mistyped word, nearest first, at most three: a letter left out, added, changed
     * or two swapped ({@code pt}, {@code stauts}), two such slips in a word of five letters or more, or the
     * start of a name ({@code mov}). Leading dashes do not count as letters. Case is ignored.
     */
    public static List<String> near(String word, List<String> names) {
        String w = word.toLowerCase(Locale.ROOT);
        int letters = w.replaceFirst("^-+", "").length();
        int allowed = letters >= 5 ? 2 : 1;
        record Candidate(String name, int distance) {}
        List<Candidate> found = new ArrayList<>();
        for (String name : names) {
            String n = name.toLowerCase(Locale.ROOT);
            int d = distance(w, n);
            if (d <= allowed || (letters >= 2 && n.startsWith(w))) {
                found.add(new Candidate(name, d));
            }
        }
        return found.stream()
                .sorted(Comparator.comparingInt(Candidate::distance))
                .limit(3)
                .map(Candidate::name)
                .toList();
    }

    /** Optimal string alignment distance: insertions, deletions, changes and swaps of neighbours, one each. */
    public static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
