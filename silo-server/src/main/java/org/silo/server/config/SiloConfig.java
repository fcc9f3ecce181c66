package org.silo.server.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.silo.files.server.GatewayAddressPolicy;
import org.silo.wire.server.WireServerConfig;

/**
 * The server's settings: built-in defaults, then a {@code key = value} file (--config), then
 * command-line overrides (--set key=value). Unknown keys are refused, so a typo never goes unnoticed.
 * docs/configuration.md lists every key.
 */
public final class SiloConfig {
    /** Every key and its default. */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new TreeMap<>();
        d.put("data", "./silo-data");
        d.put("name", "silo");
        d.put("listen", "127.0.0.1");
        d.put("anonymous", "auto");
        d.put("login.first-wait", "1s");
        d.put("catalog", "");
        d.put("archive.movers", "2");
        d.put("archive.mover-timeout", "10s");
        d.put("archive.hung-after", "5m");
        d.put("archive.mover-rate", "0");
        d.put("archive.age-time", "30m");
        d.put("archive.aggregate-below", "64M");
        d.put("archive.aggregate-size", "1G");
        d.put("archive.aggregate-idle", "1s");
        d.put("wire.port", "7400");
        d.put("wire.max-datagram", "1200");
        d.put("wire.max-tcp-frame", "64M");
        d.put("wire.session-idle", "5m");
        d.put("wire.max-sessions", "65536");
        d.put("wire.max-sessions-per-address", "1024");
        d.put("wire.workers", "1024");
        d.put("wire.max-connections", "4096");
        d.put("wire.max-connections-per-address", "64");
        d.put("wire.unproven-per-second", "100");
        d.put("reply-cache.entries", "65536");
        d.put("reply-cache.bytes", "64M");
        d.put("reply-cache.per-session", "1024");
        d.put("reply-cache.retention", "120s");
        d.put("blockhead.port", "4444");
        d.put("blockhead.default-image", "");
        d.put("blockhead.idle", "60m");
        d.put("blockhead.max-sessions", "256");
        d.put("blockhead.max-sessions-per-address", "16");
        d.put("nbd.port", "10809");
        d.put("nbd.tls-cert", "");
        d.put("nbd.tls-key", "");
        d.put("nbd.require-tls", "false");
        d.put("control.port", "7401");
        d.put("console.port", "7480");
        d.put("files.data-port", "0");
        d.put("files.cache-size", "4G");
        d.put("files.stage-wait", "20s");
        d.put("files.lookup-cache", "1s");
        d.put("files.url-allow", "");
        return d;
    }

    /** Every port key and the protocols the server binds on it, as a person names them ("7400/udp"). */
    public static final Map<String, List<String>> PORTS = ports();

    private static Map<String, List<String>> ports() {
        Map<String, List<String>> p = new LinkedHashMap<>();
        p.put("wire.port", List.of("udp", "tcp"));
        p.put("blockhead.port", List.of("udp"));
        p.put("nbd.port", List.of("tcp"));
        p.put("control.port", List.of("tcp"));
        p.put("console.port", List.of("tcp"));
        p.put("files.data-port", List.of("tcp"));
        return Collections.unmodifiableMap(p);
    }

    // The keys of each kind, checked when loaded: a bad value is refused before anything starts, not at first use.
    private static final List<String> WHOLE_NUMBERS = List.of("archive.movers", "blockhead.max-sessions",
            "blockhead.max-sessions-per-address");
    private static final List<String> SIZES = List.of("archive.mover-rate", "archive.aggregate-below", "archive.aggregate-size",
            "files.cache-size");
    private static final List<String> DURATIONS = List.of("login.first-wait", "archive.mover-timeout", "archive.hung-after", "archive.age-time",
            "archive.aggregate-idle", "blockhead.idle", "files.stage-wait", "files.lookup-cache");

    private final Map<String, String> values;

    private SiloConfig(Map<String, String> values) {
        this.values = values;
    }

    /** Defaults, then the file (if any), then the overrides. */
    public static SiloConfig load(Path file, Map<String, String> overrides) throws IOException {
        Map<String, String> v = new TreeMap<>(DEFAULTS);
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            for (String key : p.stringPropertyNames()) {
                put(v, key, p.getProperty(key).trim(), file.toString());
            }
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            put(v, e.getKey(), e.getValue(), "the command line");
        }
        SiloConfig c = new SiloConfig(v);
        c.wire(); // validates every wire setting now, not at first use
        c.urlAllow();
        c.listen();
        PORTS.keySet().forEach(c::port);
        WHOLE_NUMBERS.forEach(c::integer);
        SIZES.forEach(c::size);
        DURATIONS.forEach(c::duration);
        if (c.duration("archive.hung-after").toMillis() < 1) {
            throw new IllegalArgumentException("bad value archive.hung-after = '" + c.get("archive.hung-after")
                    + "': a transfer needs some time to move a byte; give a duration such as 5m");
        }
        return c;
    }

    public static SiloConfig defaults(Map<String, String> overrides) {
        try {
            return load(null, overrides);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(Map<String, String> v, String key, String value, String where) {
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException("unknown setting '" + key + "' in " + where
                    + "; known settings: " + String.join(", ", DEFAULTS.keySet()));
        }
        v.put(key, value);
    }

    public String get(String key) {
        String s = values.get(key);
        if (s == null) {
            throw new IllegalArgumentException("unknown setting '" + key + "'");
        }
        return s;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public int port(String key) {
        try {
            int p = Integer.parseInt(get(key).trim());
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // said below, as an out-of-range number is
        }
        throw new IllegalArgumentException("bad value " + key + " = '" + get(key) + "': a port is a whole number 0..65535 (0: any free port)");
    }

    public int integer(String key) {
        try {
            return Integer.parseInt(get(key).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad value " + key + " = '" + get(key) + "': not a whole number");
        }
    }

    public long size(String key) {
        try {
            return org.silo.wire.Sizes.parse(get(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    public Duration duration(String key) {
        try {
            return Durations.parse(get(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    public Path data() {
        return Path.of(get("data"));
    }

    public InetAddress listen() {
        try {
            return InetAddress.getByName(get("listen"));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("listen = '" + get("listen") + "' is not an address of this host");
        }
    }

    /**
     * files.url-allow: the addresses the file service's URL gateway may reach beyond public ones (it fetches
     * on the server; docs/security.md).
     */
    public GatewayAddressPolicy urlAllow() {
        return GatewayAddressPolicy.parse(get("files.url-allow"));
    }

    public WireServerConfig wire() {
        long tcpFrame = size("wire.max-tcp-frame");
        if (tcpFrame > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("wire.max-tcp-frame must be below 2 GiB");
        }
        return new WireServerConfig(integer("wire.max-datagram"), (int) tcpFrame, duration("wire.session-idle"),
                integer("wire.max-sessions"), integer("wire.max-sessions-per-address"),
                integer("reply-cache.entries"), size("reply-cache.bytes"), integer("reply-cache.per-session"),
                duration("reply-cache.retention"), integer("wire.workers"), integer("wire.max-connections"),
                integer("wire.max-connections-per-address"), integer("wire.unproven-per-second"));
    }
}
