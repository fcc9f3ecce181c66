package org.silo.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.silo.server.access.ServerAccess;
import org.silo.wire.Nearest;
import org.silo.wire.WireConstants;

/**
 * Reads a configuration (defaults, then a file, then the command line) and checks all of it before
 * anything starts, so that one reading says every mistake at once: each unknown key with the nearest
 * known ones, each bad value with its key, each old key name read as its new one. {@code silo server}
 * refuses to start on any problem; {@code silo server --check-config} prints them, or the configuration.
 *
 * <pre>{@code
 * ConfigReader.Report r = SiloConfig.read(file, Map.of("wire.prot", "7500"));
 * r.problems();   // ["unknown setting 'wire.prot' in the command line; did you mean wire.port?"]
 * }</pre>
 */
public final class ConfigReader {
    private ConfigReader() {}

    /**
     * What reading found. {@code config} is null when there are problems; {@code warnings} are old key
     * names that were read as their new ones.
     */
    public record Report(SiloConfig config, List<String> problems, List<String> warnings) {}

    /** Where --set and --data values come from, as messages name it. */
    public static final String COMMAND_LINE = "the command line";

    // The keys of each kind, checked when read: a bad value is refused before anything starts, not at first use.
    private static final List<String> WHOLE_NUMBERS = List.of(
            "archive.movers",
            "blockhead.max-sessions",
            "blockhead.max-sessions-per-address",
            "wire.max-sessions",
            "wire.max-sessions-per-address",
            "wire.workers",
            "wire.max-connections",
            "wire.max-connections-per-address",
            "wire.unproven-per-second",
            "reply-cache.entries",
            "reply-cache.per-session");
    private static final List<String> SIZES = List.of(
            "archive.mover-rate",
            "archive.aggregate-below",
            "archive.aggregate-size",
            "files.cache-size",
            "reply-cache.bytes");
    private static final List<String> DURATIONS = List.of(
            "login.first-wait",
            "archive.mover-timeout",
            "archive.age-time",
            "archive.aggregate-idle",
            "blockhead.idle",
            "files.stage-wait",
            "files.lookup-cache",
            "wire.session-idle");

    /** Each checked key and its check, which throws IllegalArgumentException with the reason. */
    private static final Map<String, BiConsumer<SiloConfig, String>> CHECKS = checks();

    private static Map<String, BiConsumer<SiloConfig, String>> checks() {
        Map<String, BiConsumer<SiloConfig, String>> m = new TreeMap<>();
        SiloConfig.PORTS.keySet().forEach(k -> m.put(k, SiloConfig::port));
        WHOLE_NUMBERS.forEach(k -> m.put(k, (c, key) -> {
            if (c.integer(key) < 0) {
                throw new IllegalArgumentException("must not be negative");
            }
        }));
        SIZES.forEach(k -> m.put(k, SiloConfig::size));
        DURATIONS.forEach(k -> m.put(k, SiloConfig::duration));
        m.put("archive.hung-after", (c, key) -> {
            if (c.duration(key).toMillis() < 1) {
                throw new IllegalArgumentException(
                        "a transfer needs some time to move a byte; give a duration such as 5m");
            }
        });
        m.put("wire.max-datagram", (c, key) -> {
            int n = c.integer(key);
            if (n < 256 || n > WireConstants.MAX_DATAGRAM) {
                throw new IllegalArgumentException("the largest UDP payload is 256.." + WireConstants.MAX_DATAGRAM);
            }
        });
        m.put("wire.max-tcp-frame", (c, key) -> {
            long frame = c.size(key);
            if (frame > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("must be below 2 GiB");
            }
            int datagram;
            try {
                datagram = c.integer("wire.max-datagram");
            } catch (IllegalArgumentException e) {
                return; // said for wire.max-datagram
            }
            if (frame < datagram) {
                throw new IllegalArgumentException("smaller than wire.max-datagram (" + datagram + ")");
            }
        });
        m.put("reply-cache.retention", (c, key) -> {
            if (c.duration(key).compareTo(Duration.ofSeconds(120)) < 0) {
                throw new IllegalArgumentException("at least 120s, longer than any client's retry span");
            }
        });
        m.put("listen", (c, key) -> c.listen());
        m.put("anonymous", (c, key) -> ServerAccess.parse(c.get(key)));
        m.put("nbd.require-tls", (c, key) -> {
            if (!c.get(key).equalsIgnoreCase("true") && !c.get(key).equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("write true or false");
            }
        });
        m.put("files.url-allow", (c, key) -> c.urlAllow());
        m.put("catalog", (c, key) -> {
            String v = c.get(key);
            if (!v.isEmpty()
                    && !v.equals("sqlite")
                    && !v.startsWith("jdbc:sqlite:")
                    && !v.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("write nothing (SQLite in the data directory), jdbc:sqlite:FILE or"
                        + " jdbc:postgresql://HOST:PORT/DB?user=U");
            }
        });
        return m;
    }

