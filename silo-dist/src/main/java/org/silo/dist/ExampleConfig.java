package org.silo.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.silo.server.config.SiloConfig;

/**
 * The example {@code silo.conf} a release ships: every key the server knows ({@link SiloConfig#DEFAULTS},
 * so the file cannot fall behind the code), each commented out at its default, with what it means taken
 * from the settings table of docs/configuration.md. A key without a row there, or a row for a key the
 * server does not know, stops the build: the docs would be wrong too.
 */
final class ExampleConfig {
    private ExampleConfig() {}

    static final String HEADER = """
            # silo.conf: the settings of 'silo server --config FILE'.
            #
            # Every key the server knows is here with its default, commented out: remove the '#' before a key
            # to change it. Sizes are written 512, 64K, 64M, 10G (powers of 1024); durations 250ms, 30s, 5m,
            # 1h (a bare number is seconds); any port may be 0 (the system picks a free one). An unknown key
            # or a value that does not parse stops the server before it starts, naming the key.
            # docs/configuration.md says more about each.
            """;

    /** The descriptions of docs/configuration.md's settings table, by key, in the table's order. */
    static Map<String, String> descriptions(Path configurationMd) throws IOException {
        Map<String, String> d = new LinkedHashMap<>();
        for (String line : Files.readAllLines(configurationMd)) {
            // | `key` | default | what |  (the description may itself hold '|' only inside backquotes, which it does
            // not)
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            if (cells.length < 5) {
                continue;
            }
            String key = cells[1].trim().replace("`", "");
            String what = String.join("|", List.of(cells).subList(3, cells.length - 1))
                    .trim();
            d.put(key, what.replace("`", ""));
        }
        return d;
    }

    /**
     * The file's text. {@code active} are settings written uncommented with their value (the Debian
     * package's {@code data = /var/lib/silo}), each with {@code why} above it.
     */
    static String text(Map<String, String> descriptions, Map<String, String> active, String why) {
        var missing = new TreeSet<>(SiloConfig.DEFAULTS.keySet());
        missing.removeAll(descriptions.keySet());
        var unknown = new TreeSet<>(descriptions.keySet());
        unknown.removeAll(SiloConfig.DEFAULTS.keySet());
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            throw new IllegalStateException(
                    "docs/configuration.md's settings table and the server's keys (SiloConfig.DEFAULTS) differ:"
                            + (missing.isEmpty() ? "" : " no row for " + missing)
                            + (unknown.isEmpty() ? "" : " rows for unknown keys " + unknown));
        }
        StringBuilder b = new StringBuilder(HEADER);
        for (Map.Entry<String, String> e : descriptions.entrySet()) {
            String key = e.getKey();
            b.append('\n');
            for (String line : wrap(e.getValue(), 100)) {
                b.append("# ").append(line).append('\n');
            }
            if (active.containsKey(key)) {
                b.append("# ")
                        .append(why)
                        .append(" (default: ")
                        .append(SiloConfig.DEFAULTS.get(key))
                        .append(")\n");
                b.append(key).append(" = ").append(active.get(key)).append('\n');
            } else {
                b.append('#')
                        .append(key)
                        .append(" = ")
                        .append(SiloConfig.DEFAULTS.get(key))
                        .append('\n');
            }
        }
        return b.toString();
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
