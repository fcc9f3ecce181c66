package org.silo.control.text;

import static org.silo.control.text.TextConstants.INFO;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The lines of seed 004's text protocol that the server composes from records: a worker's holdings as
 * INFO, a mover as an SLIST line, a record's field as an INFO line for a person at ncat, and whether a
 * plain worker's STATUS ends its job (docs/control-protocol.md).
 */
final class TextLines {
    private TextLines() {}

    /** A worker's holdings as INFO: {@code INFO worker ID}, {@code answered} (ISO time or never), then its own lines. */
    static TextMessage info(WorkerRegistry.Worker w) {
        TextMessage info = TextMessage.of(INFO, "worker", w.id())
                .line(
                        "answered",
                        w.holdingsMs() == 0
                                ? "never"
                                : java.time.Instant.ofEpochMilli(w.holdingsMs()).toString());
        for (List<String> l : w.holdings()) {
            info = info.line(l.toArray());
        }
        return info;
    }

    /**
     * Whether a plain worker's STATUS ends a job, and how: seed 004's "Status MD5-pass/fail (this is
     * completion of this disk)", that is a state {@code done} or 100 percent with a word {@code pass} or
     * {@code fail} (also {@code MD5-pass}...) in its detail; null if it does not end one.
     */
    static Boolean outcome(String state, int percent, List<String> fields) {
        if (!state.equalsIgnoreCase("done") && percent < 100) {
            return null;
        }
        for (String f : fields.subList(Math.min(2, fields.size()), fields.size())) {
            for (String word : f.toLowerCase(Locale.ROOT).split("[\\s:,;]+")) {
                if (word.equals("pass") || word.endsWith("-pass")) {
                    return true;
                }
                if (word.equals("fail") || word.endsWith("-fail")) {
                    return false;
                }
            }
        }
        return null;
    }

    /**
     * One INFO line for a person at ncat: a time the record keeps as epoch milliseconds (a key ending in
     * "Ms") as ISO 8601 under its name without "Ms" ({@code created 2026-11-30T10:01:07.201Z}, not
     * {@code createdMs 1796008867201}), a list joined with ", " (a file's {@code copies}).
     */
    static String[] infoLine(String key, Object value) {
        if (key.endsWith("Ms") && key.length() > 2 && value instanceof Number n) {
            return new String[] {
                key.substring(0, key.length() - 2),
                n.longValue() == 0
                        ? ""
                        : java.time.Instant.ofEpochMilli(n.longValue()).toString()
            };
        }
        return new String[] {
            key,
            value instanceof List<?> l
                    ? String.join(", ", l.stream().map(String::valueOf).toList())
                    : String.valueOf(value == null ? "" : value)
        };
    }

    /** A mover as an SLIST line: id, name, state, percent, detail (volume, job, rate), connected or gone. */
    static List<String> moverLine(Map<String, Object> m) {
        long done = number(m.get("bytesDone"));
        long total = number(m.get("bytesTotal"));
        int percent = total > 0 ? (int) Math.min(100, done * 100 / total) : 0;
        String detail = "";
        if (number(m.get("job")) > 0) {
            detail = String.format(
                    Locale.ROOT,
                    "job %d on %s, %.1f MB/s",
                    number(m.get("job")),
                    text(m, "volume"),
                    ((Number) m.getOrDefault("bytesPerSecond", 0.0)).doubleValue() / 1e6);
        }
        String state = text(m, "state");
        // the job counts a text worker's columns have are not counted for the archive's movers (files and errors are:
        // silo mover ls)
        return List.of(
                text(m, "id"),
                text(m, "name"),
                state,
                String.valueOf(percent),
                detail,
                state.equals("offline") ? "gone" : "connected",
                text(m, "version"),
                "",
                "",
                text(m, "bytes"),
                String.valueOf(Math.round(((Number) m.getOrDefault("bytesPerSecond", 0.0)).doubleValue())));
    }

    static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    static String text(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? "" : String.valueOf(v);
    }
}