    /** Reads and checks; {@code renamed} is the table of old key names ({@link SiloConfig#RENAMED}; tests pass their own). */
    static Report read(Path file, Map<String, String> overrides, List<SiloConfig.Renamed> renamed) throws IOException {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> values = new TreeMap<>(SiloConfig.DEFAULTS);
        Map<String, String> origins = new TreeMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            Map<String, String> fromFile = new TreeMap<>();
            p.stringPropertyNames()
                    .forEach(k -> fromFile.put(k, p.getProperty(k).trim()));
            apply(fromFile, file.toString(), renamed, values, origins, problems, warnings);
        }
        apply(overrides, COMMAND_LINE, renamed, values, origins, problems, warnings);
        SiloConfig c = new SiloConfig(values, origins, warnings);
        List<String> bad = new ArrayList<>();
        CHECKS.forEach((key, check) -> {
            try {
                check.accept(c, key);
            } catch (IllegalArgumentException e) {
                bad.add(key);
                problems.add(badValue(key, c.get(key), e.getMessage()));
            }
        });
        if (bad.stream().noneMatch(k -> k.startsWith("wire.") || k.startsWith("reply-cache."))) {
            try {
                c.wire();
            } catch (IllegalArgumentException e) {
                problems.add("bad wire settings: "
                        + e.getMessage()); // a rule of WireServerConfig's that no key's check above has
            }
        }
        tls(c, problems);
        return new Report(problems.isEmpty() ? c : null, List.copyOf(problems), List.copyOf(warnings));
    }

    /** One source's keys onto the values: old names read as new ones, unknown keys said with the nearest known ones. */
    private static void apply(
            Map<String, String> source,
            String where,
            List<SiloConfig.Renamed> renamed,
            Map<String, String> values,
            Map<String, String> origins,
            List<String> problems,
            List<String> warnings) {
        Map<String, SiloConfig.Renamed> byOld = new LinkedHashMap<>();
        renamed.forEach(r -> byOld.put(r.oldKey(), r));
        for (Map.Entry<String, String> e : source.entrySet()) {
            String key = e.getKey();
            SiloConfig.Renamed r = byOld.get(key);
            if (r != null) {
                if (source.containsKey(r.newKey())) {
                    problems.add("both '" + key + "' and '" + r.newKey() + "' are set in " + where + ", and '" + key
                            + "' is the old name of '" + r.newKey() + "' (renamed in silo " + r.release()
                            + "): keep only " + r.newKey());
                    continue;
                }
                warnings.add("setting '" + key + "' in " + where + " was renamed to '" + r.newKey() + "' in silo "
                        + r.release()
                        + "; read as " + r.newKey() + " = '" + e.getValue() + "'. Write " + r.newKey()
                        + ": the old name may be refused"
                        + " in a later release");
                key = r.newKey();
            } else if (!SiloConfig.DEFAULTS.containsKey(key)) {
                problems.add(unknown(key, where));
                continue;
            }
            values.put(key, e.getValue());
            origins.put(key, where + (r == null ? "" : " (as " + r.oldKey() + ")"));
        }
    }

    /** NBD's TLS keys go together: both or neither, and both if TLS is required. */
    private static void tls(SiloConfig c, List<String> problems) {
        boolean cert = !c.get("nbd.tls-cert").isEmpty();
        boolean key = !c.get("nbd.tls-key").isEmpty();
        if (cert != key) {
            problems.add("NBD TLS needs both nbd.tls-cert and nbd.tls-key (PEM; the key unencrypted PKCS#8); only "
                    + (cert ? "nbd.tls-cert" : "nbd.tls-key") + " is set");
        } else if (!cert && c.get("nbd.require-tls").equalsIgnoreCase("true")) {
            problems.add("nbd.require-tls = true needs nbd.tls-cert and nbd.tls-key");
        }
    }

    static String unknown(String key, String where) {
        List<String> near = nearestKeys(key);
        return "unknown setting '" + key + "' in " + where
                + (near.isEmpty()
                        ? "; none is near it (docs/configuration.md lists every setting; silo server --check-config prints them)"
                        : "; did you mean " + or(near) + "?");
    }

    /**
     * The known keys nearest a mistyped one: by edit distance over the whole key ({@code wire.prot},
     * {@code archive.mover}), else by its last part alone, for a key written without its section or in
     * the wrong one ({@code movers}, {@code wire.movers}).
     */
    public static List<String> nearestKeys(String key) {
        List<String> known = List.copyOf(SiloConfig.DEFAULTS.keySet());
        List<String> near = Nearest.near(key, known);
        if (!near.isEmpty()) {
            return near;
        }
        String tail = lastPart(key).toLowerCase(Locale.ROOT);
        if (tail.length() < 3) {
            return List.of();
        }
        int allowed = tail.length() >= 5 ? 1 : 0;
        return known.stream()
                .filter(k -> Nearest.distance(tail, lastPart(k)) <= allowed)
                .limit(3)
                .toList();
    }

    private static String lastPart(String key) {
        return key.substring(key.lastIndexOf('.') + 1);
    }

    private static String or(List<String> names) {
        return names.size() == 1
                ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    /** {@code bad value KEY = 'VALUE': reason}, whichever way the parser put its reason. */
    static String badValue(String key, String value, String reason) {
        String r = reason == null ? "not valid" : reason;
        for (String prefix : List.of(
                "bad value " + key + " = '" + value + "': ",
                key + " = '" + value + "': ",
                key + ": ",
                "'" + value + "' is ")) {
            if (r.startsWith(prefix)) {
                r = r.substring(prefix.length());
            }
        }
        return "bad value " + key + " = '" + value + "': " + r;
    }
}
